import { useMutation } from 'urql';

import { graphql } from '@/gql';

export const SendMessageMutation = graphql(`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id
      outboxId
    }
  }
`);

export const RetryOutboxMessageMutation = graphql(`
  mutation RetryOutboxMessage($id: ID!) {
    retryOutboxMessage(id: $id) {
      id
      ...OutboxRow
    }
  }
`);

export function useSendMessage() {
  return useMutation(SendMessageMutation);
}

export function useRetryOutboxMessage() {
  return useMutation(RetryOutboxMessageMutation);
}
