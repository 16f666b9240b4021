import type { MessageSource, OutboxFilterInput, OutboxStatus } from '@/gql/graphql';
import type { OutboxEventData } from '@/lib/outbox-cache';
import { isDay, nextDay, startOfDay } from '@/lib/time-zone';

import { isMessageSource, OUTBOX_STATUSES } from './status';

/** What the Outbox screen shows, as kept in its address (`?status=FAILED&device=…`). */
export type OutboxFilters = {
  deviceId: string | null;
  /** Any of these; empty for all. */
  statuses: OutboxStatus[];
  source: MessageSource | null;
  campaignId: string | null;
  /** First day shown (`YYYY-MM-DD`, in the user's time zone). */
  from: string | null;
  /** Last day shown, included. */
  to: string | null;
};

export const NO_FILTERS: OutboxFilters = {
  deviceId: null,
  statuses: [],
  source: null,
  campaignId: null,
  from: null,
  to: null,
};

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function idParam(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  return ID.test(trimmed) ? trimmed : null;
}

/** The filters a query string asks for; anything unknown or malformed is left out. */
export function filtersFromSearch(params: URLSearchParams): OutboxFilters {
  const wanted = new Set(
    params
      .getAll('status')
      .flatMap((value) => value.split(','))
      .map((value) => value.trim().toUpperCase()),
  );
  const statuses = OUTBOX_STATUSES.filter((status) => wanted.has(status));
  const source = params.get('source')?.trim().toUpperCase() ?? '';
  let from = params.get('from')?.trim() ?? null;
  let to = params.get('to')?.trim() ?? null;
  if (!isDay(from)) from = null;
  if (!isDay(to)) to = null;
  if (from && to && from > to) [from, to] = [to, from];
  return {
    deviceId: idParam(params.get('device')),
    statuses,
    source: isMessageSource(source) ? source : null,
    campaignId: idParam(params.get('campaign')),
    from,
    to,
  };
}

/** The query string for `filters`, in one fixed order so equal filters give equal links. */
export function filtersToSearch(filters: OutboxFilters): URLSearchParams {
  const params = new URLSearchParams();
  const statuses = OUTBOX_STATUSES.filter((status) => filters.statuses.includes(status));
  if (statuses.length > 0) params.set('status', statuses.join(','));
  if (filters.deviceId) params.set('device', filters.deviceId);
  if (filters.source) params.set('source', filters.source);
  if (filters.campaignId) params.set('campaign', filters.campaignId);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  return params;
}

export function isFiltered(filters: OutboxFilters): boolean {
  return filtersToSearch(filters).size > 0;
}

/** A stable key for the filters (to start the list over when they change). */
export function filtersKey(filters: OutboxFilters): string {
  return filtersToSearch(filters).toString();
}

/** The filters as the server takes them; days become instants in the user's time zone. */
export function serverFilter(filters: OutboxFilters, timeZone: string): OutboxFilterInput {
  const input: OutboxFilterInput = {};
  if (filters.deviceId) input.deviceId = filters.deviceId;
  if (filters.statuses.length > 0) {
    input.statuses = OUTBOX_STATUSES.filter((status) => filters.statuses.includes(status));
  }
  if (filters.source) input.source = filters.source;
  if (filters.campaignId) input.campaignId = filters.campaignId;
  if (filters.from) input.from = startOfDay(filters.from, timeZone);
  // "To" includes its whole day: the server's `to` is exclusive.
  if (filters.to) input.to = startOfDay(nextDay(filters.to), timeZone);
  return input;
}

/** `statuses` with `status` added, or taken out when it is in already. */
export function toggleStatus(statuses: readonly OutboxStatus[], status: OutboxStatus) {
  return statuses.includes(status)
    ? statuses.filter((s) => s !== status)
    : OUTBOX_STATUSES.filter((s) => s === status || statuses.includes(s));
}

/** Orders numeric ids (`"10" > "9"`); outbox ids grow with each new message. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether the row behind `event` is newer than everything on screen and belongs in this view,
 * as far as an event can tell (it names no source or creation time: a source filter is checked
 * through the campaign, and days through the time of the change). When unsure: no, rather
 * than announcing a message that is not there.
 */
export function eventJoinsView(
  event: Pick<OutboxEventData, 'id' | 'deviceId' | 'campaignId' | 'status' | 'at'>,
  filters: OutboxFilters,
  timeZone: string,
  newestId: string | null,
): boolean {
  if (newestId !== null && compareIds(event.id, newestId) <= 0) return false;
  if (filters.deviceId && event.deviceId !== filters.deviceId) return false;
  if (filters.statuses.length > 0 && !filters.statuses.includes(event.status)) return false;
  if (filters.campaignId && event.campaignId !== filters.campaignId) return false;
  if (filters.source === 'INBOX' && event.campaignId) return false;
  if ((filters.source === 'CAMPAIGN' || filters.source === 'AI_CAMPAIGN') && !event.campaignId) {
    return false;
  }
  const at = Date.parse(event.at);
  const { from, to } = serverFilter(
    { ...NO_FILTERS, from: filters.from, to: filters.to },
    timeZone,
  );
  if (from && at < Date.parse(from)) return false;
  // Created at or before the change: before the end of the range only if the change is.
  if (to && at >= Date.parse(to)) return false;
  return true;
}
