import { useEffect, useRef } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';

import { graphql } from '@/gql';
import type { CampaignFilter, CampaignInput } from '@/gql/graphql';
import { useDebouncedValue } from '@/lib/use-debounced-value';

/** How many campaigns one page of the list (and each "Load more") brings. */
export const CAMPAIGNS_PAGE_SIZE = 50;

export const CampaignCountsFragment = graphql(`
  fragment CampaignCountsFields on CampaignCounts {
    total
    pending
    queued
    sent
    delivered
    read
    failed
    skipped
    cancelled
    replied
  }
`);

export const CampaignProgressFragment = graphql(`
  fragment CampaignProgressFields on CampaignProgress {
    campaignId
    status
    pausedReason
    totals {
      ...CampaignCountsFields
    }
    devices {
      deviceId
      deviceName
      counts {
        ...CampaignCountsFields
      }
    }
    aiDevices {
      deviceId
      deviceName
      online
      status
      dealt
      sent
      failed
      room
      reason
    }
  }
`);

export const CampaignRowFragment = graphql(`
  fragment CampaignRow on Campaign {
    id
    kind
    title
    status
    pausedReason
    scheduledAt
    startedAt
    completedAt
    createdAt
    progress {
      ...CampaignProgressFields
    }
  }
`);

/** Everything the dialog needs to edit or clone a campaign. */
export const CampaignContentFragment = graphql(`
  fragment CampaignContent on Campaign {
    id
    kind
    title
    message
    hasImage
    niches
    targetStatus
    deviceIds
    scheduledAt
    sendWindow {
      from
      to
    }
    weekdays
    minDelaySeconds
    maxDelaySeconds
    perDeviceLimit
  }
`);

export const CampaignsPageQuery = graphql(`
  query CampaignsPage($filter: CampaignFilter, $first: Int!, $after: String) {
    campaigns(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        ...CampaignRow
      }
    }
  }
`);

export const CampaignDetailQuery = graphql(`
  query CampaignDetail($id: ID!) {
    campaign(id: $id) {
      id
      ...CampaignRow
      ...CampaignContent
      updatedAt
      report {
        totals {
          ...CampaignCountsFields
        }
        failures {
          reason
          count
        }
        deliveredRate
        readRate
        replyRate
      }
    }
  }
`);

/** How many re-deals the detail page lists (the newest). */
export const REDEALS_SHOWN = 50;

/** An AI campaign's re-deal log: the leads taken back from a device, and where they went. */
export const CampaignRedealsQuery = graphql(`
  query CampaignRedeals($id: ID!, $first: Int!) {
    campaign(id: $id) {
      id
      redeals(first: $first) {
        total
        entries {
          leadId
          leadName
          leadPhone
          fromDeviceId
          toDeviceId
          reason
          at
        }
      }
    }
  }
`);

export const CampaignPreviewQuery = graphql(`
  query CampaignPreview($input: CampaignInput!) {
    campaignPreview(input: $input) {
      leads
      leftPending
      onlineDevices
      optedOut
      onOfflineDevices
      inOtherRunningCampaigns
      devices {
        deviceId
        deviceName
        leads
        online
        etaSeconds
        finishesAt
      }
      samples
      distinctTexts
    }
  }
`);

export const CampaignNichesQuery = graphql(`
  query CampaignNiches {
    niches {
      tag
      leads
      aiLeads
    }
  }
`);

export const CreateCampaignMutation = graphql(`
  mutation CreateCampaign($input: CampaignInput!) {
    createCampaign(input: $input) {
      id
      ...CampaignRow
      ...CampaignContent
    }
  }
`);

export const UpdateCampaignMutation = graphql(`
  mutation UpdateCampaign($id: ID!, $input: CampaignInput!) {
    updateCampaign(id: $id, input: $input) {
      id
      ...CampaignRow
      ...CampaignContent
    }
  }
`);

export const CloneCampaignMutation = graphql(`
  mutation CloneCampaign($id: ID!) {
    cloneCampaign(id: $id) {
      id
      ...CampaignRow
      ...CampaignContent
    }
  }
`);

export const DeleteCampaignMutation = graphql(`
  mutation DeleteCampaign($id: ID!) {
    deleteCampaign(id: $id)
  }
`);

export const PauseCampaignMutation = graphql(`
  mutation PauseCampaign($id: ID!) {
    pauseCampaign(id: $id) {
      id
      ...CampaignRow
    }
  }
`);

export const ResumeCampaignMutation = graphql(`
  mutation ResumeCampaign($id: ID!) {
    resumeCampaign(id: $id) {
      id
      ...CampaignRow
    }
  }
`);

export const CancelCampaignMutation = graphql(`
  mutation CancelCampaign($id: ID!) {
    cancelCampaign(id: $id) {
      id
      ...CampaignRow
    }
  }
`);

export const RetryFailedMutation = graphql(`
  mutation RetryFailed($campaignId: ID!, $deviceId: ID) {
    retryFailed(campaignId: $campaignId, deviceId: $deviceId)
  }
`);

export const CampaignProgressSubscription = graphql(`
  subscription CampaignProgress($campaignId: ID!) {
    campaignProgress(campaignId: $campaignId) {
      campaignId
      ...CampaignProgressFields
    }
  }
`);

export function useCampaignsPage(filter: CampaignFilter, after: string | null) {
  return useQuery({
    query: CampaignsPageQuery,
    variables: { filter, first: CAMPAIGNS_PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });
}

/** One campaign with its progress and report; `pause` while there is none to show. */
export function useCampaign(id: string, pause = false) {
  return useQuery({
    query: CampaignDetailQuery,
    variables: { id },
    requestPolicy: 'cache-and-network',
    pause,
  });
}

/**
 * Keeps the campaign's progress live: each event lands in the cache (CampaignProgress is keyed
 * by its campaign), so every screen that shows the campaign follows it. `pause` when nothing
 * moves (a finished campaign).
 */
export function useCampaignProgress(campaignId: string, pause = false) {
  return useSubscription({
    query: CampaignProgressSubscription,
    variables: { campaignId },
    pause,
  });
}

/**
 * An AI campaign's re-deal log; `pause` for a broadcast (it has none). Leads are taken back when
 * a device goes offline or fails, or the campaign ends, and dealt again in a later round: each
 * change of `moment` (the campaign's status and its devices' state, from the live progress)
 * reads the log again, once things have been still for a moment.
 */
export function useCampaignRedeals(id: string, moment: string, pause = false) {
  const [result, reexecute] = useQuery({
    query: CampaignRedealsQuery,
    variables: { id, first: REDEALS_SHOWN },
    requestPolicy: 'cache-and-network',
    pause,
  });
  const settled = useDebouncedValue(moment, 1000);
  const seen = useRef(settled);
  useEffect(() => {
    if (pause || seen.current === settled) return;
    seen.current = settled;
    reexecute({ requestPolicy: 'network-only' });
  }, [settled, pause, reexecute]);
  return result;
}

/** The preview of what `input` would send; paused while the form is not valid. */
export function useCampaignPreview(input: CampaignInput | null) {
  return useQuery({
    query: CampaignPreviewQuery,
    variables: { input: input ?? { title: '', message: '' } },
    requestPolicy: 'network-only',
    pause: !input,
  });
}

export function useCampaignNiches() {
  return useQuery({ query: CampaignNichesQuery, requestPolicy: 'cache-and-network' });
}

export const useCreateCampaign = () => useMutation(CreateCampaignMutation);
export const useUpdateCampaign = () => useMutation(UpdateCampaignMutation);
export const useCloneCampaign = () => useMutation(CloneCampaignMutation);
export const useDeleteCampaign = () => useMutation(DeleteCampaignMutation);
export const usePauseCampaign = () => useMutation(PauseCampaignMutation);
export const useResumeCampaign = () => useMutation(ResumeCampaignMutation);
export const useCancelCampaign = () => useMutation(CancelCampaignMutation);
export const useRetryFailed = () => useMutation(RetryFailedMutation);
