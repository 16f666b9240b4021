import { graphql } from '@/gql';
import type { DeviceStatus } from '@/gql/graphql';

/**
 * What every device picker, device list cache and inbox header needs of a device, written once.
 * `createdAt` places a device in the newest-first lists.
 */
export const DeviceSummaryFragment = graphql(`
  fragment DeviceSummary on Device {
    id
    name
    phone
    status
    createdAt
  }
`);

/** A status in one or two words, the same on every screen (cards, pickers, the inbox). */
export const DEVICE_STATUS_LABELS: Record<DeviceStatus, string> = {
  PAIRING: 'Pairing',
  ONLINE: 'Online',
  RECONNECTING: 'Reconnecting',
  OFFLINE: 'Offline',
  LOGGED_OUT: 'Logged out',
  BANNED: 'Banned',
  FAILED: 'Failed',
};

/** `Sales 1 · +60111111111` (the name alone while unpaired). */
export function deviceLabel(device: { name: string; phone?: string | null }): string {
  return device.phone ? `${device.name} · ${device.phone}` : device.name;
}
