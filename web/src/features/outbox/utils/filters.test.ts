import { describe, expect, it } from 'vitest';

import {
  compareIds,
  eventJoinsView,
  filtersFromSearch,
  filtersToSearch,
  isFiltered,
  NO_FILTERS,
  serverFilter,
  toggleStatus,
  type OutboxFilters,
} from './filters';

const parse = (query: string) => filtersFromSearch(new URLSearchParams(query));
const DEVICE = '0b6e8a4c-1d2e-4f3a-9b8c-7d6e5f4a3b2c';

describe('filters in the address', () => {
  it('round-trips every filter', () => {
    const filters: OutboxFilters = {
      deviceId: DEVICE,
      statuses: ['SENT', 'FAILED'],
      source: 'CAMPAIGN',
      campaignId: 'c1',
      from: '2026-01-01',
      to: '2026-01-31',
    };
    const query = filtersToSearch(filters).toString();
    expect(query).toBe(
      `status=SENT%2CFAILED&device=${DEVICE}&source=CAMPAIGN&campaign=c1&from=2026-01-01&to=2026-01-31`,
    );
    expect(parse(query)).toEqual(filters);
  });

  it('is empty without filters', () => {
    expect(filtersToSearch(NO_FILTERS).toString()).toBe('');
    expect(parse('')).toEqual(NO_FILTERS);
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, statuses: ['READ'] })).toBe(true);
  });

  it('reads statuses in any case and form, in one order, each once', () => {
    expect(parse('status=failed,Sent&status=SENT').statuses).toEqual(['SENT', 'FAILED']);
  });

  it('leaves out what it does not know', () => {
    expect(
      parse('status=LOST,SENT&source=FAX&device=a%20b&from=2026-02-30&to=tomorrow&x=1'),
    ).toEqual({ ...NO_FILTERS, statuses: ['SENT'] });
  });

  it('puts days the right way round', () => {
    expect(parse('from=2026-03-01&to=2026-01-01')).toMatchObject({
      from: '2026-01-01',
      to: '2026-03-01',
    });
  });

  it('toggles a status in and out, keeping the order', () => {
    expect(toggleStatus(['FAILED'], 'SENT')).toEqual(['SENT', 'FAILED']);
    expect(toggleStatus(['SENT', 'FAILED'], 'SENT')).toEqual(['FAILED']);
  });
});

describe('serverFilter', () => {
  it('turns days into the user’s midnights, the last day included', () => {
    expect(
      serverFilter(
        { ...NO_FILTERS, from: '2026-01-05', to: '2026-01-05', statuses: ['READ', 'SENT'] },
        'Asia/Kuala_Lumpur',
      ),
    ).toEqual({
      statuses: ['SENT', 'READ'],
      from: '2026-01-04T16:00:00.000Z',
      to: '2026-01-05T16:00:00.000Z',
    });
  });

  it('sends only what is set', () => {
    expect(serverFilter(NO_FILTERS, 'UTC')).toEqual({});
    expect(serverFilter({ ...NO_FILTERS, deviceId: DEVICE, source: 'INBOX' }, 'UTC')).toEqual({
      deviceId: DEVICE,
      source: 'INBOX',
    });
  });
});

describe('compareIds', () => {
  it('orders numeric ids by value', () => {
    expect(compareIds('10', '9')).toBeGreaterThan(0);
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('42', '42')).toBe(0);
    expect(compareIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
  });
});

describe('eventJoinsView', () => {
  const event = {
    id: '12',
    deviceId: DEVICE,
    campaignId: null,
    status: 'QUEUED' as const,
    at: '2026-01-05T10:00:00Z',
  };

  it('takes a message newer than the list that matches', () => {
    expect(eventJoinsView(event, NO_FILTERS, 'UTC', '11')).toBe(true);
    expect(eventJoinsView(event, NO_FILTERS, 'UTC', null)).toBe(true);
  });

  it('leaves out messages the list has or is older than', () => {
    expect(eventJoinsView(event, NO_FILTERS, 'UTC', '12')).toBe(false);
    expect(eventJoinsView(event, NO_FILTERS, 'UTC', '100')).toBe(false);
  });

  it('checks the device, the statuses and the campaign', () => {
    expect(eventJoinsView(event, { ...NO_FILTERS, deviceId: 'other' }, 'UTC', '1')).toBe(false);
    expect(eventJoinsView(event, { ...NO_FILTERS, statuses: ['FAILED'] }, 'UTC', '1')).toBe(false);
    expect(eventJoinsView(event, { ...NO_FILTERS, statuses: ['QUEUED'] }, 'UTC', '1')).toBe(true);
    expect(eventJoinsView(event, { ...NO_FILTERS, campaignId: 'c1' }, 'UTC', '1')).toBe(false);
  });

  it('tells the source by the campaign where it can', () => {
    const campaign = { ...event, campaignId: 'c1' };
    expect(eventJoinsView(campaign, { ...NO_FILTERS, source: 'INBOX' }, 'UTC', '1')).toBe(false);
    expect(eventJoinsView(event, { ...NO_FILTERS, source: 'CAMPAIGN' }, 'UTC', '1')).toBe(false);
    expect(eventJoinsView(campaign, { ...NO_FILTERS, source: 'CAMPAIGN' }, 'UTC', '1')).toBe(true);
  });

  it('checks the days in the user’s time zone', () => {
    // 10:00 UTC is 18:00 on the 5th in Kuala Lumpur.
    const zone = 'Asia/Kuala_Lumpur';
    expect(eventJoinsView(event, { ...NO_FILTERS, to: '2026-01-05' }, zone, '1')).toBe(true);
    expect(eventJoinsView(event, { ...NO_FILTERS, to: '2026-01-04' }, zone, '1')).toBe(false);
    expect(eventJoinsView(event, { ...NO_FILTERS, from: '2026-01-06' }, zone, '1')).toBe(false);
  });
});
