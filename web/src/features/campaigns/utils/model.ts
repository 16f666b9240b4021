import type {
  AiDeviceStatus,
  CampaignCountsFieldsFragment,
  CampaignInput,
  CampaignKind,
  CampaignStatus,
  CampaignTarget,
  Weekday,
} from '@/gql/graphql';

export type { AiDeviceStatus, CampaignKind, CampaignStatus, CampaignTarget, Weekday };

/** `CampaignCounts`: sent counts every row that reached SENT or later. */
export type CampaignCounts = Omit<CampaignCountsFieldsFragment, ' $fragmentName'>;

/**
 * The fields of `CampaignInput` the dialog fills in (the image goes separately). The kind is
 * always sent; `perDeviceLimit` only for an AI campaign.
 */
export type CampaignInputFields = Omit<
  CampaignInput,
  'image' | 'removeImage' | 'kind' | 'targetStatus' | 'minDelaySeconds' | 'maxDelaySeconds'
> &
  Required<Pick<CampaignInput, 'kind' | 'targetStatus' | 'minDelaySeconds' | 'maxDelaySeconds'>>;
