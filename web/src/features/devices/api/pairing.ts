import { useMutation, useQuery, useSubscription } from 'urql';

import { graphql } from '@/gql';

export const PairingDeviceFragment = graphql(`
  fragment PairingDevice on Device {
    id
    name
    phone
    status
    statusReason
    qrExpired
    bannedUntil
    qrCode {
      code
      expiresAt
    }
  }
`);

export const PairingDeviceQuery = graphql(`
  query PairingDevice($id: ID!) {
    device(id: $id) {
      id
      ...PairingDevice
    }
  }
`);

export const PairingEventsSubscription = graphql(`
  subscription PairingEvents($deviceId: ID!) {
    deviceEvents(deviceId: $deviceId) {
      kind
      message
      qrCode {
        code
        expiresAt
      }
      device {
        id
        ...DeviceCard
        ...PairingDevice
      }
    }
  }
`);

export const AddDeviceMutation = graphql(`
  mutation AddDevice($input: AddDeviceInput!) {
    addDevice(input: $input) {
      id
      ...DeviceCard
    }
  }
`);

export const RequestPairingCodeMutation = graphql(`
  mutation RequestPairingCode($deviceId: ID!, $phone: String!) {
    requestPairingCode(deviceId: $deviceId, phone: $phone) {
      code
      expiresAt
    }
  }
`);

/** The device being paired, with its current QR code. */
export function usePairingDevice(id: string) {
  return useQuery({
    query: PairingDeviceQuery,
    variables: { id },
    requestPolicy: 'cache-and-network',
  });
}

type PairingEvent = { kind: string; message?: string | null };

/**
 * Follows one device while it pairs. New QR codes and status changes land in the cache; the
 * latest error message (if any since the last QR code) is returned.
 */
export function usePairingEvents(deviceId: string) {
  const [{ data }] = useSubscription(
    { query: PairingEventsSubscription, variables: { deviceId } },
    (previous: string | null = null, event: { deviceEvents: PairingEvent }) => {
      const { kind, message } = event.deviceEvents;
      if (kind === 'ERROR') return message ?? null;
      if (kind === 'QR_CODE' || kind === 'PAIRING_CODE') return null;
      return previous;
    },
  );
  return { lastError: data ?? null };
}

export function useAddDevice() {
  return useMutation(AddDeviceMutation);
}

export function useRequestPairingCode() {
  return useMutation(RequestPairingCodeMutation);
}
