import type { BadgeTone } from '@/components/ui/badge';

import type { SequenceContactStatus, SequenceStatus } from './model';

const sequencePresentation: Record<SequenceStatus, { label: string; tone: BadgeTone }> = {
  DRAFT: { label: 'Draft', tone: 'neutral' },
  ACTIVE: { label: 'Active', tone: 'success' },
  PAUSED: { label: 'Paused', tone: 'warning' },
};

export function sequenceStatusLabel(status: SequenceStatus): string {
  return sequencePresentation[status]?.label ?? status;
}

export function sequenceStatusTone(status: SequenceStatus): BadgeTone {
  return sequencePresentation[status]?.tone ?? 'neutral';
}

export const CONTACT_STATUSES: readonly SequenceContactStatus[] = [
  'ACTIVE',
  'COMPLETED',
  'REPLIED',
  'OPTED_OUT',
  'FAILED',
  'REMOVED',
];

const contactPresentation: Record<SequenceContactStatus, { label: string; tone: BadgeTone }> = {
  ACTIVE: { label: 'Active', tone: 'info' },
  COMPLETED: { label: 'Completed', tone: 'success' },
  REPLIED: { label: 'Replied', tone: 'success' },
  OPTED_OUT: { label: 'Opted out', tone: 'warning' },
  FAILED: { label: 'Failed', tone: 'danger' },
  REMOVED: { label: 'Removed', tone: 'neutral' },
};

export function contactStatusLabel(status: SequenceContactStatus): string {
  return contactPresentation[status]?.label ?? status;
}

export function contactStatusTone(status: SequenceContactStatus): BadgeTone {
  return contactPresentation[status]?.tone ?? 'neutral';
}

export function isContactStatus(value: string): value is SequenceContactStatus {
  return (CONTACT_STATUSES as readonly string[]).includes(value);
}

/** "2 of 3", "done": a contact's next step for people (positions count from 0). */
export function nextStepLabel(nextStep: number, stepCount: number, status: SequenceContactStatus) {
  if (status !== 'ACTIVE' || nextStep >= stepCount) return '—';
  return `${nextStep + 1} of ${stepCount}`;
}

const entryStatus: Record<string, string> = {
  PENDING: 'waiting',
  QUEUED: 'queued',
  SENT: 'sent',
  DELIVERED: 'delivered',
  READ: 'read',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

/** "Step 2 delivered", "Replied": one line of a contact's timeline. */
export function timelineLabel(position: number | null | undefined, status: string): string {
  if (position === null || position === undefined || status === 'REPLIED') return 'Replied';
  return `Step ${position + 1} ${entryStatus[status] ?? status.toLowerCase()}`;
}
