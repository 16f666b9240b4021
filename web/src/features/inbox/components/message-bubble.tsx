import { useState } from 'react';

import { Dialog } from '@/components/ui/dialog';
import { getFragmentData, type FragmentType } from '@/gql';

import { MessageBubbleFragment } from '../api/messages';
import { useMediaImage } from '../api/media';
import { linkify } from '../utils/links';
import { formatClock } from '../utils/time';
import { CameraIcon } from './inbox-icons';
import styles from './inbox.module.css';
import { MessageTicks } from './message-ticks';

export type MessageBubbleProps = {
  message: FragmentType<typeof MessageBubbleFragment>;
  /** The first of a run from the same side: it gets the little tail. */
  first: boolean;
  /** Who wrote the contact's messages (for screen readers). */
  contactName: string;
  timeZone: string;
  /** An image finished loading (the thread may need to scroll to stay at the bottom). */
  onMediaLoad?: () => void;
};

/** One message: ours on the right in green, theirs on the left in white, time and ticks inside. */
export function MessageBubble({
  message: masked,
  first,
  contactName,
  timeZone,
  onMediaLoad,
}: MessageBubbleProps) {
  const message = getFragmentData(MessageBubbleFragment, masked);
  const caption = message.hasImage ? (message.caption ?? message.text) : null;
  const body = message.hasImage ? caption : message.text;
  const metaOverImage = message.hasImage && !body;

  const meta = (
    <span className={[styles.meta, metaOverImage ? styles.metaOverImage : ''].join(' ')}>
      <time dateTime={message.timestamp}>{formatClock(message.timestamp, timeZone)}</time>
      {message.fromMe ? <MessageTicks status={message.status} withFailedText /> : null}
    </span>
  );

  return (
    <li
      className={[
        styles.row,
        message.fromMe ? styles.rowOut : styles.rowIn,
        first ? styles.rowFirst : '',
      ].join(' ')}
    >
      <div
        className={[
          styles.bubble,
          message.fromMe ? styles.bubbleOut : styles.bubbleIn,
          first ? styles.bubbleTail : '',
          message.hasImage ? styles.bubbleImage : '',
          message.status === 'FAILED' ? styles.bubbleFailed : '',
        ].join(' ')}
      >
        <span className="visually-hidden">{message.fromMe ? 'You:' : `${contactName}:`}</span>
        {message.hasImage ? (
          <BubbleImage mediaUrl={message.mediaUrl} caption={caption} onLoad={onMediaLoad} />
        ) : null}
        {body ? (
          <p className={styles.text}>
            <MessageText text={body} />
            <span className={styles.metaSpacer} aria-hidden="true" />
          </p>
        ) : null}
        {meta}
      </div>
    </li>
  );
}

/** The text with its web addresses as links, opened in a new tab with nothing passed on. */
function MessageText({ text }: { text: string }) {
  return linkify(text).map((part, index) =>
    part.href ? (
      <a
        key={index}
        className={styles.link}
        href={part.href}
        target="_blank"
        rel="noopener noreferrer"
      >
        {part.text}
      </a>
    ) : (
      part.text
    ),
  );
}

function BubbleImage({
  mediaUrl,
  caption,
  onLoad,
}: {
  mediaUrl: string | null | undefined;
  caption: string | null | undefined;
  onLoad?: () => void;
}) {
  const { src, failed } = useMediaImage(mediaUrl);
  const [viewing, setViewing] = useState(false);
  if (src) {
    const alt = caption ? `Photo: ${caption}` : 'Photo';
    return (
      <>
        <button
          type="button"
          className={styles.imageButton}
          aria-label={`Open the photo${caption ? `: ${caption}` : ''}`}
          onClick={() => setViewing(true)}
        >
          <img className={styles.image} src={src} alt={alt} onLoad={onLoad} />
        </button>
        {viewing ? (
          <Dialog open title={caption ?? 'Photo'} size="viewer" onClose={() => setViewing(false)}>
            <img className={styles.viewerImage} src={src} alt={alt} />
          </Dialog>
        ) : null}
      </>
    );
  }
  // Received pictures whose bytes wafleet does not keep, and pictures still loading.
  const loading = !!mediaUrl && !failed;
  return (
    <div
      className={styles.imagePlaceholder}
      role="img"
      aria-label={loading ? 'Photo, loading' : 'Photo'}
    >
      <CameraIcon width="28" height="28" />
      <span>{loading ? 'Loading photo…' : 'Photo'}</span>
    </div>
  );
}
