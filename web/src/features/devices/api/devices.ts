import { useQuery, useSubscription } from 'urql';

import { graphql } from '@/gql';
import type { DeviceStatus } from '@/gql/graphql';
import { useOnReconnected } from '@/lib/realtime';

/** How many devices one page (and each "Load more") brings. */
export const DEVICE_PAGE_SIZE = 50;

export const DeviceCardFragment = graphql(`
  fragment DeviceCard on Device {
    id
    name
    phone
    status
    statusReason
    bannedUntil
    lastSeenAt
    pairedAt
    createdAt
    minDelaySeconds
    maxDelaySeconds
    dailyCap
  }
`);

export const DevicesPageQuery = graphql(`
  query DevicesPage($first: Int!, $after: String, $status: DeviceStatus, $search: String) {
    devices(first: $first, after: $after, status: $status, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        ...DeviceCard
        # Read with the list only: device events come by the thousand while a fleet connects.
        unreadChats
      }
    }
  }
`);

export const DeviceEventsSubscription = graphql(`
  subscription DeviceEvents {
    deviceEvents {
      kind
      device {
        id
        ...DeviceCard
      }
    }
  }
`);

export type DeviceFilters = {
  /** Part of a name or phone number; '' for all. */
  search: string;
  status: DeviceStatus | null;
};

/** One page of the user's devices (newest first); `after` is the previous page's end cursor. */
export function useDevicesPage(filters: DeviceFilters, after: string | null) {
  const result = useQuery({
    query: DevicesPageQuery,
    variables: {
      first: DEVICE_PAGE_SIZE,
      after,
      status: filters.status,
      search: filters.search.trim() || null,
    },
    // Lists are kept live by the event subscription while shown; coming back to a filter
    // refreshes it, since devices may have changed status meanwhile.
    requestPolicy: 'cache-and-network',
  });
  // Events missed while the live connection was down: reload.
  const [, reexecute] = result;
  useOnReconnected(() => reexecute({ requestPolicy: 'network-only' }));
  return result;
}

/** Keeps every device in the cache up to date (status, settings, additions, deletions). */
export function useDeviceEvents() {
  useSubscription({ query: DeviceEventsSubscription });
}
