import { formatDateTime } from '@/lib/format';

import type { CampaignStatus } from './model';

export type CampaignTimes = {
  status: CampaignStatus;
  scheduledAt?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
};

/** When the campaign starts or started (and ended), in the user's zone: one short line. */
export function campaignTiming(campaign: CampaignTimes, timeZone: string): string {
  const at = (iso: string) => formatDateTime(iso, timeZone);
  if (campaign.status === 'SCHEDULED') {
    return campaign.scheduledAt
      ? `Starts ${at(campaign.scheduledAt)}`
      : 'Waits for a start time (a copy): start it or give it a time';
  }
  if (!campaign.startedAt) {
    return campaign.scheduledAt ? `Was to start ${at(campaign.scheduledAt)}` : 'Never started';
  }
  if (campaign.completedAt)
    return `Started ${at(campaign.startedAt)} · ended ${at(campaign.completedAt)}`;
  return `Started ${at(campaign.startedAt)}`;
}

/** A copy that waits for a time: it starts only when the user starts it (or gives it a time). */
export function waitsForStart(campaign: Pick<CampaignTimes, 'status' | 'scheduledAt'>): boolean {
  return campaign.status === 'SCHEDULED' && !campaign.scheduledAt;
}

/** Whether the campaign may still change by itself (so its progress is worth following). */
export function isLive(status: CampaignStatus): boolean {
  return status === 'SCHEDULED' || status === 'RUNNING' || status === 'PAUSED';
}

/** "in 2 h 5 min", "in 40 s": how long until a device is done. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total} s`;
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}
