import type { Cache, CacheExchangeOpts, UpdateResolver } from '@urql/exchange-graphcache';

import { graphql } from '@/gql';
import type { CampaignStatus } from '@/gql/graphql';

/**
 * Campaign types without an identity of their own. A campaign's progress is known by its
 * campaign, so each `campaignProgress` event updates every screen showing that campaign.
 */
export const campaignKeys: NonNullable<CacheExchangeOpts['keys']> = {
  AiCampaignDevice: () => null,
  AiRedeal: () => null,
  AiRedealLog: () => null,
  CampaignConnection: () => null,
  CampaignEdge: () => null,
  CampaignCounts: () => null,
  CampaignDeviceCounts: () => null,
  CampaignPreview: () => null,
  CampaignPreviewDevice: () => null,
  CampaignProgress: (data) => (typeof data.campaignId === 'string' ? data.campaignId : null),
  CampaignReport: () => null,
  FailureReason: () => null,
  SendWindow: () => null,
};

const CampaignStatusFragment = graphql(`
  fragment CachedCampaignStatus on Campaign {
    id
    status
    pausedReason
  }
`);

/** Drops every cached page of the campaigns list (any filter, any cursor). */
export function invalidateCampaignLists(cache: Cache) {
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName === 'campaigns') cache.invalidate('Query', 'campaigns', field.arguments);
  }
}

/** The campaign's report (rates, failures) is read again; its counters moved on. */
function invalidateReport(cache: Cache, campaignId: string) {
  cache.invalidate({ __typename: 'Campaign', id: campaignId }, 'report');
}

const relist: UpdateResolver = (_result, _args, cache) => invalidateCampaignLists(cache);

export const campaignMutationUpdates: Record<string, UpdateResolver> = {
  createCampaign: relist,
  cloneCampaign: relist,
  updateCampaign: relist,
  pauseCampaign: relist,
  resumeCampaign: relist,
  cancelCampaign: relist,
  deleteCampaign: (result, args, cache) => {
    if (result.deleteCampaign && typeof args.id === 'string') {
      cache.invalidate({ __typename: 'Campaign', id: args.id });
    }
    invalidateCampaignLists(cache);
  },
  retryFailed: (_result, args, cache) => {
    if (typeof args.campaignId === 'string') invalidateReport(cache, args.campaignId);
    invalidateCampaignLists(cache);
  },
};

export type CampaignProgressEvent = {
  campaignId?: unknown;
  status?: unknown;
  pausedReason?: unknown;
};

/**
 * A progress event carries the campaign's status: the campaign itself follows it, and when the
 * status changes the lists (filtered by status) and the report are read again.
 */
export function applyCampaignProgress(cache: Cache, event: CampaignProgressEvent | null) {
  if (!event || typeof event.campaignId !== 'string' || typeof event.status !== 'string') return;
  const id = event.campaignId;
  const known = cache.resolve({ __typename: 'Campaign', id }, 'status');
  const pausedReason = typeof event.pausedReason === 'string' ? event.pausedReason : null;
  cache.writeFragment(CampaignStatusFragment, {
    id,
    status: event.status as CampaignStatus,
    pausedReason,
  });
  if (typeof known === 'string' && known !== event.status) {
    invalidateCampaignLists(cache);
    invalidateReport(cache, id);
  }
}
