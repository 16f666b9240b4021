import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';

import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/errors';
import { useNow } from '@/lib/use-now';

import { useNewestMessages, useOlderMessages } from '../api/messages';
import { groupByDay, mergeMessages } from '../utils/thread';
import { ArrowDownIcon } from './inbox-icons';
import styles from './inbox.module.css';
import { MessageBubble } from './message-bubble';

/** What the inbox keeps of each chat. */
export const KEEP_RULE = 'wafleet keeps the newest 20 messages of each chat.';

// Closer to the bottom than this, the thread follows new messages.
const STICK_PX = 96;

export type ThreadProps = {
  deviceId: string;
  chatJid: string;
  /** The contact, as the chat's header names them. */
  contactName: string;
  timeZone: string;
};

/**
 * A chat's messages on WhatsApp's beige: day separators, our bubbles right, theirs left. It
 * opens at the newest message and follows new ones while the reader is at the bottom; "Load
 * older" pages back with the `before` cursor, keeping the reader's place.
 */
export function Thread({ deviceId, chatJid, contactName, timeZone }: ThreadProps) {
  const [{ data, error }] = useNewestMessages(deviceId, chatJid);
  const [cursors, setCursors] = useState<string[]>([]);
  const older = useOlderMessages(deviceId, chatJid, cursors);
  const now = useNow(60_000);

  const newest = data?.messages;
  const messages = useMemo(
    () =>
      mergeMessages([
        ...[...cursors].reverse().map((cursor) => older[cursor]?.data?.nodes ?? []),
        newest?.nodes ?? [],
      ]),
    [cursors, older, newest],
  );
  const days = useMemo(() => groupByDay(messages, timeZone, now), [messages, timeZone, now]);

  const lastCursor = cursors[cursors.length - 1];
  const oldest = lastCursor === undefined ? newest : older[lastCursor]?.data;
  const olderError = lastCursor === undefined ? undefined : older[lastCursor]?.error;
  const loadingOlder = lastCursor !== undefined && !oldest && !olderError;
  const nextCursor =
    oldest?.pageInfo.hasPreviousPage && oldest.pageInfo.startCursor
      ? oldest.pageInfo.startCursor
      : null;

  const scroller = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const seen = useRef<{ first: string | null; last: string | null; fromBottom: number }>({
    first: null,
    last: null,
    fromBottom: 0,
  });
  const [showJump, setShowJump] = useState(false);

  const toBottom = useCallback(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, []);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const first = messages[0]?.id ?? null;
    const last = messages[messages.length - 1]?.id ?? null;
    const before = seen.current;
    if (before.last === null) {
      toBottom();
    } else if (last !== before.last) {
      // A new message: follow it when at the bottom, and always for one we sent.
      if (stuck.current || messages[messages.length - 1]?.fromMe) toBottom();
    } else if (first !== before.first) {
      // Older messages came in above: keep what the reader was looking at in place.
      element.scrollTop = element.scrollHeight - before.fromBottom;
    }
    seen.current = { first, last, fromBottom: element.scrollHeight - element.scrollTop };
  }, [messages, toBottom]);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const distance = element.scrollHeight - element.scrollTop - element.clientHeight;
    stuck.current = distance < STICK_PX;
    seen.current.fromBottom = element.scrollHeight - element.scrollTop;
    setShowJump(distance > 3 * STICK_PX);
  };

  const onMediaLoad = useCallback(() => {
    if (stuck.current) toBottom();
  }, [toBottom]);

  return (
    <div className={styles.threadFrame}>
      <div
        ref={scroller}
        className={styles.thread}
        role="log"
        aria-label="Messages"
        tabIndex={0}
        onScroll={onScroll}
      >
        <div className={styles.threadInner}>
          <p className={styles.systemNote}>{KEEP_RULE}</p>
          {nextCursor ? (
            <div className={styles.loadOlder}>
              <Button
                variant="secondary"
                size="small"
                onClick={() =>
                  setCursors((current) =>
                    current.includes(nextCursor) ? current : [...current, nextCursor],
                  )
                }
              >
                Load older messages
              </Button>
            </div>
          ) : null}
          {loadingOlder ? <Spinner label="Loading older messages…" /> : null}
          <ErrorMessage message={errorMessage(olderError)} />

          {!data ? (
            error ? (
              <ErrorMessage message={errorMessage(error)} />
            ) : (
              <Spinner label="Loading messages…" />
            )
          ) : messages.length === 0 ? (
            <p className={styles.threadEmpty}>No messages in this chat yet.</p>
          ) : (
            days.map((group) => (
              <section key={group.day} className={styles.day} aria-label={group.label}>
                <h3 className={styles.daySeparator}>
                  <span>{group.label}</span>
                </h3>
                <ul className={styles.messages}>
                  {group.messages.map(({ message, first }) => (
                    <MessageBubble
                      key={message.id}
                      message={message}
                      first={first}
                      contactName={contactName}
                      timeZone={timeZone}
                      onMediaLoad={onMediaLoad}
                    />
                  ))}
                </ul>
              </section>
            ))
          )}
        </div>
      </div>
      {showJump ? (
        <button
          type="button"
          className={styles.jump}
          aria-label="Scroll to the newest message"
          onClick={toBottom}
        >
          <ArrowDownIcon />
        </button>
      ) : null}
    </div>
  );
}
