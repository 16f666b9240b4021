import { useMutation, useQuery, useSubscription } from 'urql';

import { graphql } from '@/gql';
import type { CampaignTarget, SequenceContactStatus } from '@/gql/graphql';

/** How many contacts one page of a sequence's contacts table shows. */
export const CONTACTS_PAGE_SIZE = 25;

export const SequenceProgressFragment = graphql(`
  fragment SequenceProgressFields on SequenceProgress {
    sequenceId
    status
    enrolled
    active
    completed
    replied
    optedOut
    failed
    removed
    steps {
      position
      waiting
      sent
      failed
    }
  }
`);

export const SequenceRowFragment = graphql(`
  fragment SequenceRow on Sequence {
    id
    name
    trigger
    status
    stopOnReply
    nextSequenceId
    steps {
      id
    }
    progress {
      ...SequenceProgressFields
    }
  }
`);

/** Everything the editor needs to change a sequence. */
export const SequenceContentFragment = graphql(`
  fragment SequenceContent on Sequence {
    id
    name
    trigger
    niches
    targetStatus
    status
    stopOnReply
    nextSequenceId
    steps {
      id
      position
      delayMinutes
      message
      hasImage
      sendWindow {
        from
        to
      }
      weekdays
      minDelaySeconds
      maxDelaySeconds
      onFailure
    }
  }
`);

export const SequenceContactFragment = graphql(`
  fragment SequenceContactRow on SequenceContact {
    id
    leadId
    name
    phone
    deviceId
    deviceName
    status
    nextStep
    nextDueAt
    timeZone
    enrolledAt
    timeline {
      position
      status
      at
      text
    }
  }
`);

export const SequencesQuery = graphql(`
  query Sequences {
    sequences {
      id
      ...SequenceRow
    }
  }
`);

export const SequenceDetailQuery = graphql(`
  query SequenceDetail($id: ID!) {
    sequence(id: $id) {
      id
      ...SequenceRow
      ...SequenceContent
      nextSequence {
        id
        name
      }
      createdAt
      updatedAt
    }
  }
`);

export const SequenceContactsQuery = graphql(`
  query SequenceContacts($id: ID!, $first: Int!, $after: String, $status: SequenceContactStatus) {
    sequence(id: $id) {
      id
      contacts(first: $first, after: $after, status: $status) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          ...SequenceContactRow
        }
      }
    }
  }
`);

export const SequenceNichesQuery = graphql(`
  query SequenceNiches {
    niches {
      tag
      leads
    }
  }
`);

/** The server's own rendering of a step's template for a few matching leads. */
export const StepSampleQuery = graphql(`
  query SequenceStepSample($input: CampaignInput!) {
    campaignPreview(input: $input) {
      samples
      distinctTexts
    }
  }
`);

export const CreateSequenceMutation = graphql(`
  mutation CreateSequence($input: SequenceInput!) {
    createSequence(input: $input) {
      id
      ...SequenceRow
      ...SequenceContent
    }
  }
`);

export const UpdateSequenceMutation = graphql(`
  mutation UpdateSequence($id: ID!, $input: SequenceInput!) {
    updateSequence(id: $id, input: $input) {
      id
      ...SequenceRow
      ...SequenceContent
    }
  }
`);

export const SetSequenceStatusMutation = graphql(`
  mutation SetSequenceStatus($id: ID!, $status: SequenceStatus!) {
    setSequenceStatus(id: $id, status: $status) {
      id
      ...SequenceRow
    }
  }
`);

export const DeleteSequenceMutation = graphql(`
  mutation DeleteSequence($id: ID!) {
    deleteSequence(id: $id)
  }
`);

export const RemoveSequenceContactMutation = graphql(`
  mutation RemoveSequenceContact($id: ID!) {
    removeSequenceContact(id: $id) {
      id
      ...SequenceContactRow
    }
  }
`);

export const RestartSequenceContactMutation = graphql(`
  mutation RestartSequenceContact($id: ID!) {
    restartSequenceContact(id: $id) {
      id
      ...SequenceContactRow
    }
  }
`);

export const SequenceProgressSubscription = graphql(`
  subscription SequenceProgress($sequenceId: ID!) {
    sequenceProgress(sequenceId: $sequenceId) {
      sequenceId
      ...SequenceProgressFields
    }
  }
`);

export function useSequences() {
  return useQuery({ query: SequencesQuery, requestPolicy: 'cache-and-network' });
}

/** One sequence with its steps and progress; `pause` while there is none to show. */
export function useSequence(id: string, pause = false) {
  return useQuery({
    query: SequenceDetailQuery,
    variables: { id },
    requestPolicy: 'cache-and-network',
    pause,
  });
}

export function useSequenceContacts(
  id: string,
  status: SequenceContactStatus | null,
  after: string | null,
) {
  return useQuery({
    query: SequenceContactsQuery,
    variables: { id, first: CONTACTS_PAGE_SIZE, after, status },
    requestPolicy: 'cache-and-network',
  });
}

/**
 * Keeps the sequence's progress live: SequenceProgress is keyed by its sequence, so each event
 * updates every screen showing it. `pause` for a draft (nothing moves).
 */
export function useSequenceProgress(sequenceId: string, pause = false) {
  return useSubscription({
    query: SequenceProgressSubscription,
    variables: { sequenceId },
    pause,
  });
}

export function useSequenceNiches() {
  return useQuery({ query: SequenceNichesQuery, requestPolicy: 'cache-and-network' });
}

/** A few renderings of `message` for the leads the sequence targets; paused while it is empty. */
export function useStepSample(
  message: string,
  niches: readonly string[],
  targetStatus: CampaignTarget,
) {
  const text = message.trim();
  return useQuery({
    query: StepSampleQuery,
    variables: {
      input: {
        title: 'Preview',
        message: text,
        niches: niches.length ? [...niches] : undefined,
        targetStatus,
      },
    },
    requestPolicy: 'network-only',
    pause: !text,
  });
}

export const useCreateSequence = () => useMutation(CreateSequenceMutation);
export const useUpdateSequence = () => useMutation(UpdateSequenceMutation);
export const useSetSequenceStatus = () => useMutation(SetSequenceStatusMutation);
export const useDeleteSequence = () => useMutation(DeleteSequenceMutation);
export const useRemoveSequenceContact = () => useMutation(RemoveSequenceContactMutation);
export const useRestartSequenceContact = () => useMutation(RestartSequenceContactMutation);
