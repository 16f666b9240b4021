import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { Provider } from 'urql';
import { describe, expect, it } from 'vitest';

import { mockClient } from '@/testing/graphql';

import { CampaignsScreen } from './campaigns-screen';

const counts = {
  total: 20,
  pending: 0,
  queued: 10,
  sent: 10,
  delivered: 5,
  read: 2,
  failed: 0,
  skipped: 0,
  cancelled: 0,
  replied: 0,
};

function row(
  id: string,
  title: string,
  status: string,
  scheduledAt: string | null = null,
  over: Record<string, unknown> = {},
) {
  return {
    id,
    kind: 'BROADCAST',
    title,
    status,
    pausedReason: null,
    scheduledAt,
    startedAt: status === 'SCHEDULED' ? null : '2026-12-03T01:00:00Z',
    completedAt: null,
    createdAt: '2026-12-01T00:00:00Z',
    progress: {
      campaignId: id,
      status,
      pausedReason: null,
      totals: counts,
      devices: [],
      aiDevices: [],
    },
    ...over,
  };
}

function Address() {
  const location = useLocation();
  return <output aria-label="Address">{location.search}</output>;
}

function open(search = '') {
  const client = mockClient({
    query: {
      data: {
        campaigns: {
          pageInfo: { hasNextPage: false, endCursor: null },
          nodes: [
            row('1', 'December promo', 'RUNNING'),
            row('2', 'December promo (Copy)', 'SCHEDULED'),
            row('3', 'Pool promo', 'COMPLETED_WITH_PENDING', null, {
              kind: 'AI',
              pausedReason: '5 leads left for a later campaign: every device reached its limit.',
            }),
          ],
        },
      },
    },
  });
  render(
    <Provider value={client}>
      <MemoryRouter initialEntries={[`/campaigns${search}`]}>
        <CampaignsScreen timeZone="UTC" />
        <Address />
      </MemoryRouter>
    </Provider>,
  );
  return client;
}

describe('CampaignsScreen', () => {
  it('lists the campaigns with their progress and the actions their status allows', async () => {
    open();
    const table = screen.getByRole('table', { name: 'Campaigns' });
    expect(
      within(table).getByRole('progressbar', { name: 'Progress of December promo' }),
    ).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Actions for December promo' }));
    expect(screen.getAllByRole('menuitem').map((item) => item.textContent)).toEqual([
      'Pause',
      'Clone',
      'Cancel campaign',
    ]);
    await userEvent.keyboard('{Escape}');
    await userEvent.click(
      screen.getByRole('button', { name: 'Actions for December promo (Copy)' }),
    );
    expect(screen.getAllByRole('menuitem').map((item) => item.textContent)).toEqual([
      'Start now',
      'Edit',
      'Clone',
      'Cancel campaign',
      'Delete',
    ]);
  });

  it('tags AI campaigns and says why one ended with leads left', () => {
    open();
    const rows = screen.getAllByRole('row').slice(1);
    const ai = rows.find((row) => row.textContent?.includes('Pool promo'));
    expect(within(ai!).getByTitle('AI campaign').textContent).toBe('AI campaign');
    expect(within(ai!).getByText('Completed, leads left')).toBeTruthy();
    expect(
      within(ai!).getByText('5 leads left for a later campaign: every device reached its limit.'),
    ).toBeTruthy();
    const broadcast = rows.find((row) => row.textContent?.includes('December promo (Copy)'));
    expect(within(broadcast!).queryByTitle('AI campaign')).toBeNull();
  });

  it('keeps the filters in the address', async () => {
    open('?status=RUNNING');
    expect(screen.getByLabelText<HTMLSelectElement>('Status').value).toBe('RUNNING');
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'PAUSED');
    expect(screen.getByLabelText('Address').textContent).toBe('?status=PAUSED');
    await userEvent.type(screen.getByLabelText('Search'), 'dec');
    await screen.findByText('?status=PAUSED&q=dec', {}, { timeout: 2000 });
    await userEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(screen.getByLabelText('Address').textContent).toBe('');
    expect(screen.getByLabelText<HTMLInputElement>('Search').value).toBe('');
  });
});
