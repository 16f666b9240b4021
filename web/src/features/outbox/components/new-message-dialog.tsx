import { useState, type FormEvent } from 'react';

import { DevicePicker } from '@/components/device-picker/device-picker';
import { Button } from '@/components/ui/button';
import { Dialog, DialogActions } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextAreaField, TextField } from '@/components/ui/field';
import { errorCode, errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';

import { useSendMessage } from '../api/send';
import {
  fieldOfServerError,
  MAX_TEXT,
  validateNewMessage,
  type NewMessageErrors,
} from '../utils/validation';
import styles from './outbox.module.css';

export type SentMessage = { outboxId: string | null; phone: string };

export type NewMessageDialogProps = {
  /** The device chosen at first (the one the screen is filtered by, if any). */
  defaultDeviceId: string | null;
  onClose: () => void;
  onSent: (sent: SentMessage) => void;
};

/** Sends a text from one of the user's devices to a phone number. */
export function NewMessageDialog({ defaultDeviceId, onClose, onSent }: NewMessageDialogProps) {
  const [{ fetching, error }, send] = useSendMessage();
  const [deviceId, setDeviceId] = useState<string | null>(defaultDeviceId);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<NewMessageErrors>({});
  // The server's complaint shown next to its field (not again below the form).
  const [placed, setPlaced] = useState<string | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const checked = validateNewMessage({
      deviceId: formText(form, 'deviceId'),
      phone: formText(form, 'phone'),
      text: formText(form, 'text'),
    });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    const result = await send({ input: checked.input });
    if (result.data) {
      onSent({ outboxId: result.data.sendMessage.outboxId ?? null, phone: checked.input.phone });
      return;
    }
    // The server's word on the number or the text goes next to that field.
    const serverMessage = errorMessage(result.error);
    if (errorCode(result.error) === 'BAD_USER_INPUT' && serverMessage) {
      const field = fieldOfServerError(serverMessage);
      if (field) {
        setErrors({ [field]: serverMessage });
        setPlaced(serverMessage);
        return;
      }
    }
    setPlaced(null);
  };

  const serverError = errorMessage(error);
  const length = [...text].length;

  return (
    <Dialog open title="New message" size="medium" onClose={onClose} busy={fetching}>
      <form
        className={styles.form}
        onSubmit={(event) => void onSubmit(event)}
        // A field's complaint goes once the field is changed.
        onChange={(event) => {
          const target: EventTarget = event.target;
          const name =
            target instanceof HTMLInputElement ||
            target instanceof HTMLTextAreaElement ||
            target instanceof HTMLSelectElement
              ? target.name
              : '';
          if (name in errors) {
            setErrors((current) => {
              const rest = { ...current };
              delete rest[name as keyof NewMessageErrors];
              return rest;
            });
          }
        }}
        noValidate
      >
        <p className={styles.formIntro}>
          The message joins the device’s queue and goes out at its pace; follow it in the outbox.
        </p>
        <DevicePicker
          name="deviceId"
          value={deviceId}
          onChange={setDeviceId}
          requirePaired
          chooseFirst
          error={errors.deviceId}
        />
        <TextField
          label="Phone number"
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          placeholder="+60 12-345 6789"
          hint="With the country code."
          error={errors.phone}
        />
        <TextAreaField
          label="Message"
          name="text"
          rows={4}
          value={text}
          onChange={(event) => setText(event.target.value)}
          hint={`${length.toLocaleString('en-US')} / ${MAX_TEXT.toLocaleString('en-US')} characters`}
          error={errors.text}
        />
        {serverError === placed ? null : <ErrorMessage message={serverError} />}
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={fetching}>
            Send
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
