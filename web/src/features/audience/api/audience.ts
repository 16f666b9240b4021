import type { CombinedError } from '@urql/core';
import { useMemo } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';

import { getFragmentData, graphql } from '@/gql';
import type { AiLeadStatus, LeadTargetStatus } from '@/gql/graphql';

import {
  aiLeadFilter,
  leadFilter,
  type AudienceFilters,
  type AudienceKind,
} from '../utils/filters';

/** How many rows one page (and each "Load more") brings. */
export const AUDIENCE_PAGE_SIZE = 50;

export const LeadRowFragment = graphql(`
  fragment LeadRow on Lead {
    id
    name
    phone
    niches
    targetStatus
    triggers
    notes
    source
    optedOut
    createdAt
    device {
      id
      name
    }
  }
`);

export const AiLeadRowFragment = graphql(`
  fragment AiLeadRow on AiLead {
    id
    name
    phone
    niches
    targetStatus
    notes
    status
    optedOut
    sentAt
    createdAt
    device {
      id
      name
    }
  }
`);

export const LeadsPageQuery = graphql(`
  query LeadsPage($filter: LeadFilter, $first: Int!, $after: String) {
    leads(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        ...LeadRow
      }
    }
  }
`);

export const AiLeadsPageQuery = graphql(`
  query AiLeadsPage($filter: AiLeadFilter, $first: Int!, $after: String) {
    aiLeads(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        ...AiLeadRow
      }
    }
  }
`);

export const NichesQuery = graphql(`
  query Niches {
    niches {
      tag
      leads
      aiLeads
    }
  }
`);

export const AiLeadStatsQuery = graphql(`
  query AiLeadStats {
    aiLeadStats {
      total
      byStatus {
        status
        count
      }
      byNiche {
        tag
        aiLeads
      }
    }
  }
`);

export const CreateLeadMutation = graphql(`
  mutation CreateLead($input: LeadInput!) {
    createLead(input: $input) {
      id
      ...LeadRow
    }
  }
`);

export const UpdateLeadMutation = graphql(`
  mutation UpdateLead($id: ID!, $input: UpdateLeadInput!) {
    updateLead(id: $id, input: $input) {
      id
      ...LeadRow
    }
  }
`);

export const CreateAiLeadMutation = graphql(`
  mutation CreateAiLead($input: AiLeadInput!) {
    createAiLead(input: $input) {
      id
      ...AiLeadRow
    }
  }
`);

export const UpdateAiLeadMutation = graphql(`
  mutation UpdateAiLead($id: ID!, $input: UpdateAiLeadInput!) {
    updateAiLead(id: $id, input: $input) {
      id
      ...AiLeadRow
    }
  }
`);

export const DeleteLeadsMutation = graphql(`
  mutation DeleteLeads($ids: [ID!]!) {
    deleteLeads(ids: $ids)
  }
`);

export const DeleteAiLeadsMutation = graphql(`
  mutation DeleteAiLeads($ids: [ID!]!) {
    deleteAiLeads(ids: $ids)
  }
`);

export const RetagLeadsMutation = graphql(`
  mutation RetagLeads($ids: [ID!]!, $add: [String!], $remove: [String!]) {
    retagLeads(ids: $ids, add: $add, remove: $remove)
  }
`);

export const RetagAiLeadsMutation = graphql(`
  mutation RetagAiLeads($ids: [ID!]!, $add: [String!], $remove: [String!]) {
    retagAiLeads(ids: $ids, add: $add, remove: $remove)
  }
`);

export const MoveLeadsMutation = graphql(`
  mutation MoveLeads($ids: [ID!]!, $deviceId: ID!) {
    moveLeads(ids: $ids, deviceId: $deviceId)
  }
`);

export function useNiches() {
  return useQuery({ query: NichesQuery, requestPolicy: 'cache-and-network' });
}

export function useAiLeadStats() {
  return useQuery({ query: AiLeadStatsQuery, requestPolicy: 'cache-and-network' });
}

export const useCreateLead = () => useMutation(CreateLeadMutation);
export const useUpdateLead = () => useMutation(UpdateLeadMutation);
export const useCreateAiLead = () => useMutation(CreateAiLeadMutation);
export const useUpdateAiLead = () => useMutation(UpdateAiLeadMutation);
export const useDeleteLeads = () => useMutation(DeleteLeadsMutation);
export const useDeleteAiLeads = () => useMutation(DeleteAiLeadsMutation);
export const useRetagLeads = () => useMutation(RetagLeadsMutation);
export const useRetagAiLeads = () => useMutation(RetagAiLeadsMutation);
export const useMoveLeads = () => useMutation(MoveLeadsMutation);

export const ImportJobFragment = graphql(`
  fragment ImportJobProgress on ImportJob {
    id
    kind
    status
    fileName
    rowsRead
    imported
    updated
    duplicates
    rejectedCount
    rejected(first: 100) {
      line
      reason
    }
    error
  }
`);

export const ImportLeadsMutation = graphql(`
  mutation ImportLeads($deviceId: ID!, $file: Upload!, $tagMode: TagMergeMode) {
    importLeads(deviceId: $deviceId, file: $file, tagMode: $tagMode) {
      id
      ...ImportJobProgress
    }
  }
`);

export const ImportAiLeadsMutation = graphql(`
  mutation ImportAiLeads($file: Upload!, $tagMode: TagMergeMode) {
    importAiLeads(file: $file, tagMode: $tagMode) {
      id
      ...ImportJobProgress
    }
  }
`);

export const ImportOptOutsMutation = graphql(`
  mutation ImportOptOuts($file: Upload!) {
    importOptOuts(file: $file) {
      id
      ...ImportJobProgress
    }
  }
`);

export const ImportJobQuery = graphql(`
  query ImportJob($id: ID!) {
    importJob(id: $id) {
      id
      ...ImportJobProgress
    }
  }
`);

export const ImportProgressSubscription = graphql(`
  subscription ImportProgress($jobId: ID!) {
    importProgress(jobId: $jobId) {
      id
      ...ImportJobProgress
    }
  }
`);

export const useImportLeads = () => useMutation(ImportLeadsMutation);
export const useImportAiLeads = () => useMutation(ImportAiLeadsMutation);
export const useImportOptOuts = () => useMutation(ImportOptOutsMutation);

/**
 * The job as it moves: the subscription pushes each batch into the cache; the query reads it
 * once after subscribing, for batches that finished before the subscription took effect.
 */
export function useImportJob(jobId: string | null) {
  useSubscription({
    query: ImportProgressSubscription,
    variables: { jobId: jobId ?? '' },
    pause: !jobId,
  });
  return useQuery({
    query: ImportJobQuery,
    variables: { id: jobId ?? '' },
    pause: !jobId,
  });
}

export const OptOutsPageQuery = graphql(`
  query OptOutsPage($search: String, $first: Int!, $after: String) {
    optOuts(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        phone
        reason
        source
        createdAt
      }
    }
  }
`);

export const OptOutMutation = graphql(`
  mutation OptOut($phone: String!, $reason: String) {
    optOut(phone: $phone, reason: $reason) {
      phone
      reason
      source
      createdAt
    }
  }
`);

export const RemoveOptOutMutation = graphql(`
  mutation RemoveOptOut($phone: String!) {
    removeOptOut(phone: $phone)
  }
`);

export function useOptOutsPage(search: string | null, after: string | null) {
  return useQuery({
    query: OptOutsPageQuery,
    variables: { search, first: AUDIENCE_PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });
}

export const useOptOut = () => useMutation(OptOutMutation);
export const useRemoveOptOut = () => useMutation(RemoveOptOutMutation);

/** One row of either list, in the shape the shared table shows. */
export type AudienceRow = {
  id: string;
  name: string;
  phone: string;
  niches: readonly string[];
  targetStatus: LeadTargetStatus;
  optedOut: boolean;
  notes: string;
  deviceId: string | null;
  deviceName: string | null;
  /** Leads: the triggers. */
  triggers: readonly string[];
  /** AI leads: where the lead is in the deal. */
  status: AiLeadStatus | null;
};

export type AudiencePage = {
  rows: AudienceRow[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
};

/** One page of the kind's list, as table rows; null until it has loaded. */
export function useAudiencePage(
  kind: AudienceKind,
  filters: AudienceFilters,
  after: string | null,
): { page: AudiencePage | null; error: CombinedError | undefined } {
  const leadVariables = useMemo(
    () => ({ filter: leadFilter(filters), first: AUDIENCE_PAGE_SIZE, after }),
    [filters, after],
  );
  const aiVariables = useMemo(
    () => ({ filter: aiLeadFilter(filters), first: AUDIENCE_PAGE_SIZE, after }),
    [filters, after],
  );
  const [leads] = useQuery({
    query: LeadsPageQuery,
    variables: leadVariables,
    requestPolicy: 'cache-and-network',
    pause: kind !== 'leads',
  });
  const [aiLeads] = useQuery({
    query: AiLeadsPageQuery,
    variables: aiVariables,
    requestPolicy: 'cache-and-network',
    pause: kind !== 'aiLeads',
  });
  const page = useMemo<AudiencePage | null>(() => {
    if (kind === 'leads') {
      const data = leads.data?.leads;
      if (!data) return null;
      return {
        totalCount: data.totalCount,
        pageInfo: data.pageInfo,
        rows: data.nodes.map((node) => {
          const lead = getFragmentData(LeadRowFragment, node);
          return {
            id: lead.id,
            name: lead.name,
            phone: lead.phone,
            niches: lead.niches,
            targetStatus: lead.targetStatus,
            optedOut: lead.optedOut,
            notes: lead.notes,
            deviceId: lead.device.id,
            deviceName: lead.device.name,
            triggers: lead.triggers,
            status: null,
          };
        }),
      };
    }
    const data = aiLeads.data?.aiLeads;
    if (!data) return null;
    return {
      totalCount: data.totalCount,
      pageInfo: data.pageInfo,
      rows: data.nodes.map((node) => {
        const lead = getFragmentData(AiLeadRowFragment, node);
        return {
          id: lead.id,
          name: lead.name,
          phone: lead.phone,
          niches: lead.niches,
          targetStatus: lead.targetStatus,
          optedOut: lead.optedOut,
          notes: lead.notes,
          deviceId: lead.device?.id ?? null,
          deviceName: lead.device?.name ?? null,
          triggers: [],
          status: lead.status,
        };
      }),
    };
  }, [kind, leads.data, aiLeads.data]);
  return { page, error: kind === 'leads' ? leads.error : aiLeads.error };
}
