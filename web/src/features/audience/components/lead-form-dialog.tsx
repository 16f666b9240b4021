import { useState, type FormEvent } from 'react';

import { DevicePicker } from '@/components/device-picker/device-picker';
import { Button } from '@/components/ui/button';
import { Dialog, DialogActions } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextAreaField, TextField } from '@/components/ui/field';
import { errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';

import {
  useCreateAiLead,
  useCreateLead,
  useUpdateAiLead,
  useUpdateLead,
  type AudienceRow,
} from '../api/audience';
import {
  isTargetStatus,
  parseTags,
  TARGET_STATUSES,
  targetStatusLabel,
  type AudienceKind,
} from '../utils/filters';
import styles from './audience.module.css';

export type LeadFormDialogProps = {
  kind: AudienceKind;
  /** The row to edit; a new one is created without it. */
  row: AudienceRow | null;
  defaultDeviceId: string | null;
  onClose: () => void;
  onSaved: (message: string) => void;
};

const targetOptions = TARGET_STATUSES.map((status) => ({
  value: status,
  label: targetStatusLabel(status),
}));

/** Creates or edits one lead (or AI lead); the server checks the phone and says what is wrong. */
export function LeadFormDialog({
  kind,
  row,
  defaultDeviceId,
  onClose,
  onSaved,
}: LeadFormDialogProps) {
  const [createLeadState, createLead] = useCreateLead();
  const [updateLeadState, updateLead] = useUpdateLead();
  const [createAiState, createAiLead] = useCreateAiLead();
  const [updateAiState, updateAiLead] = useUpdateAiLead();
  const [deviceId, setDeviceId] = useState<string | null>(row?.deviceId ?? defaultDeviceId);
  const [phoneError, setPhoneError] = useState<string | null>(null);
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const fetching =
    createLeadState.fetching ||
    updateLeadState.fetching ||
    createAiState.fetching ||
    updateAiState.fetching;
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const phone = formText(form, 'phone').trim();
    const target = formText(form, 'targetStatus');
    const fields = {
      name: formText(form, 'name').trim(),
      phone,
      niches: parseTags(formText(form, 'niches')),
      targetStatus: isTargetStatus(target) ? target : null,
      notes: formText(form, 'notes').trim(),
    };
    setPhoneError(phone ? null : 'Enter the phone number.');
    const needsDevice = kind === 'leads' && !deviceId;
    setDeviceError(needsDevice ? 'Choose the device the lead belongs to.' : null);
    if (!phone || needsDevice) return;
    const triggers = parseTags(formText(form, 'triggers'));
    let result;
    if (kind === 'leads') {
      result = row
        ? await updateLead({ id: row.id, input: { ...fields, deviceId, triggers } })
        : await createLead({ input: { ...fields, deviceId: deviceId ?? '', triggers } });
    } else {
      result = row
        ? await updateAiLead({ id: row.id, input: fields })
        : await createAiLead({ input: fields });
    }
    if (result.error) {
      setError(errorMessage(result.error));
      return;
    }
    onSaved(row ? `${fields.name || phone} was saved.` : `${fields.name || phone} was added.`);
  };

  const noun = kind === 'leads' ? 'lead' : 'AI lead';
  return (
    <Dialog
      open
      title={row ? `Edit ${noun}` : `New ${noun}`}
      size="medium"
      onClose={onClose}
      busy={fetching}
    >
      <form className={styles.form} onSubmit={(event) => void onSubmit(event)} noValidate>
        {kind === 'leads' ? (
          <DevicePicker
            name="deviceId"
            value={deviceId}
            onChange={setDeviceId}
            chooseFirst={!row}
            error={deviceError}
          />
        ) : null}
        <TextField label="Name" name="name" defaultValue={row?.name ?? ''} autoComplete="off" />
        <TextField
          label="Phone number"
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          placeholder="+60 12-345 6789"
          hint="With the country code."
          defaultValue={row?.phone ?? ''}
          error={phoneError}
        />
        <TextField
          label="Tags"
          name="niches"
          hint="Separated by commas."
          defaultValue={row?.niches.join(', ') ?? ''}
          autoComplete="off"
        />
        {kind === 'leads' ? (
          <TextField
            label="Triggers"
            name="triggers"
            hint="Words that start a sequence, separated by commas."
            defaultValue={row?.triggers.join(', ') ?? ''}
            autoComplete="off"
          />
        ) : null}
        <SelectField
          label="Target"
          name="targetStatus"
          options={targetOptions}
          defaultValue={row?.targetStatus ?? 'PROSPECT'}
        />
        <TextAreaField label="Notes" name="notes" rows={3} defaultValue={row?.notes ?? ''} />
        <ErrorMessage message={error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={fetching}>
            {row ? 'Save' : `Add ${noun}`}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
