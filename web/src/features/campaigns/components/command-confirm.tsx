import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';

export type ConfirmedCommand = 'cancel' | 'delete';

export type CommandConfirmProps = {
  command: ConfirmedCommand;
  title: string;
  busy: boolean;
  /** Why the server refused, shown in the dialog. */
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
};

/** Asks before the two commands that cannot be undone: cancelling and deleting. */
export function CommandConfirm({
  command,
  title,
  busy,
  error,
  onConfirm,
  onClose,
}: CommandConfirmProps) {
  return command === 'cancel' ? (
    <ConfirmDialog
      open
      title={`Cancel “${title}”?`}
      confirmLabel="Cancel campaign"
      cancelLabel="Keep it"
      variant="danger"
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onClose}
    >
      The messages not sent yet will not go out. What was sent stays in the outbox. A cancelled
      campaign cannot be resumed; clone it to send again.
      <ErrorMessage message={error} />
    </ConfirmDialog>
  ) : (
    <ConfirmDialog
      open
      title={`Delete “${title}”?`}
      confirmLabel="Delete campaign"
      cancelLabel="Keep it"
      variant="danger"
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onClose}
    >
      The campaign and its settings go. The messages it sent stay in the outbox.
      <ErrorMessage message={error} />
    </ConfirmDialog>
  );
}
