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

function aiDevice(deviceId: string, deviceName: string, over: Record<string, unknown> = {}) {
  return {
    deviceId,
    deviceName,
    online: true,
    status: 'LIMIT_REACHED',
    dealt: 3,
    sent: 3,
    failed: 0,
    room: 0,
    reason: null,
    ...over,
  };
}

/** An AI campaign (the mock answers every query with it, the re-deal log's too). */
function aiCampaign(status: string, pausedReason: string | null) {
  const base = campaign(status, pausedReason);
  return {
    ...base,
    kind: 'AI',
    perDeviceLimit: 3,
    progress: {
      ...base.progress,
      aiDevices: [
        aiDevice('d1', 'Sales 1'),
        aiDevice('d2', 'Sales 2', {
          online: false,
          status: 'FAILED',
          dealt: 1,
          sent: 1,
          failed: 3,
          room: null,
          reason: '3 sends failed in a row',
        }),
        aiDevice('d3', 'Sales 3', { status: 'ACTIVE', dealt: 2, sent: 1, room: 1 }),
      ],
    },
    redeals: {
      total: 2,
      entries: [
        {
          leadId: 'l1',
          leadName: 'Ana',
          leadPhone: '+60123000001',
          fromDeviceId: 'd2',
          toDeviceId: 'd3',
          reason: '3 sends failed in a row',
          at: '2026-12-03T01:05:00Z',
        },
        {
          leadId: 'l2',
          leadName: null,
          leadPhone: '+60123000002',
          fromDeviceId: 'd2',
          toDeviceId: null,
          reason: 'device went offline',
          at: '2026-12-03T01:04:00Z',
        },
      ],
    },
  };
}

function open(status: string, pausedReason: string | null = null, ai = false) {
  const client = mockClient({
    query: {
      data: {
        campaign: ai ? aiCampaign(status, pausedReason) : campaign(status, pausedReason),
      },
    },
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

  it('shows an AI campaign’s devices live: status, reason, dealt, sent, failed and room', () => {
    open('RUNNING', null, true);
    const table = screen.getByRole('table', { name: 'Leads dealt per device' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      'Sales 1OnlineLimit reached3300',
      'Sales 2OfflineFailed3 sends failed in a row.113—',
      'Sales 3OnlineActive2101',
    ]);
    expect(screen.getByText(/at most 3 leads each/)).toBeTruthy();
    // The broadcast-style messages per device are still there, with the retry.
    expect(screen.getByRole('table', { name: 'Progress per device' })).toBeTruthy();
  });

  it('lists the re-deals with the devices’ names, in the user’s zone', async () => {
    open('RUNNING', null, true);
    const log = await screen.findByRole('list', { name: 'Re-deals' });
    const entries = within(log).getAllByRole('listitem');
    expect(entries).toHaveLength(2);
    expect(entries[0]?.textContent).toContain('Ana +60123000001');
    expect(entries[0]?.textContent).toContain('Sales 2 →to Sales 3');
    expect(entries[0]?.textContent).toContain('3 sends failed in a row.');
    expect(
      within(entries[0]!)
        .getByText(/Dec 3, 2026/)
        .getAttribute('dateTime'),
    ).toBe('2026-12-03T01:05:00Z');
    expect(entries[1]?.textContent).toContain('+60123000002');
    expect(entries[1]?.textContent).toContain('Sales 2 →to waiting in the pool');
    expect(entries[1]?.textContent).toContain('Device went offline.');
    expect(screen.getByText('2 leads taken back from a device and dealt again.')).toBeTruthy();
  });

  it.each([
    [
      'COMPLETED_WITH_PENDING',
      'Leads left:',
      '5 leads left for a later campaign: every device reached its limit.',
    ],
    ['FAILED', 'Failed:', 'No device was online when it started.'],
  ])('shows why an AI campaign ended %s', (status, heading, reason) => {
    open(status, reason, true);
    const banner = screen.getByText(heading).closest('[role="status"]');
    expect(banner?.textContent).toBe(`${heading} ${reason}`);
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
  });

  it('shows no AI sections for a broadcast', () => {
    open('RUNNING');
    expect(screen.queryByRole('table', { name: 'Leads dealt per device' })).toBeNull();
    expect(screen.queryByText('Re-deal log')).toBeNull();
  });
});
