import {
  Client,
  makeResult,
  type Exchange,
  type Operation,
  type OperationResult,
} from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { describe, expect, it } from 'vitest';
import { filter, fromValue, makeSubject, mergeMap, pipe, subscribe } from 'wonka';

import { graphql } from '@/gql';

import {
  attemptStarted,
  isNewer,
  latestOutboxEvents,
  microsOf,
  type OutboxEventData,
} from './outbox-cache';
import { cacheOptions } from './urql-cache';

const PageQuery = graphql(`
  query TestOutboxPage($filter: OutboxFilterInput, $first: Int, $after: String) {
    outbox(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        status
        lastError
        attempts
        updatedAt
      }
    }
  }
`);

const EventsSubscription = graphql(`
  subscription TestOutboxEvents {
    outboxEvents {
      id
      deviceId
      campaignId
      status
      lastError
      at
    }
  }
`);

type Row = { id: string; status: string; lastError?: string | null; attempts?: number; at: string };

const node = ({ id, status, lastError = null, attempts = 0, at }: Row) => ({
  __typename: 'OutboxMessage' as const,
  id,
  status,
  lastError,
  attempts,
  updatedAt: at,
});

const variables = { filter: null, first: 50, after: null };

/** The real cache behind a client whose "server" answers `answer` and sends `events`. */
function setUp() {
  let answer: Row[] = [];
  const events = makeSubject<Record<string, unknown>>();
  const server: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation: Operation) => operation.kind !== 'teardown'),
      mergeMap((operation: Operation) =>
        operation.kind === 'subscription'
          ? pipe(
              events.source,
              mergeMap((data) => fromValue<OperationResult>(makeResult(operation, { data }))),
            )
          : fromValue(
              makeResult(operation, {
                data: {
                  outbox: {
                    __typename: 'OutboxMessageConnection',
                    totalCount: answer.length,
                    pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
                    nodes: answer.map(node),
                  },
                },
              }),
            ),
      ),
    );
  const client = new Client({ url: '/graphql', exchanges: [cacheExchange(cacheOptions), server] });
  pipe(
    client.subscription(EventsSubscription, {}),
    subscribe(() => undefined),
  );

  const load = async (rows: Row[]) => {
    answer = rows;
    await client.query(PageQuery, variables, { requestPolicy: 'network-only' }).toPromise();
  };
  const rows = () =>
    client.readQuery(PageQuery, variables)?.data?.outbox.nodes.map((n) => ({
      id: n.id,
      status: n.status,
      lastError: n.lastError,
      attempts: n.attempts,
    }));
  const deliver = (event: Partial<OutboxEventData> & Pick<OutboxEventData, 'id' | 'status'>) =>
    events.next({
      outboxEvents: {
        __typename: 'OutboxEvent',
        deviceId: 'd1',
        campaignId: null,
        lastError: null,
        at: '2026-01-01T00:00:10Z',
        ...event,
      },
    });
  return { load, rows, deliver };
}

describe('outbox rows in the cache', () => {
  it('follow their events in place: status, error and attempts', async () => {
    const { load, rows, deliver } = setUp();
    await load([
      { id: '2', status: 'QUEUED', at: '2026-01-01T00:00:01Z' },
      { id: '1', status: 'SENT', attempts: 1, at: '2026-01-01T00:00:01Z' },
    ]);

    deliver({ id: '2', status: 'SENDING', at: '2026-01-01T00:00:02Z' });
    expect(rows()?.[0]).toEqual({ id: '2', status: 'SENDING', lastError: null, attempts: 1 });

    deliver({
      id: '2',
      status: 'FAILED',
      lastError: 'send failed: recipient not on WhatsApp',
      at: '2026-01-01T00:00:03Z',
    });
    expect(rows()?.[0]).toEqual({
      id: '2',
      status: 'FAILED',
      lastError: 'send failed: recipient not on WhatsApp',
      attempts: 1,
    });

    // Retried, and the batch skipped SENDING: still one more attempt.
    deliver({ id: '2', status: 'SENT', at: '2026-01-01T00:00:05Z' });
    expect(rows()?.[0]).toEqual({ id: '2', status: 'SENT', lastError: null, attempts: 2 });

    // Receipts are no attempts.
    deliver({ id: '1', status: 'READ', at: '2026-01-01T00:00:06Z' });
    expect(rows()?.[1]).toEqual({ id: '1', status: 'READ', lastError: null, attempts: 1 });
  });

  it('never step back to an older state, whichever arrives last', async () => {
    const { load, rows, deliver } = setUp();
    await load([{ id: '5', status: 'QUEUED', at: '2026-01-01T00:00:01.000001Z' }]);

    deliver({ id: '5', status: 'SENT', at: '2026-01-01T00:00:01.000300Z' });
    // An event that was overtaken.
    deliver({ id: '5', status: 'SENDING', at: '2026-01-01T00:00:01.000200Z' });
    expect(rows()?.[0]?.status).toBe('SENT');

    // A page that was read before the send finished, answered after the event.
    await load([{ id: '5', status: 'SENDING', at: '2026-01-01T00:00:01.000200Z' }]);
    expect(rows()?.[0]?.status).toBe('SENT');

    // A newer answer wins over the event.
    await load([{ id: '5', status: 'DELIVERED', at: '2026-01-01T00:00:09Z' }]);
    expect(rows()?.[0]?.status).toBe('DELIVERED');
  });

  it('counts the attempt of a retry whose answer comes after its events', async () => {
    const { load, rows, deliver } = setUp();
    await load([{ id: '7', status: 'FAILED', attempts: 1, at: '2026-01-01T00:00:01Z' }]);
    deliver({ id: '7', status: 'SENDING', at: '2026-01-01T00:00:03Z' });
    deliver({ id: '7', status: 'SENT', at: '2026-01-01T00:00:04Z' });
    // The retry's answer: the row as it was put back in the queue.
    await load([{ id: '7', status: 'QUEUED', attempts: 1, at: '2026-01-01T00:00:02Z' }]);
    expect(rows()?.[0]).toEqual({ id: '7', status: 'SENT', lastError: null, attempts: 2 });
  });

  it('keeps events of rows not loaded yet for when they are', async () => {
    const { load, rows, deliver } = setUp();
    await load([]);
    deliver({ id: '9', status: 'SENT', at: '2026-01-01T00:00:04Z' });
    await load([{ id: '9', status: 'QUEUED', at: '2026-01-01T00:00:03Z' }]);
    expect(rows()?.[0]?.status).toBe('SENT');
  });
});

describe('ordering', () => {
  it('compares times to the microsecond', () => {
    expect(microsOf('2026-01-01T00:00:01.000002Z') - microsOf('2026-01-01T00:00:01.000001Z')).toBe(
      1,
    );
    expect(microsOf('2026-01-01T08:00:01+08:00')).toBe(microsOf('2026-01-01T00:00:01Z'));
    expect(microsOf('2026-01-01T00:00:01.0000019Z')).toBe(microsOf('2026-01-01T00:00:01.000001Z'));
    expect(microsOf('not a time')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('breaks ties by how far a row has come', () => {
    const at = '2026-01-01T00:00:01Z';
    expect(isNewer({ status: 'SENT', at }, { status: 'SENDING', at })).toBe(true);
    expect(isNewer({ status: 'SENDING', at }, { status: 'SENT', at })).toBe(false);
    expect(isNewer({ status: 'SENT', at }, { status: 'SENT', at })).toBe(false);
  });

  it('counts an attempt when a row leaves the queue', () => {
    expect(attemptStarted('QUEUED', 'SENDING')).toBe(true);
    expect(attemptStarted('QUEUED', 'SENT')).toBe(true);
    expect(attemptStarted('FAILED', 'SENT')).toBe(true);
    expect(attemptStarted('SENDING', 'SENT')).toBe(false);
    expect(attemptStarted('SENT', 'READ')).toBe(false);
    expect(attemptStarted('FAILED', 'FAILED')).toBe(false);
    expect(attemptStarted('FAILED', 'QUEUED')).toBe(false);
  });
});

describe('latestOutboxEvents', () => {
  const result = (id: string, status: string, at: string) =>
    ({ data: { outboxEvents: { id, status, at } } }) as unknown as OperationResult;

  it('keeps the newest event of each row', () => {
    const merged = latestOutboxEvents([
      result('1', 'QUEUED', '2026-01-01T00:00:01Z'),
      result('2', 'QUEUED', '2026-01-01T00:00:01Z'),
      result('1', 'SENDING', '2026-01-01T00:00:02Z'),
      result('1', 'SENT', '2026-01-01T00:00:03Z'),
      // Arrived late, older.
      result('2', 'PENDING', '2026-01-01T00:00:00Z'),
    ]);
    const events = merged.map(
      (r) => (r.data as { outboxEvents: { id: string; status: string } }).outboxEvents,
    );
    expect(events).toEqual([
      { id: '2', status: 'QUEUED', at: '2026-01-01T00:00:01Z' },
      { id: '1', status: 'SENT', at: '2026-01-01T00:00:03Z' },
    ]);
  });

  it('lets results without an event through', () => {
    const error = { data: undefined } as unknown as OperationResult;
    expect(latestOutboxEvents([error])).toEqual([error]);
  });
});
