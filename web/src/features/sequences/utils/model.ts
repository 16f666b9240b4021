import type {
  CampaignTarget,
  SequenceContactStatus,
  SequenceStatus,
  StepFailure,
  Weekday,
} from '@/gql/graphql';

export type { CampaignTarget, SequenceContactStatus, SequenceStatus, StepFailure, Weekday };

/** The units a step's delay is typed in; the server counts minutes. */
export type DelayUnit = 'minutes' | 'hours' | 'days';
