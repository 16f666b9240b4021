import { useQuery, useSubscription } from 'urql';

import { getFragmentData, graphql } from '@/gql';
import { DeviceSummaryFragment } from '@/lib/device-summary';
import { useOnReconnected } from '@/lib/realtime';

export const InboxDeviceQuery = graphql(`
  query InboxDevice($id: ID!) {
    device(id: $id) {
      id
      ...DeviceSummary
    }
  }
`);

export const InboxDeviceChoicesQuery = graphql(`
  query InboxDeviceChoices($first: Int!, $status: DeviceStatus) {
    devices(first: $first, status: $status) {
      nodes {
        id
        ...DeviceSummary
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
        ...DeviceSummary
      }
    }
  }
`);

/** The device whose inbox is open (null while loading, and when it is not the user's). */
export function useInboxDevice(id: string | null) {
  const [result, reexecute] = useQuery({
    query: InboxDeviceQuery,
    variables: { id: id ?? '' },
    pause: !id,
  });
  useOnReconnected(() => reexecute({ requestPolicy: 'network-only' }));
  const device = result.data?.device
    ? getFragmentData(DeviceSummaryFragment, result.data.device)
    : null;
  return { device, loaded: !!result.data, error: result.error };
}

/** The newest online devices, and the newest of any status: where the Inbox entry may go. */
export function useInboxDeviceChoices() {
  const [online] = useQuery({
    query: InboxDeviceChoicesQuery,
    variables: { first: 1, status: 'ONLINE' },
    requestPolicy: 'network-only',
  });
  const [newest] = useQuery({
    query: InboxDeviceChoicesQuery,
    variables: { first: 20, status: null },
    requestPolicy: 'network-only',
  });
  const loaded = !!online.data && !!newest.data;
  const devices = loaded
    ? getFragmentData(DeviceSummaryFragment, [
        ...(online.data?.devices.nodes ?? []),
        ...(newest.data?.devices.nodes ?? []),
      ])
    : [];
  return { devices, loaded, error: online.error ?? newest.error };
}

/** Keeps the device's status live (online, reconnecting, logged out…). */
export function useInboxDeviceEvents(deviceId: string) {
  useSubscription({ query: InboxDeviceEventsSubscription, variables: { deviceId } });
}
