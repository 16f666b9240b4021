import { useMutation } from 'urql';

import { graphql } from '@/gql';

export const OptOutChatMutation = graphql(`
  mutation OptOutChat($phone: String!, $reason: String) {
    optOut(phone: $phone, reason: $reason) {
      phone
      reason
      source
      createdAt
    }
  }
`);

export function useOptOutChat() {
  return useMutation(OptOutChatMutation);
}
