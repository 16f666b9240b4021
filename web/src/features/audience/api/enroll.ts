import { useMutation, useQuery } from 'urql';

import { graphql } from '@/gql';

/** The sequences leads can be added to, for the "Add to sequence…" dialog. */
export const EnrollChoicesQuery = graphql(`
  query EnrollChoices {
    sequences {
      id
      name
      status
    }
  }
`);

export const EnrollLeadsMutation = graphql(`
  mutation EnrollLeads($sequenceId: ID!, $leadIds: [ID!]!) {
    enrollLeads(sequenceId: $sequenceId, leadIds: $leadIds)
  }
`);

export function useEnrollChoices() {
  return useQuery({ query: EnrollChoicesQuery, requestPolicy: 'cache-and-network' });
}

export const useEnrollLeads = () => useMutation(EnrollLeadsMutation);
