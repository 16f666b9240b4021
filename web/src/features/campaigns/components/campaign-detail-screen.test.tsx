import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { Provider } from 'urql';
import { describe, expect, it } from 'vitest';

import { mockClient } from '@/testing/graphql';

import { CampaignDetailScreen } from './campaign-detail-screen';

const counts = (over: Record<string, number> = {}) => ({
  total: 10,
  pending: 0,
  queued: 4,
  sent: 5,
  delivered: 4,
  read: 2,
  failed: 1,
  skipped: 0,
  cancelled: 0,
  replied: 1,
  ...over,
});

function campaign(status: string, pausedReason: string | null) {
  return {
    id: 'c1',
    kind: 'BROADCAST',
    title: 'December promo',
    message: 'Hi {name|there}',
    hasImage: false,
    niches: ['promo'],
    targetStatus: 'ALL',
    deviceIds: [],
    scheduledAt: null,
    sendWindow: null,
    weekdays: [],
    minDelaySeconds: 10,
    maxDelaySeconds: 30,
    perDeviceLimit: null,
    status,
    pausedReason,
    startedAt: '2026-12-03T01:00:00Z',
    completedAt: null,
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    progress: {
      campaignId: 'c1',
      status,
      pausedReason,
      totals: counts({ total: 20, sent: 10, failed: 2 }),
      devices: [
        { deviceId: 'd1', deviceName: 'Sales 1', counts: counts() },
        { deviceId: 'd2', deviceName: 'Sales 2', counts: counts({ failed: 0 }) },
      ],
    },
    report: {
      totals: counts(),
      failures: [{ reason: 'not on WhatsApp', count: 2 }],
      deliveredRate: 0.8,
      readRate: 0.4,
      replyRate: 0.1,
    },
  };
}

function open(status: string, pausedReason: string | null = null) {
  const client = mockClient({
    query: { data: { campaign: campaign(status, pausedReason) } },
    mutation: { data: { retryFailed: 1 } },
  });
  render(
    <Provider value={client}>
      <MemoryRouter>
        <CampaignDetailScreen campaignId="c1" timeZone="UTC" />
      </MemoryRouter>
    </Provider>,
  );
  return client;
}

describe('CampaignDetailScreen', () => {
  it('shows why a campaign paused itself, and offers resume, not pause', () => {
    open('PAUSED', '20 of the last 50 sends failed');
    expect(screen.getByText('20 of the last 50 sends failed')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Edit' })).toBeTruthy();
  });

  it('shows the rates, the failures and the devices; a running campaign cannot be edited', () => {
    open('RUNNING');
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(within(screen.getByLabelText('Rates')).getByText('80%')).toBeTruthy();
    expect(
      within(screen.getByLabelText('Failure reasons')).getByText('not on WhatsApp'),
    ).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Progress per device' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
  });

  it('retries the failed messages of one device', async () => {
    const client = open('COMPLETED');
    await userEvent.click(screen.getByRole('button', { name: 'Retry failed on Sales 1' }));
    expect(screen.queryByRole('button', { name: 'Retry failed on Sales 2' })).toBeNull();
    expect(client.mutations.mock.calls[0]?.[0].variables).toEqual({
      campaignId: 'c1',
      deviceId: 'd1',
    });
    expect(await screen.findByText('1 failed message goes out again.')).toBeTruthy();
  });
});
