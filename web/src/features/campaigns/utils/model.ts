import type {
  CampaignCountsFieldsFragment,
  CampaignInput,
  CampaignStatus,
  CampaignTarget,
  Weekday,
} from '@/gql/graphql';

export type { CampaignStatus, CampaignTarget, Weekday };

/** `CampaignCounts`: sent counts every row that reached SENT or later. */
export type CampaignCounts = Omit<CampaignCountsFieldsFragment, ' $fragmentName'>;

/** The fields of `CampaignInput` the dialog fills in (the image goes separately). */
export type CampaignInputFields = Omit<
  CampaignInput,
  'image' | 'removeImage' | 'kind' | 'targetStatus' | 'minDelaySeconds' | 'maxDelaySeconds'
> &
  Required<Pick<CampaignInput, 'targetStatus' | 'minDelaySeconds' | 'maxDelaySeconds'>>;
