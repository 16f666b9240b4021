import {
  Client,
  makeResult,
  type Exchange,
  type Operation,
  type OperationResult,
} from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { filter, fromValue, makeSubject, mergeMap, pipe, subscribe } from 'wonka';

import { graphql } from '@/gql';

import { batchExchange } from './batch-exchange';
import { isOutboxEventsOperation, latestOutboxEvents } from './outbox-cache';
import { cacheOptions } from './urql-cache';

const PageQuery = graphql(`
  query TestBatchedOutboxPage($first: Int) {
    outbox(first: $first) {
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
  subscription TestBatchedOutboxEvents {
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

const ROWS = 50;
const STATUSES = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ'] as const;

function setUp() {
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
                    totalCount: ROWS,
                    pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
                    nodes: Array.from({ length: ROWS }, (_, n) => ({
                      __typename: 'OutboxMessage',
                      id: String(n),
                      status: 'QUEUED',
                      lastError: null,
                      attempts: 0,
                      updatedAt: '2026-01-01T00:00:00Z',
                    })),
                  },
                },
              }),
            ),
      ),
    );
  const client = new Client({
    url: '/graphql',
    exchanges: [
      cacheExchange(cacheOptions),
      batchExchange({
        batches: isOutboxEventsOperation,
        merge: latestOutboxEvents,
        intervalMs: 250,
      }),
      server,
    ],
  });
  // The events let through, by the (fake) time they were let through: one entry per batch.
  const batches = new Map<number, string[]>();
  pipe(
    client.subscription(EventsSubscription, {}),
    subscribe((result) => {
      const event = (result.data as { outboxEvents: { id: string } }).outboxEvents;
      batches.set(Date.now(), [...(batches.get(Date.now()) ?? []), event.id]);
    }),
  );
  const renders: string[][] = [];
  pipe(
    client.query(PageQuery, { first: ROWS }),
    subscribe((result) => renders.push(result.data?.outbox.nodes.map((n) => n.status) ?? [])),
  );
  const deliver = (id: number, step: number) =>
    events.next({
      outboxEvents: {
        __typename: 'OutboxEvent',
        id: String(id),
        deviceId: 'd1',
        campaignId: null,
        status: STATUSES[step],
        lastError: null,
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString(),
      },
    });
  return { deliver, renders, batches };
}

describe('batchExchange', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a lone event on at once', async () => {
    const { deliver, renders } = setUp();
    await vi.advanceTimersByTimeAsync(0);
    const before = renders.length;
    deliver(0, 2);
    await vi.advanceTimersByTimeAsync(1);
    expect(renders.length).toBe(before + 1);
    expect(renders.at(-1)?.[0]).toBe('SENT');
  });

  it('turns a burst of hundreds of events into a few updates of the list', async () => {
    const { deliver, renders, batches } = setUp();
    await vi.advanceTimersByTimeAsync(0);
    const before = renders.length;

    // 4 steps for each of 50 rows: 200 events within 100 ms.
    for (let step = 1; step < STATUSES.length; step += 1) {
      for (let id = 0; id < ROWS; id += 1) deliver(id, step);
      await vi.advanceTimersByTimeAsync(25);
    }
    await vi.advanceTimersByTimeAsync(300);

    expect(renders.length - before).toBeLessThanOrEqual(2);
    expect(renders.at(-1)).toEqual(Array.from({ length: ROWS }, () => 'READ'));
    // Two batches (the first event at once, the rest after the interval), each with one event
    // per row.
    expect([...batches.values()].map((ids) => [ids.length, new Set(ids).size])).toEqual([
      [ROWS, ROWS],
      [ROWS, ROWS],
    ]);
  });
});
