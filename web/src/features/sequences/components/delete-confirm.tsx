import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';

export type DeleteConfirmProps = {
  name: string;
  busy: boolean;
  /** Why the server refused, shown in the dialog. */
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
};

/** Asks before deleting a sequence. */
export function DeleteConfirm({ name, busy, error, onConfirm, onClose }: DeleteConfirmProps) {
  return (
    <ConfirmDialog
      open
      title={`Delete “${name}”?`}
      confirmLabel="Delete sequence"
      cancelLabel="Keep it"
      variant="danger"
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onClose}
    >
      The sequence, its steps and its contacts’ runs go. The messages it sent stay in the outbox. An
      active sequence with contacts still running must be paused first.
      <ErrorMessage message={error} />
    </ConfirmDialog>
  );
}
