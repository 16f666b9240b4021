import type { Operation, OperationResult } from '@urql/core';
import type { Cache, Resolver } from '@urql/exchange-graphcache';
import { Kind } from 'graphql';

import { graphql } from '@/gql';
import type { OutboxStatus } from '@/gql/graphql';

/**
 * How `outboxEvents` reach the cached outbox rows. An event carries a row's new status (and
 * error) and when it changed (`at`, the row's `updatedAt`). Events are written into the row, so
 * every list showing it follows. Answers to queries can be older than an event that came in
 * meanwhile (a page asked for just before a send finished); the newest state wins, whichever
 * arrived last, so a row never steps back from SENT to SENDING on screen.
 */

export type OutboxEventData = {
  id: string;
  deviceId: string;
  campaignId?: string | null;
  status: OutboxStatus;
  lastError?: string | null;
  at: string;
};

/** A row's state at one moment. */
type Moment = { status: string; at: string };

const LiveStatusFragment = graphql(`
  fragment LiveOutboxStatus on OutboxMessage {
    id
    status
    lastError
    updatedAt
  }
`);

const LiveAttemptsFragment = graphql(`
  fragment LiveOutboxAttempts on OutboxMessage {
    id
    attempts
  }
`);

// The order a row moves in; breaks ties between changes within the same microsecond.
const progress: Record<string, number> = {
  PENDING: 0,
  QUEUED: 1,
  SENDING: 2,
  SENT: 3,
  FAILED: 3,
  SKIPPED: 3,
  CANCELLED: 3,
  DELIVERED: 4,
  READ: 5,
};

/** An ISO time in microseconds (the server's precision; `Date` keeps only milliseconds). */
export function microsOf(iso: string): number {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return Number.NEGATIVE_INFINITY;
  const fraction = /T[^.]*\.(\d+)/.exec(iso)?.[1] ?? '';
  return Math.floor(millis / 1000) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** Whether `a` is a later state of a row than `b`. */
export function isNewer(a: Moment, b: Moment): boolean {
  const [at, bt] = [microsOf(a.at), microsOf(b.at)];
  if (at !== bt) return at > bt;
  return (progress[a.status] ?? 0) > (progress[b.status] ?? 0);
}

/**
 * Whether moving from `from` to `to` means a send was attempted (the server counts an attempt
 * when it claims a row: QUEUED → SENDING). Batched events may skip SENDING (QUEUED → SENT).
 */
export function attemptStarted(from: string, to: string): boolean {
  if (from === to) return false;
  return (
    ['SENDING', 'SENT', 'FAILED'].includes(to) && ['PENDING', 'QUEUED', 'FAILED'].includes(from)
  );
}

// The latest event of each row seen lately, per cache (one cache per logged-in user).
const MAX_REMEMBERED = 10_000;
const latestByCache = new WeakMap<object, Map<string, OutboxEventData>>();

function latestEvents(cache: Cache): Map<string, OutboxEventData> {
  let latest = latestByCache.get(cache);
  if (!latest) {
    latest = new Map();
    latestByCache.set(cache, latest);
  }
  return latest;
}

/** Keeps `event` if it is the newest of its row; false when a newer one is known already. */
function remember(cache: Cache, event: OutboxEventData): boolean {
  const latest = latestEvents(cache);
  const known = latest.get(event.id);
  if (known && !isNewer(event, known)) return false;
  latest.delete(event.id);
  latest.set(event.id, event);
  if (latest.size > MAX_REMEMBERED) {
    const oldest = latest.keys().next().value;
    if (oldest !== undefined) latest.delete(oldest);
  }
  return true;
}

/** What one `outboxEvents` message changes in the cache. */
export function applyOutboxEvent(cache: Cache, event: OutboxEventData | null | undefined) {
  if (!event?.id || !event.status || !event.at) return;
  if (!remember(cache, event)) return;
  const key = cache.keyOfEntity({ __typename: 'OutboxMessage', id: event.id });
  if (!key) return;
  const status = cache.resolve(key, 'status');
  // A row no list has loaded yet: the event waits in memory for when one does.
  if (typeof status !== 'string') return;
  const updatedAt = cache.resolve(key, 'updatedAt');
  if (typeof updatedAt === 'string' && !isNewer(event, { status, at: updatedAt })) return;

  // Graphcache needs each object's __typename, which the generated types leave out.
  const live = {
    __typename: 'OutboxMessage',
    id: event.id,
    status: event.status,
    lastError: event.lastError ?? null,
    updatedAt: event.at,
  };
  cache.writeFragment(LiveStatusFragment, live);
  const attempts = cache.resolve(key, 'attempts');
  if (typeof attempts === 'number' && attemptStarted(status, event.status)) {
    const counted = { __typename: 'OutboxMessage', id: event.id, attempts: attempts + 1 };
    cache.writeFragment(LiveAttemptsFragment, counted);
  }
}

/**
 * Reads `status`, `lastError` or `attempts` of a row: as stored, unless an event newer than the
 * stored row came in (the stored row was then written by an answer already out of date, such as
 * a retry's answer arriving after the events of the send it started).
 */
function liveField(field: 'status' | 'lastError' | 'attempts'): Resolver {
  return (parent, _args, cache, info) => {
    const stored = parent[field];
    if (stored === undefined) return undefined;
    const id = cache.resolve(info.parentKey, 'id');
    const event = typeof id === 'string' ? latestEvents(cache).get(id) : undefined;
    if (!event) return stored;
    const status = cache.resolve(info.parentKey, 'status');
    const updatedAt = cache.resolve(info.parentKey, 'updatedAt');
    if (typeof status !== 'string' || typeof updatedAt !== 'string') return stored;
    if (!isNewer(event, { status, at: updatedAt })) return stored;
    switch (field) {
      case 'status':
        return event.status;
      case 'lastError':
        return event.lastError ?? null;
      case 'attempts':
        return typeof stored === 'number' && attemptStarted(status, event.status)
          ? stored + 1
          : stored;
    }
  };
}

export const outboxResolvers = {
  OutboxMessage: {
    status: liveField('status'),
    lastError: liveField('lastError'),
    attempts: liveField('attempts'),
  },
};

/** Whether `operation` is a subscription to `outboxEvents`. */
export function isOutboxEventsOperation(operation: Operation): boolean {
  if (operation.kind !== 'subscription') return false;
  return operation.query.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.selectionSet.selections.some(
        (selection) => selection.kind === Kind.FIELD && selection.name.value === 'outboxEvents',
      ),
  );
}

function eventOf(result: OperationResult): OutboxEventData | null {
  const data = result.data as { outboxEvents?: OutboxEventData } | null | undefined;
  return data?.outboxEvents ?? null;
}

/**
 * One batch of `outboxEvents` results, with only the newest event of each row (a burst of
 * QUEUED → SENDING → SENT becomes one SENT). Results without an event pass as they are.
 */
export function latestOutboxEvents(results: readonly OperationResult[]): OperationResult[] {
  const kept = new Map<string, OperationResult>();
  const others: OperationResult[] = [];
  for (const result of results) {
    const event = eventOf(result);
    if (!event) {
      others.push(result);
      continue;
    }
    const known = kept.get(event.id);
    const knownEvent = known ? eventOf(known) : null;
    if (knownEvent && isNewer(knownEvent, event)) continue;
    kept.delete(event.id);
    kept.set(event.id, result);
  }
  return [...others, ...kept.values()];
}
