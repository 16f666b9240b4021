import type { DeviceStatus } from '@/gql/graphql';

/** `Sales 1 · +60111111111` (the name alone while unpaired). */
export function deviceLabel(device: { name: string; phone?: string | null }): string {
  return device.phone ? `${device.name} · ${device.phone}` : device.name;
}

/** How the device select marks a device that is not online: `offline`, `logged out`, … */
export function deviceStatusWord(status: DeviceStatus): string | null {
  switch (status) {
    case 'ONLINE':
      return null;
    case 'PAIRING':
      return 'not paired';
    case 'RECONNECTING':
      return 'reconnecting';
    case 'LOGGED_OUT':
      return 'logged out';
    case 'BANNED':
      return 'banned';
    default:
      return 'offline';
  }
}

/**
 * What a device that is not online means for its inbox, in plain words (WhatsApp Web's yellow
 * "phone not connected" banner); null when it is online.
 */
export function deviceNotice(name: string, status: DeviceStatus): string | null {
  switch (status) {
    case 'ONLINE':
      return null;
    case 'PAIRING':
      return `${name} is not paired yet. Pair it on the Devices screen to see its chats.`;
    case 'RECONNECTING':
      return `${name} is reconnecting to WhatsApp. Replies wait in the outbox until it is back.`;
    case 'LOGGED_OUT':
      return `${name} was logged out of WhatsApp. Pair it again on the Devices screen to reply.`;
    case 'BANNED':
      return `${name} is banned by WhatsApp for now. Replies wait in the outbox until the ban ends.`;
    default:
      return `${name} is offline. Replies wait in the outbox and go out once it reconnects.`;
  }
}
