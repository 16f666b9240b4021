import { useQuery, useSubscription } from 'urql';

import { getFragmentData, graphql } from '@/gql';
import { useOnReconnected } from '@/lib/realtime';

/** How many chats one page (and each "Load more") brings. */
export const CHAT_PAGE_SIZE = 30;

export const ChatListItemFragment = graphql(`
  fragment ChatListItem on Chat {
    id
    deviceId
    jid
    phone
    name
    lastMessageText
    lastMessageAt
    lastMessageFromMe
    unreadCount
  }
`);

export const ChatsQuery = graphql(`
  query InboxChats($deviceId: ID!, $first: Int!, $after: String, $search: String) {
    chats(deviceId: $deviceId, first: $first, after: $after, search: $search) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        jid
        ...ChatListItem
      }
    }
  }
`);

export const ChatUpdatedSubscription = graphql(`
  subscription InboxChatUpdated($deviceId: ID!) {
    chatUpdated(deviceId: $deviceId) {
      id
      ...ChatListItem
    }
  }
`);

/**
 * One page of the device's recent chats, newest first; `after` is the previous page's end
 * cursor. The cache keeps it sorted as chats change (`src/lib/inbox-cache.ts`).
 */
export function useChats(deviceId: string, search: string, after: string | null) {
  const result = useQuery({
    query: ChatsQuery,
    variables: { deviceId, first: CHAT_PAGE_SIZE, after, search: search || null },
    requestPolicy: 'cache-and-network',
  });
  // Chat changes missed while the live connection was down: reload.
  const [, reexecute] = result;
  useOnReconnected(() => reexecute({ requestPolicy: 'network-only' }));
  return result;
}

/** Keeps the device's chats in the cache up to date (last message, unread count, order). */
export function useChatUpdates(deviceId: string) {
  useSubscription({ query: ChatUpdatedSubscription, variables: { deviceId } });
}

/**
 * One chat by its JID (for the open chat's header and unread count), found with the search the
 * server offers (JIDs contain what is searched); null while loading or when it is not a recent
 * chat.
 */
export function useChatByJid(deviceId: string, jid: string) {
  const [{ data }, reexecute] = useQuery({
    query: ChatsQuery,
    variables: { deviceId, first: 10, after: null, search: jid.split('@')[0] ?? jid },
    requestPolicy: 'cache-and-network',
  });
  useOnReconnected(() => reexecute({ requestPolicy: 'network-only' }));
  const node = data?.chats.nodes.find((chat) => chat.jid === jid);
  return node ? getFragmentData(ChatListItemFragment, node) : null;
}
