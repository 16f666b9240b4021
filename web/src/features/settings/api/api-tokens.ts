import { useMutation } from 'urql';

import { graphql } from '@/gql';

export const ApiTokenItemFragment = graphql(`
  fragment ApiTokenItem on ApiToken {
    id
    name
    createdAt
    lastUsedAt
  }
`);

export const CreateApiTokenMutation = graphql(`
  mutation CreateApiToken($name: String!) {
    createApiToken(name: $name) {
      token
      apiToken {
        ...ApiTokenItem
      }
    }
  }
`);

export const RevokeApiTokenMutation = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
    }
  }
`);

export function useCreateApiToken() {
  return useMutation(CreateApiTokenMutation);
}

export function useRevokeApiToken() {
  return useMutation(RevokeApiTokenMutation);
}
