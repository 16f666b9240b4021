/**
 * The campaign names of the GraphQL contract (issue 14), until the server's schema carries them
 * and codegen generates these types; the values are the contract's, exactly.
 */
export type CampaignStatus =
  | 'SCHEDULED'
  | 'RUNNING'
  | 'PAUSED'
  | 'COMPLETED'
  | 'COMPLETED_WITH_PENDING'
  | 'CANCELLED'
  | 'FAILED';

export type CampaignTarget = 'PROSPECT' | 'CUSTOMER' | 'ALL';

export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

/** `CampaignCounts`: sent counts every row that reached SENT or later. */
export type CampaignCounts = {
  total: number;
  pending: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
  cancelled: number;
  replied: number;
};

/** The fields of `CampaignInput` the dialog fills in (the image goes separately). */
export type CampaignInputFields = {
  title: string;
  message: string;
  niches?: string[];
  targetStatus: CampaignTarget;
  deviceIds?: string[];
  scheduledAt?: string;
  sendWindow?: { from: string; to: string };
  weekdays?: Weekday[];
  minDelaySeconds: number;
  maxDelaySeconds: number;
  perDeviceLimit?: number;
};
