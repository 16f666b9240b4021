import { useEffect } from 'react';
import { useQuery } from 'urql';

import { graphql } from '@/gql';
import { useOnReconnected } from '@/lib/realtime';

/** How many waiting chats one page (and each "Load more") brings. */
export const WAITING_PAGE_SIZE = 50;

/**
 * How often the list is read again. Chats change on thousands of devices; following each of
 * them live would mean a subscription per device, so the fleet-wide list is re-read instead.
 */
export const WAITING_REFRESH_MS = 20_000;

export const WaitingChatsQuery = graphql(`
  query WaitingChats($first: Int!, $after: String) {
    waitingChats(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        waitingSince
        chat {
          id
          jid
          phone
          name
          lastMessageText
          unreadCount
        }
        device {
          id
          name
          status
        }
      }
    }
  }
`);

/** One page of the chats waiting for an answer, longest waiting first, re-read regularly. */
export function useWaitingChats(after: string | null) {
  const result = useQuery({
    query: WaitingChatsQuery,
    variables: { first: WAITING_PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });
  const [, reexecute] = result;
  useOnReconnected(() => reexecute({ requestPolicy: 'network-only' }));
  useEffect(() => {
    const timer = window.setInterval(
      () => reexecute({ requestPolicy: 'network-only' }),
      WAITING_REFRESH_MS,
    );
    return () => window.clearInterval(timer);
  }, [reexecute]);
  return result;
}
