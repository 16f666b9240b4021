import { useQuery, useSubscription } from 'urql';

import { graphql } from '@/gql';
import { useOnReconnected } from '@/lib/realtime';

/** How many devices the device select lists. */
export const INBOX_DEVICES_SIZE = 50;

export const InboxDevicesQuery = graphql(`
  query InboxDevices($first: Int!, $after: String, $status: DeviceStatus, $search: String) {
    devices(first: $first, after: $after, status: $status, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        phone
        status
        createdAt
      }
    }
  }
`);

export const InboxDeviceEventsSubscription = graphql(`
  subscription InboxDeviceEvents($deviceId: ID) {
    deviceEvents(deviceId: $deviceId) {
      kind
      device {
        id
        name
        phone
        status
        createdAt
      }
    }
  }
`);

/**
 * The newest devices. The arguments are those of the Devices screen's first page, so both read
 * (and keep up to date) one cached list.
 */
export function useInboxDevices() {
  const result = useQuery({
    query: InboxDevicesQuery,
    variables: { first: INBOX_DEVICES_SIZE, after: null, status: null, search: null },
    requestPolicy: 'cache-and-network',
  });
  const [, reexecute] = result;
  useOnReconnected(() => reexecute({ requestPolicy: 'network-only' }));
  return result;
}

/** Keeps the device's status live (online, reconnecting, logged out…). */
export function useInboxDeviceEvents(deviceId: string) {
  useSubscription({ query: InboxDeviceEventsSubscription, variables: { deviceId } });
}
