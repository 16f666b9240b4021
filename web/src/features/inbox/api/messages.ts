import { useEffect, useState } from 'react';
import { useClient, useQuery, useSubscription, type CombinedError } from 'urql';
import { pipe, subscribe } from 'wonka';

import { graphql } from '@/gql';
import type { InboxMessagesQuery } from '@/gql/graphql';
import { useOnReconnected } from '@/lib/realtime';

import { newestId } from '../utils/thread';

/** How many messages one page of a thread brings (the server keeps 20 per chat by default). */
export const MESSAGE_PAGE_SIZE = 20;

export const MessageBubbleFragment = graphql(`
  fragment MessageBubble on Message {
    id
    whatsappId
    chatJid
    fromMe
    text
    hasImage
    mediaUrl
    caption
    timestamp
    status
  }
`);

export const MessagesQuery = graphql(`
  query InboxMessages($deviceId: ID!, $chatJid: String!, $last: Int!, $before: String) {
    messages(deviceId: $deviceId, chatJid: $chatJid, last: $last, before: $before) {
      pageInfo {
        hasPreviousPage
        startCursor
      }
      nodes {
        id
        timestamp
        fromMe
        ...MessageBubble
      }
    }
  }
`);

export const MessageAddedSubscription = graphql(`
  subscription InboxMessageAdded($deviceId: ID!, $after: ID) {
    messageAdded(deviceId: $deviceId, after: $after) {
      id
      chatJid
      timestamp
      fromMe
      ...MessageBubble
    }
  }
`);

export const MessageUpdatedSubscription = graphql(`
  subscription InboxMessageUpdated($deviceId: ID!) {
    messageUpdated(deviceId: $deviceId) {
      id
      ...MessageBubble
    }
  }
`);

export type MessagePage = InboxMessagesQuery['messages'];

/** The newest messages of a chat; live messages join this page in the cache. */
export function useNewestMessages(deviceId: string, chatJid: string) {
  const result = useQuery({
    query: MessagesQuery,
    variables: { deviceId, chatJid, last: MESSAGE_PAGE_SIZE, before: null },
    requestPolicy: 'cache-and-network',
  });
  // Status changes missed while the live connection was down: reload.
  const [, reexecute] = result;
  useOnReconnected(() => reexecute({ requestPolicy: 'network-only' }));
  return result;
}

export type OlderPage = { data?: MessagePage; error?: CombinedError };

/**
 * The older pages of a chat, one per `before` cursor ("Load older"), each read from the cache
 * (so status changes show) and fetched once.
 */
export function useOlderMessages(
  deviceId: string,
  chatJid: string,
  cursors: readonly string[],
): Record<string, OlderPage> {
  const client = useClient();
  const [pages, setPages] = useState<Record<string, OlderPage>>({});
  useEffect(() => {
    const subscriptions = cursors.map((before) =>
      pipe(
        client.query(MessagesQuery, { deviceId, chatJid, last: MESSAGE_PAGE_SIZE, before }),
        subscribe((result) =>
          setPages((current) => ({
            ...current,
            [before]: { data: result.data?.messages, error: result.error },
          })),
        ),
      ),
    );
    return () => subscriptions.forEach((subscription) => subscription.unsubscribe());
  }, [client, deviceId, chatJid, cursors]);
  return pages;
}

/**
 * Follows the device's messages: new ones join their threads, ours move PENDING → SENT →
 * DELIVERED → READ. After the live connection drops, the subscription starts again from the
 * newest message seen, so the server sends the ones missed meanwhile first.
 */
export function useMessageUpdates(deviceId: string) {
  const [after, setAfter] = useState<string | null>(null);
  const [{ data: newestSeen }] = useSubscription(
    { query: MessageAddedSubscription, variables: { deviceId, after } },
    (newest: string | null = null, event: { messageAdded: { id: string } }) =>
      newestId([newest, event.messageAdded.id]),
  );
  useSubscription({ query: MessageUpdatedSubscription, variables: { deviceId } });
  useOnReconnected(() => {
    const from = newestId([newestSeen, after]);
    if (from) setAfter(from);
  });
}

/**
 * The newest cached message of a chat, if its thread was loaded in this session (never asks the
 * server): the chat list shows the ticks of our last message from it.
 */
export function useCachedNewestMessage(deviceId: string, chatJid: string, pause = false) {
  const [{ data }] = useQuery({
    query: MessagesQuery,
    variables: { deviceId, chatJid, last: MESSAGE_PAGE_SIZE, before: null },
    requestPolicy: 'cache-only',
    pause,
  });
  return data?.messages.nodes.at(-1) ?? null;
}
