import { useState } from 'react';
import { Link } from 'react-router';

import { Page } from '@/components/layouts/page';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { InboxIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import { deviceInboxPath, paths } from '@/config/paths';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';
import { useNow } from '@/lib/use-now';

import { useWaitingChats } from '../api/waiting';
import { chatTitle } from '../utils/chat';
import { formatWaited, formatWaitingSince, waitTone } from '../utils/waited';
import styles from './waiting.module.css';

/**
 * "Who is waiting": the chats of every device whose newest message is the contact's, longest
 * waiting first. Each row opens the chat in its device's inbox.
 */
export function WaitingScreen({ timeZone }: { timeZone: string }) {
  const [{ data, error }] = useWaitingChats(null);
  const [cursors, setCursors] = useState<string[]>([]);
  const now = useNow(30_000);
  const loadMore = (cursor: string) =>
    setCursors((current) => (current.includes(cursor) ? current : [...current, cursor]));
  const total = data?.waitingChats.totalCount ?? null;

  return (
    <Page
      title="Waiting for a reply"
      description={
        total === null
          ? 'Chats of all your devices whose last message is from the contact, longest waiting first.'
          : total === 0
            ? 'Nobody is waiting: every recent chat has your answer last.'
            : `${pluralize(total, 'chat')} across your devices, longest waiting first. Open one to answer it.`
      }
    >
      {!data ? (
        error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : (
          <Spinner label="Loading the chats that wait…" />
        )
      ) : data.waitingChats.nodes.length === 0 ? (
        <EmptyState
          icon={<InboxIcon />}
          title="Nobody is waiting"
          action={{ label: 'Open the inbox', to: paths.inbox }}
        >
          When a contact writes to one of your devices and nobody has answered yet, the chat shows
          up here, with how long they have waited.
        </EmptyState>
      ) : (
        <ol className={styles.list} aria-label="Chats waiting for a reply">
          <Rows connection={data.waitingChats} now={now} timeZone={timeZone} />
          {cursors.length === 0 ? (
            <LoadMore connection={data.waitingChats} onLoadMore={loadMore} />
          ) : (
            cursors.map((after, index) => (
              <MoreRows
                key={after}
                after={after}
                isLast={index === cursors.length - 1}
                now={now}
                timeZone={timeZone}
                onLoadMore={loadMore}
              />
            ))
          )}
        </ol>
      )}
    </Page>
  );
}

type Connection = NonNullable<ReturnType<typeof useWaitingChats>[0]['data']>['waitingChats'];

function Rows({
  connection,
  now,
  timeZone,
}: {
  connection: Connection;
  now: number;
  timeZone: string;
}) {
  return connection.nodes.map(({ chat, device, waitingSince }) => {
    const waited = now - Date.parse(waitingSince);
    const title = chatTitle(chat);
    return (
      <li key={chat.id} className={styles.row}>
        <Link
          className={styles.link}
          to={
            device
              ? `${deviceInboxPath(device.id)}?chat=${encodeURIComponent(chat.jid)}`
              : paths.inbox
          }
        >
          <span className={styles.who}>
            <span className={styles.name}>{title}</span>
            {chat.phone && chat.phone !== title ? (
              <span className={styles.phone}>{chat.phone}</span>
            ) : null}
          </span>
          <span className={styles.text}>{chat.lastMessageText ?? 'A message'}</span>
          <span className={styles.meta}>
            <span className={styles.device}>on {device?.name ?? 'a removed device'}</span>
            <span className={styles.since}>{formatWaitingSince(waitingSince, timeZone, now)}</span>
            <Badge tone={waitTone(waited)}>
              <span className="visually-hidden">waiting </span>
              {formatWaited(waited)}
            </Badge>
          </span>
        </Link>
      </li>
    );
  });
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
    <li className={styles.more}>
      <Button variant="secondary" size="small" onClick={() => onLoadMore(endCursor)}>
        Load more chats
      </Button>
    </li>
  );
}

function MoreRows({
  after,
  isLast,
  now,
  timeZone,
  onLoadMore,
}: {
  after: string;
  isLast: boolean;
  now: number;
  timeZone: string;
  onLoadMore: (cursor: string) => void;
}) {
  const [{ data, error }] = useWaitingChats(after);
  if (!data) {
    return (
      <li className={styles.more}>
        {error ? <ErrorMessage message={errorMessage(error)} /> : <Spinner label="Loading…" />}
      </li>
    );
  }
  return (
    <>
      <Rows connection={data.waitingChats} now={now} timeZone={timeZone} />
      {isLast ? <LoadMore connection={data.waitingChats} onLoadMore={onLoadMore} /> : null}
    </>
  );
}
