import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type ChangeEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react';

import { ErrorMessage } from '@/components/ui/error-message';
import { errorMessage } from '@/lib/errors';

import { useSendChatMessage } from '../api/send';
import { formatBytes, IMAGE_TYPES, imageProblem } from '../utils/image';
import { AttachIcon, CloseIcon, SendIcon } from './inbox-icons';
import styles from './inbox.module.css';

// The textarea grows with what is typed up to this height, then scrolls.
const MAX_TEXTAREA_PX = 132;

export type ComposerProps = {
  deviceId: string;
  chatJid: string;
  /** Who the chat is with, for the image preview's title. */
  contactName: string;
};

type Picked = { file: File; url: string };

/**
 * Where replies are written: Enter sends, Shift+Enter starts a new line. The clip picks a
 * picture, which is shown full size with a caption field before it is sent.
 */
export function Composer({ deviceId, chatJid, contactName }: ComposerProps) {
  const [text, setText] = useState('');
  const [textState, sendText] = useSendChatMessage();
  const [imageState, sendImage] = useSendChatMessage();
  const [picked, setPicked] = useState<Picked | null>(null);
  const [caption, setCaption] = useState('');
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const pickedRef = useRef<Picked | null>(null);

  // The textarea fits its text (one line when empty).
  useLayoutEffect(() => {
    const element = textarea.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${Math.min(element.scrollHeight, MAX_TEXTAREA_PX)}px`;
  }, [text]);

  // Opening a chat puts the cursor where the reply goes, as WhatsApp Web does.
  useEffect(() => textarea.current?.focus(), []);

  // The preview's object URL goes with the composer.
  useEffect(
    () => () => {
      if (pickedRef.current) URL.revokeObjectURL(pickedRef.current.url);
    },
    [],
  );

  const setPicture = (next: Picked | null) => {
    if (pickedRef.current) URL.revokeObjectURL(pickedRef.current.url);
    pickedRef.current = next;
    setPicked(next);
    setCaption('');
  };

  const send = async () => {
    const body = text.trim();
    if (!body || textState.fetching) return;
    setText('');
    const result = await sendText({ input: { deviceId, chatJid, text: body } });
    // Not sent: give the words back so nothing typed is lost.
    if (result.error) setText((current) => current || body);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // The same file can be picked again after a cancel.
    event.target.value = '';
    if (!file) return;
    const problem = imageProblem(file);
    setFileProblem(problem);
    if (!problem) setPicture({ file, url: URL.createObjectURL(file) });
  };

  const onSendImage = async (event: FormEvent) => {
    event.preventDefault();
    if (!picked || imageState.fetching) return;
    const result = await sendImage({
      input: { deviceId, chatJid, image: picked.file, caption: caption.trim() || null },
    });
    if (!result.error) {
      setPicture(null);
      textarea.current?.focus();
    }
  };

  return (
    <>
      {picked ? (
        <ImagePreview
          picked={picked}
          contactName={contactName}
          caption={caption}
          onCaption={setCaption}
          busy={imageState.fetching}
          error={errorMessage(imageState.error)}
          onCancel={() => {
            setPicture(null);
            textarea.current?.focus();
          }}
          onSubmit={(event) => void onSendImage(event)}
        />
      ) : null}
      <div className={styles.composerArea}>
        <ErrorMessage
          className={styles.composerError}
          message={fileProblem ?? errorMessage(textState.error)}
        />
        <form className={styles.composer} onSubmit={onSubmit}>
          <button
            type="button"
            className={styles.iconButton}
            aria-label="Attach image"
            title="Attach image"
            onClick={() => fileInput.current?.click()}
          >
            <AttachIcon />
          </button>
          <input
            ref={fileInput}
            type="file"
            accept={IMAGE_TYPES.join(',')}
            hidden
            tabIndex={-1}
            onChange={onFile}
          />
          <textarea
            ref={textarea}
            className={styles.input}
            aria-label="Message"
            placeholder="Type a message"
            rows={1}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              if (textState.error || fileProblem) setFileProblem(null);
            }}
            onKeyDown={onKeyDown}
          />
          <button
            type="submit"
            className={[styles.iconButton, styles.sendButton].join(' ')}
            aria-label="Send"
            title="Send"
            disabled={!text.trim()}
          >
            <SendIcon />
          </button>
        </form>
      </div>
    </>
  );
}

type ImagePreviewProps = {
  picked: Picked;
  contactName: string;
  caption: string;
  onCaption: (caption: string) => void;
  busy: boolean;
  error: string | null;
  onCancel: () => void;
  onSubmit: (event: FormEvent) => void;
};

/** The picked picture over the thread, with its caption, as WhatsApp shows it before sending. */
function ImagePreview({
  picked,
  contactName,
  caption,
  onCaption,
  busy,
  error,
  onCancel,
  onSubmit,
}: ImagePreviewProps) {
  const titleId = useId();
  const captionInput = useRef<HTMLInputElement>(null);
  useEffect(() => captionInput.current?.focus(), []);
  return (
    <section
      className={styles.photoPreview}
      aria-labelledby={titleId}
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || busy) return;
        // Closes the preview only, not the chat under it.
        event.preventDefault();
        onCancel();
      }}
    >
      <header className={styles.previewHeader}>
        <button
          type="button"
          className={styles.iconButton}
          aria-label="Cancel image"
          title="Cancel"
          onClick={onCancel}
          disabled={busy}
        >
          <CloseIcon />
        </button>
        <h3 className={styles.previewTitle} id={titleId}>
          Send a photo to {contactName}
        </h3>
      </header>
      <div className={styles.previewBody}>
        <img className={styles.previewImage} src={picked.url} alt="The photo to send" />
        <p className={styles.previewFacts}>
          {picked.file.name} · {formatBytes(picked.file.size)}
        </p>
      </div>
      <form className={styles.previewForm} onSubmit={onSubmit}>
        <ErrorMessage className={styles.composerError} message={error} />
        <div className={styles.previewRow}>
          <input
            ref={captionInput}
            className={styles.captionInput}
            aria-label="Caption"
            placeholder="Add a caption"
            value={caption}
            maxLength={4096}
            onChange={(event) => onCaption(event.target.value)}
          />
          <button
            type="submit"
            className={[styles.iconButton, styles.sendRound].join(' ')}
            aria-label="Send image"
            title="Send"
            disabled={busy}
            aria-busy={busy || undefined}
          >
            <SendIcon />
          </button>
        </div>
      </form>
    </section>
  );
}
