import { useState, type FormEvent } from 'react';

import { DevicePicker } from '@/components/device-picker/device-picker';
import { Button } from '@/components/ui/button';
import { ConfirmDialog, Dialog, DialogActions } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextField } from '@/components/ui/field';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';
import { pluralize } from '@/lib/format';

import {
  useDeleteAiLeads,
  useDeleteLeads,
  useMoveLeads,
  useOptOut,
  useRetagAiLeads,
  useRetagLeads,
  type AudienceRow,
} from '../api/audience';
import { useEnrollChoices, useEnrollLeads } from '../api/enroll';
import { parseTags, type AudienceKind } from '../utils/filters';
import styles from './audience.module.css';

export type BulkAction = 'delete' | 'retag' | 'move' | 'optOut' | 'enroll';

export type BulkDialogProps = {
  kind: AudienceKind;
  action: BulkAction;
  rows: readonly AudienceRow[];
  onClose: () => void;
  /** Called with the sentence that says what was done. */
  onDone: (message: string) => void;
};

/** The dialog of one action on the selected rows. */
export function BulkDialog(props: BulkDialogProps) {
  switch (props.action) {
    case 'delete':
      return <DeleteDialog {...props} />;
    case 'retag':
      return <RetagDialog {...props} />;
    case 'move':
      return <MoveDialog {...props} />;
    case 'optOut':
      return <OptOutDialog {...props} />;
    case 'enroll':
      return <EnrollDialog {...props} />;
  }
}

function noun(kind: AudienceKind, count: number) {
  return pluralize(count, kind === 'leads' ? 'lead' : 'AI lead');
}

function DeleteDialog({ kind, rows, onClose, onDone }: BulkDialogProps) {
  const [leadsState, deleteLeads] = useDeleteLeads();
  const [aiState, deleteAiLeads] = useDeleteAiLeads();
  const [error, setError] = useState<string | null>(null);
  const ids = rows.map((row) => row.id);
  const onConfirm = async () => {
    const result = kind === 'leads' ? await deleteLeads({ ids }) : await deleteAiLeads({ ids });
    if (result.error || !result.data) {
      setError(errorMessage(result.error));
      return;
    }
    const count =
      'deleteLeads' in result.data ? result.data.deleteLeads : result.data.deleteAiLeads;
    onDone(`${noun(kind, count)} deleted.`);
  };
  return (
    <ConfirmDialog
      open
      title={`Delete ${noun(kind, rows.length)}?`}
      confirmLabel="Delete"
      variant="danger"
      busy={leadsState.fetching || aiState.fetching}
      onConfirm={() => void onConfirm()}
      onCancel={onClose}
    >
      <p>They are removed for good, with their tags and notes.</p>
      <ErrorMessage message={error} />
    </ConfirmDialog>
  );
}

function RetagDialog({ kind, rows, onClose, onDone }: BulkDialogProps) {
  const [leadsState, retagLeads] = useRetagLeads();
  const [aiState, retagAiLeads] = useRetagAiLeads();
  const [error, setError] = useState<string | null>(null);
  const fetching = leadsState.fetching || aiState.fetching;
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const add = parseTags(formText(form, 'add'));
    const remove = parseTags(formText(form, 'remove'));
    if (add.length === 0 && remove.length === 0) {
      setError('Enter a tag to add or to remove.');
      return;
    }
    const variables = { ids: rows.map((row) => row.id), add, remove };
    const result = kind === 'leads' ? await retagLeads(variables) : await retagAiLeads(variables);
    if (result.error || !result.data) {
      setError(errorMessage(result.error));
      return;
    }
    const count = 'retagLeads' in result.data ? result.data.retagLeads : result.data.retagAiLeads;
    onDone(`${noun(kind, count)} retagged.`);
  };
  return (
    <Dialog open title={`Retag ${noun(kind, rows.length)}`} onClose={onClose} busy={fetching}>
      <form className={styles.form} onSubmit={(event) => void onSubmit(event)} noValidate>
        <TextField label="Add tags" name="add" hint="Separated by commas." autoComplete="off" />
        <TextField
          label="Remove tags"
          name="remove"
          hint="Separated by commas."
          autoComplete="off"
        />
        <ErrorMessage message={error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={fetching}>
            Retag
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function MoveDialog({ kind, rows, onClose, onDone }: BulkDialogProps) {
  const [{ fetching }, moveLeads] = useMoveLeads();
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!deviceId) {
      setError('Choose the device to move them to.');
      return;
    }
    const result = await moveLeads({ ids: rows.map((row) => row.id), deviceId });
    if (result.error || !result.data) {
      setError(errorMessage(result.error));
      return;
    }
    onDone(`${noun(kind, result.data.moveLeads)} moved.`);
  };
  return (
    <Dialog open title={`Move ${noun(kind, rows.length)}`} onClose={onClose} busy={fetching}>
      <form className={styles.form} onSubmit={(event) => void onSubmit(event)} noValidate>
        <DevicePicker label="To device" value={deviceId} onChange={setDeviceId} chooseFirst />
        <ErrorMessage message={error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={fetching}>
            Move
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function OptOutDialog({ kind, rows, onClose, onDone }: BulkDialogProps) {
  const [{ fetching }, optOut] = useOptOut();
  const [error, setError] = useState<string | null>(null);
  // Opt-outs are by phone: each number once, however many rows share it.
  const phones = [...new Set(rows.map((row) => row.phone))];
  const onConfirm = async () => {
    let done = 0;
    for (const phone of phones) {
      const result = await optOut({ phone, reason: 'Opted out from the list' });
      if (result.error) {
        setError(
          `${pluralize(done, 'number')} opted out; then: ${errorMessage(result.error) ?? ''}`,
        );
        return;
      }
      done += 1;
    }
    onDone(`${pluralize(done, 'number')} opted out.`);
  };
  return (
    <ConfirmDialog
      open
      title={`Opt out ${noun(kind, rows.length)}?`}
      confirmLabel="Opt out"
      variant="danger"
      busy={fetching}
      onConfirm={() => void onConfirm()}
      onCancel={onClose}
    >
      <p>
        Nothing is sent to {phones.length === 1 ? 'this number' : 'these numbers'} again, from any
        device, until removed from the opt-outs.
      </p>
      <ErrorMessage message={error} />
    </ConfirmDialog>
  );
}

const STATUS_NOTES: Record<string, string> = {
  DRAFT: ' (draft: nothing is sent until it is activated)',
  PAUSED: ' (paused)',
};

function EnrollDialog({ kind, rows, onClose, onDone }: BulkDialogProps) {
  const [{ data, error: loadError }] = useEnrollChoices();
  const [{ fetching }, enroll] = useEnrollLeads();
  const [sequenceId, setSequenceId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const sequences = data?.sequences ?? [];
  const chosen = sequenceId || sequences[0]?.id || '';
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!chosen) {
      setError('Choose the sequence to add them to.');
      return;
    }
    const result = await enroll({ sequenceId: chosen, leadIds: rows.map((row) => row.id) });
    if (result.error || !result.data) {
      setError(errorMessage(result.error));
      return;
    }
    const enrolled = result.data.enrollLeads;
    const left = rows.length - enrolled;
    const name = sequences.find((sequence) => sequence.id === chosen)?.name ?? 'the sequence';
    onDone(
      `${noun(kind, enrolled)} added to “${name}”.` +
        (left > 0
          ? ` ${pluralize(left, 'was', 'were')} left out: already in it or opted out.`
          : ''),
    );
  };
  return (
    <Dialog
      open
      title={`Add ${noun(kind, rows.length)} to a sequence`}
      onClose={onClose}
      busy={fetching}
    >
      <form className={styles.form} onSubmit={(event) => void onSubmit(event)} noValidate>
        {!data ? (
          loadError ? (
            <ErrorMessage message={errorMessage(loadError)} />
          ) : (
            <Spinner />
          )
        ) : sequences.length === 0 ? (
          <p>You have no sequences yet: create one under Sequences first.</p>
        ) : (
          <SelectField
            label="Sequence"
            value={chosen}
            options={sequences.map((sequence) => ({
              value: sequence.id,
              label: sequence.name + (STATUS_NOTES[sequence.status] ?? ''),
            }))}
            onChange={(event) => setSequenceId(event.target.value)}
            hint="Each lead is enrolled once; opted-out leads are left out."
          />
        )}
        <ErrorMessage message={error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={fetching} disabled={!chosen}>
            Add to sequence
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
