import { useMutation } from 'urql';

import { graphql } from '@/gql';

export const SendChatMessageMutation = graphql(`
  mutation InboxSendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id
      chatJid
      timestamp
      fromMe
      ...MessageBubble
    }
  }
`);

export const MarkChatReadMutation = graphql(`
  mutation InboxMarkChatRead($deviceId: ID!, $chatJid: String!) {
    markChatRead(deviceId: $deviceId, chatJid: $chatJid) {
      id
      ...ChatListItem
    }
  }
`);

/** Sends a text or an image (with a caption) to a chat or a phone number; returns it PENDING. */
export function useSendChatMessage() {
  return useMutation(SendChatMessageMutation);
}

export function useMarkChatRead() {
  return useMutation(MarkChatReadMutation);
}
