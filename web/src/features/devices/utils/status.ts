import type { BadgeTone } from '@/components/ui/badge';
import type { DeviceStatus } from '@/gql/graphql';
import { DEVICE_STATUS_LABELS } from '@/lib/device-summary';
import { asSentence, formatDateTime } from '@/lib/format';

export { asSentence };

/** Every status, in the order a device usually goes through them. */
export const DEVICE_STATUSES: readonly DeviceStatus[] = [
  'PAIRING',
  'ONLINE',
  'RECONNECTING',
  'OFFLINE',
  'LOGGED_OUT',
  'BANNED',
  'FAILED',
];

const tones: Record<DeviceStatus, BadgeTone> = {
  PAIRING: 'info',
  ONLINE: 'success',
  RECONNECTING: 'warning',
  OFFLINE: 'neutral',
  LOGGED_OUT: 'neutral',
  BANNED: 'danger',
  FAILED: 'danger',
};

export function statusLabel(status: DeviceStatus): string {
  return DEVICE_STATUS_LABELS[status] ?? status;
}

export function statusTone(status: DeviceStatus): BadgeTone {
  return tones[status] ?? 'neutral';
}

export type StatusNote = { text: string; tone: 'neutral' | 'warning' | 'danger' };

export type StatusFacts = {
  status: DeviceStatus;
  statusReason?: string | null;
  bannedUntil?: string | null;
};

/** Why a device is in its status, in plain words; null when there is nothing to add. */
export function statusNote(device: StatusFacts, timeZone?: string): StatusNote | null {
  const reason = asSentence(device.statusReason);
  switch (device.status) {
    case 'ONLINE':
      return null;
    case 'PAIRING':
      return reason ? { text: reason, tone: 'warning' } : null;
    case 'RECONNECTING':
      return {
        text:
          reason && device.statusReason !== 'connecting'
            ? `${reason} Reconnecting…`
            : 'Connecting to WhatsApp…',
        tone: 'warning',
      };
    case 'OFFLINE':
      return { text: reason ?? 'Not connected right now.', tone: 'neutral' };
    case 'LOGGED_OUT':
      return {
        text: `${reason ?? 'Unlinked from the phone.'} Pair it again to use it.`,
        tone: 'neutral',
      };
    case 'BANNED': {
      const until = formatDateTime(device.bannedUntil, timeZone);
      const paused = until
        ? `Banned until ${until}; sends are paused.`
        : 'Banned; sends are paused.';
      return { text: reason ? `${paused} ${reason}` : paused, tone: 'danger' };
    }
    case 'FAILED':
      return {
        text: `${reason ?? 'Stopped trying after too many failed attempts.'} Reconnect to try again.`,
        tone: 'danger',
      };
    default:
      return reason ? { text: reason, tone: 'neutral' } : null;
  }
}
