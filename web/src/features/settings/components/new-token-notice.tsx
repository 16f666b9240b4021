import { useId, useState } from 'react';

import { Button } from '@/components/ui/button';

import styles from './settings.module.css';

export type NewTokenNoticeProps = {
  name: string;
  token: string;
  onDone: () => void;
};

/** The one and only time a new API token's secret is shown. */
export function NewTokenNotice({ name, token, onDone }: NewTokenNoticeProps) {
  const titleId = useId();
  const inputId = useId();
  const [copyStatus, setCopyStatus] = useState<string | null>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopyStatus('Copied to the clipboard.');
    } catch {
      const input = document.getElementById(inputId);
      if (input instanceof HTMLInputElement) input.select();
      setCopyStatus(
        'Copying is blocked here: the token is selected, press Ctrl+C (⌘C) to copy it.',
      );
    }
  };

  return (
    <section className={styles.created} aria-labelledby={titleId}>
      <h3 className={styles.createdTitle} id={titleId}>
        Token “{name}” created
      </h3>
      <p className={styles.createdWarning}>
        Copy it now and keep it somewhere safe: <strong>it will not be shown again.</strong>
      </p>
      <div className={styles.tokenRow}>
        <label htmlFor={inputId} className="visually-hidden">
          New API token
        </label>
        <input
          id={inputId}
          className={styles.tokenValue}
          value={token}
          readOnly
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <Button variant="secondary" onClick={() => void copy()}>
          Copy
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
      {copyStatus ? (
        <p className={styles.copyStatus} role="status">
          {copyStatus}
        </p>
      ) : null}
    </section>
  );
}
