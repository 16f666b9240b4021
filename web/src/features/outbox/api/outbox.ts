import { useEffect, useMemo, useRef } from 'react';
import { useClient, useQuery } from 'urql';
import { pipe, subscribe } from 'wonka';

import { graphql } from '@/gql';
import type { OutboxFilterInput, OutboxStatus } from '@/gql/graphql';
import type { OutboxEventData } from '@/lib/outbox-cache';

import { OUTBOX_STATUSES } from '../utils/status';

/** How many messages one page (and each "Load more") brings. */
export const OUTBOX_PAGE_SIZE = 50;

export const OutboxRowFragment = graphql(`
  fragment OutboxRow on OutboxMessage {
    id
    deviceId
    device {
      id
      name
      phone
    }
    recipientPhone
    recipientName
    text
    hasImage
    caption
    source
    campaignId
    status
    attempts
    lastError
    scheduledAt
    createdAt
    updatedAt
  }
`);

export const OutboxPageQuery = graphql(`
  query OutboxPage($filter: OutboxFilterInput, $first: Int!, $after: String) {
    outbox(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        ...OutboxRow
      }
    }
  }
`);

export const OutboxSummaryQuery = graphql(`
  query OutboxSummary(
    $all: OutboxFilterInput!
    $pending: OutboxFilterInput!
    $queued: OutboxFilterInput!
    $sending: OutboxFilterInput!
    $sent: OutboxFilterInput!
    $delivered: OutboxFilterInput!
    $read: OutboxFilterInput!
    $failed: OutboxFilterInput!
    $skipped: OutboxFilterInput!
    $cancelled: OutboxFilterInput!
  ) {
    all: outbox(filter: $all, first: 0) {
      totalCount
    }
    pending: outbox(filter: $pending, first: 0) {
      totalCount
    }
    queued: outbox(filter: $queued, first: 0) {
      totalCount
    }
    sending: outbox(filter: $sending, first: 0) {
      totalCount
    }
    sent: outbox(filter: $sent, first: 0) {
      totalCount
    }
    delivered: outbox(filter: $delivered, first: 0) {
      totalCount
    }
    read: outbox(filter: $read, first: 0) {
      totalCount
    }
    failed: outbox(filter: $failed, first: 0) {
      totalCount
    }
    skipped: outbox(filter: $skipped, first: 0) {
      totalCount
    }
    cancelled: outbox(filter: $cancelled, first: 0) {
      totalCount
    }
  }
`);

export const OutboxEventsSubscription = graphql(`
  subscription OutboxEvents {
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

/** One page of the outbox (newest first); `after` is the previous page's end cursor. */
export function useOutboxPage(filter: OutboxFilterInput, after: string | null) {
  return useQuery({
    query: OutboxPageQuery,
    variables: { filter, first: OUTBOX_PAGE_SIZE, after },
    // Rows are kept live by the event subscription while shown; coming back to a view
    // refreshes it, since messages moved on meanwhile.
    requestPolicy: 'cache-and-network',
  });
}

export type StatusCounts = { all: number } & Record<OutboxStatus, number>;

type SummaryAlias =
  | 'pending'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'skipped'
  | 'cancelled';

const aliases: Record<OutboxStatus, SummaryAlias> = {
  PENDING: 'pending',
  QUEUED: 'queued',
  SENDING: 'sending',
  SENT: 'sent',
  DELIVERED: 'delivered',
  READ: 'read',
  FAILED: 'failed',
  SKIPPED: 'skipped',
  CANCELLED: 'cancelled',
};

/**
 * How many messages of the view (its filters but any status) are in each status, counted by
 * the server. Call `refresh` after changes; it asks again at most every few seconds.
 */
export function useOutboxSummary(base: Omit<OutboxFilterInput, 'statuses'>) {
  const variables = useMemo(() => {
    const perStatus = Object.fromEntries(
      OUTBOX_STATUSES.map((status) => [aliases[status], { ...base, statuses: [status] }]),
    ) as Record<SummaryAlias, OutboxFilterInput>;
    return { all: base, ...perStatus };
  }, [base]);
  const [{ data, error }, reexecute] = useQuery({
    query: OutboxSummaryQuery,
    variables,
    requestPolicy: 'cache-and-network',
  });
  const counts = useMemo<StatusCounts | null>(() => {
    if (!data) return null;
    const byStatus = Object.fromEntries(
      OUTBOX_STATUSES.map((status) => [status, data[aliases[status]].totalCount]),
    ) as Record<OutboxStatus, number>;
    return { all: data.all.totalCount, ...byStatus };
  }, [data]);
  const refresh = useThrottled(() => reexecute({ requestPolicy: 'network-only' }), 3000);
  return { counts, error, refresh };
}

/** How long after subscribing the view is read again, for changes made before it was live. */
export const SETTLE_MS = 1500;

/**
 * Follows every status change of the user's outbox while mounted. The cache updates the rows;
 * `onEvents` hears about each batch of events too (once per batch, after the cache has it).
 * `onSettled` runs once, a moment after subscribing: changes between the first answers and the
 * subscription taking effect on the server are never sent as events, so the view is read again.
 */
export function useOutboxEvents(
  onEvents: (events: OutboxEventData[]) => void,
  onSettled?: () => void,
) {
  const client = useClient();
  const latest = useRef({ onEvents, onSettled });
  useEffect(() => {
    latest.current = { onEvents, onSettled };
  });
  useEffect(() => {
    const settled = setTimeout(() => latest.current.onSettled?.(), SETTLE_MS);
    let pending: OutboxEventData[] = [];
    const subscription = pipe(
      client.subscription(OutboxEventsSubscription, {}),
      subscribe((result) => {
        const event = result.data?.outboxEvents;
        if (!event) return;
        pending.push(event);
        // A batch arrives in one go: hand it over whole.
        if (pending.length === 1) {
          queueMicrotask(() => {
            const batch = pending;
            pending = [];
            latest.current.onEvents(batch);
          });
        }
      }),
    );
    return () => {
      clearTimeout(settled);
      subscription.unsubscribe();
    };
  }, [client]);
}

/**
 * `callback`, called at most once per `intervalMs`: the first call runs at once, later ones
 * within the interval run once at its end.
 */
export function useThrottled(callback: () => void, intervalMs: number): () => void {
  const latest = useRef(callback);
  const state = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | undefined }>({
    last: Number.NEGATIVE_INFINITY,
    timer: undefined,
  });
  useEffect(() => {
    latest.current = callback;
  });
  useEffect(() => {
    const current = state.current;
    return () => clearTimeout(current.timer);
  }, []);
  return useMemo(
    () => () => {
      const current = state.current;
      if (current.timer !== undefined) return;
      const wait = current.last + intervalMs - Date.now();
      const run = () => {
        current.timer = undefined;
        current.last = Date.now();
        latest.current();
      };
      if (wait <= 0) run();
      else current.timer = setTimeout(run, wait);
    },
    [intervalMs],
  );
}
