import type { BadgeTone } from '@/components/ui/badge';
import type { MessageSource, OutboxStatus } from '@/gql/graphql';
import { asSentence, formatDateTime } from '@/lib/format';

/** Every status, in the order a message goes through them. */
export const OUTBOX_STATUSES: readonly OutboxStatus[] = [
  'PENDING',
  'QUEUED',
  'SENDING',
  'SENT',
  'DELIVERED',
  'READ',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
];

/** The statuses offered as filters even when no message has them. */
export const EVERYDAY_STATUSES: readonly OutboxStatus[] = [
  'QUEUED',
  'SENDING',
  'SENT',
  'DELIVERED',
  'READ',
  'FAILED',
];

/** WhatsApp's check marks: one (sent), two (delivered), two blue (read). */
export type Ticks = 'none' | 'sent' | 'delivered' | 'read';

type Presentation = { label: string; tone: BadgeTone; ticks: Ticks };

const presentation: Record<OutboxStatus, Presentation> = {
  PENDING: { label: 'Scheduled', tone: 'neutral', ticks: 'none' },
  QUEUED: { label: 'Queued', tone: 'warning', ticks: 'none' },
  SENDING: { label: 'Sending', tone: 'info', ticks: 'none' },
  SENT: { label: 'Sent', tone: 'success', ticks: 'sent' },
  DELIVERED: { label: 'Delivered', tone: 'success', ticks: 'delivered' },
  READ: { label: 'Read', tone: 'success', ticks: 'read' },
  FAILED: { label: 'Failed', tone: 'danger', ticks: 'none' },
  SKIPPED: { label: 'Skipped', tone: 'neutral', ticks: 'none' },
  CANCELLED: { label: 'Cancelled', tone: 'neutral', ticks: 'none' },
};

const fallback: Presentation = { label: 'Unknown', tone: 'neutral', ticks: 'none' };

export function statusLabel(status: OutboxStatus): string {
  return presentation[status]?.label ?? status;
}

export function statusTone(status: OutboxStatus): BadgeTone {
  return (presentation[status] ?? fallback).tone;
}

export function statusTicks(status: OutboxStatus): Ticks {
  return (presentation[status] ?? fallback).ticks;
}

export function isOutboxStatus(value: string): value is OutboxStatus {
  return (OUTBOX_STATUSES as readonly string[]).includes(value);
}

export const MESSAGE_SOURCES: readonly MessageSource[] = [
  'INBOX',
  'CAMPAIGN',
  'SEQUENCE_STEP',
  'AI_CAMPAIGN',
];

const sourceLabels: Record<MessageSource, string> = {
  INBOX: 'Inbox',
  CAMPAIGN: 'Campaign',
  SEQUENCE_STEP: 'Sequence',
  AI_CAMPAIGN: 'AI campaign',
};

export function sourceLabel(source: MessageSource): string {
  return sourceLabels[source] ?? source;
}

export function isMessageSource(value: string): value is MessageSource {
  return (MESSAGE_SOURCES as readonly string[]).includes(value);
}

/** The server's error for a row whose send was cut off by a crash (domain/outbox.rs). */
export const INTERRUPTED = 'interrupted; delivery unknown';

/** Why a message failed, in plain words. */
export function failureText(lastError: string | null | undefined): string {
  const error = lastError?.trim() ?? '';
  if (!error) return 'Not sent.';
  if (error === INTERRUPTED) {
    return 'Interrupted — may or may not have been delivered; not retried automatically.';
  }
  if (error === 'invalid recipient')
    return 'The recipient’s number is not a valid WhatsApp number.';
  if (error === 'not connected') return 'The device was not connected.';
  // The network's refusal reads better without the wrapper: "send failed: recipient not on …".
  const reason = error.replace(/^send failed:\s*/i, '');
  return asSentence(reason) ?? 'Not sent.';
}

export type StatusNote = { text: string; tone: 'muted' | 'danger' };

export type StatusNoteFacts = {
  status: OutboxStatus;
  lastError?: string | null;
  scheduledAt?: string | null;
};

/** What to say under a status, if anything. */
export function statusNote(row: StatusNoteFacts, timeZone?: string): StatusNote | null {
  switch (row.status) {
    case 'PENDING': {
      const at = formatDateTime(row.scheduledAt, timeZone);
      return { text: at ? `Goes out ${at}` : 'Scheduled for later', tone: 'muted' };
    }
    case 'QUEUED':
      return { text: 'Waiting for its turn', tone: 'muted' };
    case 'SENDING':
      return { text: 'Going out now…', tone: 'muted' };
    case 'FAILED':
      return { text: failureText(row.lastError), tone: 'danger' };
    case 'SKIPPED':
    case 'CANCELLED': {
      const reason = asSentence(row.lastError);
      return reason ? { text: reason, tone: 'muted' } : null;
    }
    default:
      return null;
  }
}

/** Why messages wait: shown while any queued message is on screen. */
export const QUEUED_EXPLANATION =
  'Queued messages are waiting their turn: each device sends one message at a time, with a human-like pause between sends (its delay, set on the Devices screen).';
