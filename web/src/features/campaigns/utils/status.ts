import type { BadgeTone } from '@/components/ui/badge';

import type { AiDeviceStatus, CampaignCounts, CampaignStatus } from './model';

/** Every status, in the order a campaign goes through them (for the filter). */
export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = [
  'SCHEDULED',
  'RUNNING',
  'PAUSED',
  'COMPLETED',
  'COMPLETED_WITH_PENDING',
  'CANCELLED',
  'FAILED',
];

const presentation: Record<CampaignStatus, { label: string; tone: BadgeTone }> = {
  SCHEDULED: { label: 'Scheduled', tone: 'neutral' },
  RUNNING: { label: 'Running', tone: 'info' },
  PAUSED: { label: 'Paused', tone: 'warning' },
  COMPLETED: { label: 'Completed', tone: 'success' },
  COMPLETED_WITH_PENDING: { label: 'Completed, leads left', tone: 'warning' },
  CANCELLED: { label: 'Cancelled', tone: 'neutral' },
  FAILED: { label: 'Failed', tone: 'danger' },
};

export function campaignStatusLabel(status: CampaignStatus): string {
  return presentation[status]?.label ?? status;
}

export function campaignStatusTone(status: CampaignStatus): BadgeTone {
  return presentation[status]?.tone ?? 'neutral';
}

/**
 * The heading of the campaign's `pausedReason` when its status has one to explain: why it paused
 * itself, why it failed, or how many leads it left for a later campaign. Null: nothing to say.
 */
export function statusReasonHeading(status: CampaignStatus): string | null {
  switch (status) {
    case 'PAUSED':
      return 'Paused';
    case 'COMPLETED_WITH_PENDING':
      return 'Leads left';
    case 'FAILED':
      return 'Failed';
    default:
      return null;
  }
}

const aiDevicePresentation: Record<AiDeviceStatus, { label: string; tone: BadgeTone }> = {
  ACTIVE: { label: 'Active', tone: 'info' },
  LIMIT_REACHED: { label: 'Limit reached', tone: 'success' },
  FAILED: { label: 'Failed', tone: 'danger' },
};

/** A device's status in an AI campaign, as its chip says it. */
export function aiDeviceStatusLabel(status: AiDeviceStatus): string {
  return aiDevicePresentation[status]?.label ?? status;
}

export function aiDeviceStatusTone(status: AiDeviceStatus): BadgeTone {
  return aiDevicePresentation[status]?.tone ?? 'neutral';
}

export function isCampaignStatus(value: string): value is CampaignStatus {
  return (CAMPAIGN_STATUSES as readonly string[]).includes(value);
}

/** What the user may do to a campaign in `status` (the server's rules, so no button is refused). */
export type CampaignActions = {
  edit: boolean;
  pause: boolean;
  resume: boolean;
  cancel: boolean;
  /** Deleting a running campaign is refused until it is cancelled. */
  remove: boolean;
};

export function campaignActions(status: CampaignStatus): CampaignActions {
  return {
    edit: status === 'SCHEDULED' || status === 'PAUSED',
    pause: status === 'RUNNING',
    resume: status === 'PAUSED',
    cancel: status === 'SCHEDULED' || status === 'RUNNING' || status === 'PAUSED',
    remove: status !== 'RUNNING',
  };
}

/** Rows that will not change any more: sent (or later), failed, skipped or cancelled. */
export function finishedRows(counts: CampaignCounts): number {
  return counts.sent + counts.failed + counts.skipped + counts.cancelled;
}

/** How far along a campaign is, 0..1 (0 before it has any rows). */
export function progressFraction(counts: CampaignCounts): number {
  if (counts.total <= 0) return 0;
  return Math.min(1, finishedRows(counts) / counts.total);
}

/** "12 of 20 sent · 1 failed": the line under a progress bar. */
export function progressSummary(counts: CampaignCounts): string {
  const parts = [`${counts.sent} of ${counts.total} sent`];
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (counts.skipped) parts.push(`${counts.skipped} skipped`);
  if (counts.cancelled) parts.push(`${counts.cancelled} cancelled`);
  return parts.join(' · ');
}

/** A rate (0..1 of sent) as a whole percentage. */
export function percent(rate: number): string {
  if (!Number.isFinite(rate) || rate <= 0) return '0%';
  return `${Math.round(Math.min(rate, 1) * 100)}%`;
}
