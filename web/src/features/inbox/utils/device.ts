import type { DeviceStatus } from '@/gql/graphql';

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
    case 'FAILED':
      return `${name} stopped trying to connect after repeated failures. Reconnect it on the Devices screen; replies wait in the outbox.`;
    default:
      return `${name} is offline. Replies wait in the outbox and go out once it reconnects.`;
  }
}
