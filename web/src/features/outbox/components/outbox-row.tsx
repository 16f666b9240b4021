import { Button } from '@/components/ui/button';
import { getFragmentData, type FragmentType } from '@/gql';
import { errorMessage } from '@/lib/errors';
import { formatDate, formatDateTime, formatTime } from '@/lib/format';

import { OutboxRowFragment } from '../api/outbox';
import { useRetryOutboxMessage } from '../api/send';
import { sourceLabel, statusNote } from '../utils/status';
import styles from './outbox.module.css';
import { StatusBadge } from './status-badge';

export type OutboxRowProps = {
  message: FragmentType<typeof OutboxRowFragment>;
  timeZone: string;
};

/** One message of the outbox table (a card on narrow screens). */
export function OutboxRow({ message: masked, timeZone }: OutboxRowProps) {
  const message = getFragmentData(OutboxRowFragment, masked);
  const note = statusNote(message, timeZone);
  const caption = message.caption?.trim();
  return (
    <tr className={styles.row}>
      <td className={styles.time}>
        <time dateTime={message.createdAt} title={formatDateTime(message.createdAt, timeZone)}>
          <span className={styles.date}>{formatDate(message.createdAt, timeZone)}</span>{' '}
          <span className={styles.clock}>{formatTime(message.createdAt, timeZone)}</span>
        </time>
      </td>
      <td className={styles.deviceCell} data-label="From">
        {message.device ? (
          <>
            <span className={styles.primary}>{message.device.name}</span>
            {message.device.phone ? (
              <span className={styles.secondaryMono}>{message.device.phone}</span>
            ) : null}
          </>
        ) : (
          <span className={styles.missing}>Deleted device</span>
        )}
      </td>
      <td className={styles.toCell} data-label="To">
        {message.recipientName ? (
          <span className={styles.primary}>{message.recipientName}</span>
        ) : null}
        <span className={message.recipientName ? styles.secondaryMono : styles.mono}>
          {message.recipientPhone}
        </span>
      </td>
      <td className={styles.messageCell}>
        <p className={styles.preview}>
          {message.hasImage ? (
            <>
              <span className={styles.image}>📷 Image</span>
              {caption ? ` ${caption}` : null}
            </>
          ) : (
            message.text
          )}
        </p>
      </td>
      <td className={styles.sourceCell}>
        <span className={styles.source}>{sourceLabel(message.source)}</span>
      </td>
      <td className={styles.statusCell}>
        <div className={styles.status}>
          <StatusBadge status={message.status} />
          {note ? (
            <p className={[styles.note, note.tone === 'danger' ? styles.noteDanger : ''].join(' ')}>
              {note.text}
            </p>
          ) : null}
        </div>
      </td>
      <td className={styles.attempts}>
        <span className={styles.attemptsLabel}>Attempts </span>
        {message.attempts}
      </td>
      <td className={styles.actions}>
        {message.status === 'FAILED' ? <RetryButton id={message.id} /> : null}
      </td>
    </tr>
  );
}

/** Puts a failed message back in its device's queue; the row then follows it live. */
function RetryButton({ id }: { id: string }) {
  const [{ fetching, error }, retry] = useRetryOutboxMessage();
  const message = errorMessage(error);
  return (
    <div className={styles.retry}>
      <Button size="small" variant="secondary" busy={fetching} onClick={() => void retry({ id })}>
        Retry
      </Button>
      {message ? (
        <p role="alert" className={styles.retryError}>
          {message}
        </p>
      ) : null}
    </div>
  );
}
