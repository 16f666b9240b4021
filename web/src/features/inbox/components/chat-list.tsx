import { useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { getFragmentData, type FragmentType } from '@/gql';
import type { InboxChatsQuery } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';

import { ChatListItemFragment, useChats } from '../api/chats';
import { MessageBubbleFragment, useCachedNewestMessage } from '../api/messages';
import { chatTitle } from '../utils/chat';
import { formatChatTime } from '../utils/time';
import { Avatar } from './avatar';
import { LockIcon } from './inbox-icons';
import styles from './inbox.module.css';
import { MessageTicks } from './message-ticks';

/** The rule that decides which chats the inbox lists. */
export const CHAT_RULE = 'Only personal chats with a message in the last 30 days appear here.';

type Connection = InboxChatsQuery['chats'];

type ItemProps = {
  deviceId: string;
  selectedJid: string | null;
  /** The one chat the Tab key stops at; arrow keys move between the others. */
  tabJid: string | null;
  timeZone: string;
  now: number;
};

export type ChatListProps = Omit<ItemProps, 'tabJid'> & {
  /** What the search box holds, as the server should get it ('' for all chats). */
  search: string;
};

/**
 * The device's chats, newest first: the first page, then each page "Load more" asked for. The
 * cache keeps every page in order as chats change; remount (a new `key`) to start over.
 */
export function ChatList({ search, ...listProps }: ChatListProps) {
  const [{ data, error }] = useChats(listProps.deviceId, search, null);
  const [cursors, setCursors] = useState<string[]>([]);
  const [focusedJid, setFocusedJid] = useState<string | null>(null);
  const loadMore = (cursor: string) =>
    setCursors((current) => (current.includes(cursor) ? current : [...current, cursor]));

  if (!data) {
    return (
      <div className={styles.listState}>
        {error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : (
          <Spinner label="Loading chats…" />
        )}
      </div>
    );
  }

  if (data.chats.nodes.length === 0) {
    return (
      <div className={styles.listEmpty}>
        <p className={styles.listEmptyTitle}>
          {search ? `No chats match “${search}”.` : 'No chats yet'}
        </p>
        <p className={styles.listEmptyText}>
          {CHAT_RULE} Group chats, status updates and channels never do.
        </p>
      </div>
    );
  }

  // One Tab stop for the whole list (the chat last focused, else the open one, else the first).
  const jids = data.chats.nodes.map((chat) => chat.jid);
  const tabJid =
    [focusedJid, listProps.selectedJid].find((jid) => jid !== null && jids.includes(jid)) ??
    jids[0] ??
    null;
  const itemProps: ItemProps = { ...listProps, tabJid };

  return (
    <div className={styles.listScroller}>
      <ul
        className={styles.chatList}
        aria-label="Chats"
        onKeyDown={moveFocus}
        onFocus={(event) => {
          const jid = event.target.getAttribute('data-chat');
          if (jid) setFocusedJid(jid);
        }}
      >
        <Items connection={data.chats} {...itemProps} />
        {cursors.length === 0 ? (
          <LoadMore connection={data.chats} onLoadMore={loadMore} />
        ) : (
          cursors.map((after, index) => (
            <MoreChats
              key={after}
              search={search}
              after={after}
              isLast={index === cursors.length - 1}
              onLoadMore={loadMore}
              {...itemProps}
            />
          ))
        )}
      </ul>
      <p className={styles.listNote}>
        <LockIcon />
        {CHAT_RULE}
      </p>
    </div>
  );
}

/** Arrow keys, Home and End move through the chats, as in WhatsApp Web. */
function moveFocus(event: KeyboardEvent<HTMLUListElement>) {
  const items = [...event.currentTarget.querySelectorAll<HTMLElement>('[data-chat]')];
  const at = items.indexOf(document.activeElement as HTMLElement);
  if (at === -1) return;
  const next = {
    ArrowDown: Math.min(at + 1, items.length - 1),
    ArrowUp: Math.max(at - 1, 0),
    Home: 0,
    End: items.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  items[next]?.focus();
}

function Items({ connection, ...props }: ItemProps & { connection: Connection }) {
  return connection.nodes.map((chat) => <ChatListItem key={chat.id} chat={chat} {...props} />);
}

function LoadMore({
  connection,
  onLoadMore,
}: {
  connection: Connection;
  onLoadMore: (cursor: string) => void;
}) {
  const { hasNextPage, endCursor } = connection.pageInfo;
  if (!hasNextPage || !endCursor) return null;
  return (
    <li className={styles.listMore}>
      <Button variant="secondary" size="small" onClick={() => onLoadMore(endCursor)}>
        Load more chats
      </Button>
    </li>
  );
}

type MoreChatsProps = ItemProps & {
  search: string;
  after: string;
  isLast: boolean;
  onLoadMore: (cursor: string) => void;
};

function MoreChats({ search, after, isLast, onLoadMore, ...itemProps }: MoreChatsProps) {
  const [{ data, error }] = useChats(itemProps.deviceId, search, after);
  if (!data) {
    return (
      <li className={styles.listMore}>
        {error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : (
          <Spinner label="Loading more chats…" />
        )}
      </li>
    );
  }
  return (
    <>
      <Items connection={data.chats} {...itemProps} />
      {isLast ? <LoadMore connection={data.chats} onLoadMore={onLoadMore} /> : null}
    </>
  );
}

export type ChatListItemProps = ItemProps & {
  chat: FragmentType<typeof ChatListItemFragment>;
};

/** One chat: picture, name, when, the last message (with our ticks) and the unread count. */
export function ChatListItem({
  chat: masked,
  deviceId,
  selectedJid,
  tabJid,
  timeZone,
  now,
}: ChatListItemProps) {
  const chat = getFragmentData(ChatListItemFragment, masked);
  const title = chatTitle(chat);
  const selected = chat.jid === selectedJid;
  const unread = selected ? 0 : chat.unreadCount;
  return (
    <li>
      <Link
        to={{ search: `?chat=${encodeURIComponent(chat.jid)}` }}
        className={[styles.chatItem, selected ? styles.chatItemSelected : ''].join(' ')}
        aria-current={selected ? 'true' : undefined}
        data-chat={chat.jid}
        tabIndex={chat.jid === tabJid ? 0 : -1}
      >
        <Avatar name={chat.name} colourKey={chat.jid} />
        <span className={styles.chatBody}>
          <span className={styles.chatLine}>
            <span className={styles.chatName} title={title}>
              {title}
              {/* Read out with the name; the badge below shows the number. */}
              {unread > 0 ? (
                <span className="visually-hidden">, {pluralize(unread, 'unread message')}</span>
              ) : null}
            </span>
            <time
              className={[styles.chatTime, unread > 0 ? styles.chatTimeUnread : ''].join(' ')}
              dateTime={chat.lastMessageAt ?? undefined}
            >
              {formatChatTime(chat.lastMessageAt, timeZone, now)}
            </time>
          </span>
          <span className={styles.chatLine}>
            <span className={styles.preview}>
              {chat.lastMessageFromMe ? <OwnLastTicks deviceId={deviceId} jid={chat.jid} /> : null}
              <span className={styles.previewText}>{chat.lastMessageText ?? ''}</span>
            </span>
            {unread > 0 ? (
              <span className={styles.unreadBadge} aria-hidden="true">
                {unread > 99 ? '99+' : unread}
              </span>
            ) : null}
          </span>
        </span>
      </Link>
    </li>
  );
}

/**
 * The ticks of our last message in a chat: its status when its thread is in the cache (opened
 * in this session), else one tick (the chat list does not carry the status).
 */
function OwnLastTicks({ deviceId, jid }: { deviceId: string; jid: string }) {
  const newest = useCachedNewestMessage(deviceId, jid);
  const message = newest ? getFragmentData(MessageBubbleFragment, newest) : null;
  const status = message?.fromMe && message.status ? message.status : 'SENT';
  return <MessageTicks status={status} />;
}
