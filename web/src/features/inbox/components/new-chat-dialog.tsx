import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextAreaField, TextField } from '@/components/ui/field';
import { errorMessage } from '@/lib/errors';

import { useSendChatMessage } from '../api/send';
import { phoneProblem } from '../utils/chat';
import styles from './inbox.module.css';

export type NewChatDialogProps = {
  deviceId: string;
  /** The device writing, as the dialog names it. */
  deviceName: string;
  onClose: () => void;
  /** The first message went out: open its chat. */
  onStarted: (chatJid: string) => void;
};

/** Starts a chat with a phone number by sending the first message to it. */
export function NewChatDialog({ deviceId, deviceName, onClose, onStarted }: NewChatDialogProps) {
  const [phone, setPhone] = useState('');
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<{ phone?: string | null; text?: string | null }>({});
  const [state, send] = useSendChatMessage();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = {
      phone: phoneProblem(phone),
      text: text.trim() ? null : 'Write the first message.',
    };
    setErrors(problems);
    if (problems.phone || problems.text) return;
    const result = await send({ input: { deviceId, phone: phone.trim(), text: text.trim() } });
    const chatJid = result.data?.sendMessage.chatJid;
    if (chatJid) onStarted(chatJid);
  };

  return (
    <Dialog open title="New chat" onClose={onClose} busy={state.fetching}>
      <form className={styles.dialogForm} onSubmit={(event) => void onSubmit(event)} noValidate>
        <p className={styles.dialogText}>
          Write to any WhatsApp number from <strong>{deviceName}</strong>. The chat appears in the
          list once the first message is on its way.
        </p>
        <ErrorMessage message={errorMessage(state.error)} />
        <TextField
          label="Phone number"
          type="tel"
          autoComplete="off"
          placeholder="+60123456789"
          hint="With the country code."
          value={phone}
          error={errors.phone}
          onChange={(event) => setPhone(event.target.value)}
        />
        <TextAreaField
          label="First message"
          value={text}
          error={errors.text}
          onChange={(event) => setText(event.target.value)}
        />
        <div className={styles.dialogActions}>
          <Button variant="secondary" onClick={onClose} disabled={state.fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={state.fetching} busyLabel="Sending…">
            Start chat
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
