import { useId, useRef } from 'react';

import { insertToken, PLACEHOLDERS } from './template';

import styles from './template-editor.module.css';

export type TemplateEditorProps = {
  value: string;
  onChange: (value: string) => void;
  label?: string;
  error?: string;
};

/**
 * The message template: a text area and chips that insert `{name}`, `{name|there}` or `{phone}`
 * where the caret is (spintax such as `{Hi|Hello}` is typed by hand).
 */
export function TemplateEditor({ value, onChange, label = 'Message', error }: TemplateEditorProps) {
  const textRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;

  const insert = (token: string) => {
    const area = textRef.current;
    const next = insertToken(value, token, area?.selectionStart, area?.selectionEnd);
    onChange(next.text);
    // After React has put the new text in, put the caret just after the token.
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(next.caret, next.caret);
    });
  };

  return (
    <div className={styles.editor}>
      <label htmlFor={id}>{label}</label>
      <div className={styles.chips} role="group" aria-label="Insert a placeholder">
        {PLACEHOLDERS.map((chip) => (
          <button
            key={chip.token}
            type="button"
            className={styles.chip}
            title={chip.hint}
            onClick={() => insert(chip.token)}
          >
            {chip.label}
          </button>
        ))}
      </div>
      <textarea
        id={id}
        ref={textRef}
        className={styles.text}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        aria-invalid={error ? true : undefined}
      />
      <small id={hintId}>Variations: {'{Hi|Hello|{Good day|Hey}}'} picks one per recipient.</small>
      {error ? (
        <small id={errorId} role="alert">
          {error}
        </small>
      ) : null}
    </div>
  );
}
