import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import type { DeviceCardFragment } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';

import { useDeleteDevice } from '../api/manage';
import { formatRemoved } from '../utils/format';
import styles from './devices.module.css';

export type DeleteDeviceDialogProps = {
  device: DeviceCardFragment;
  onCancel: () => void;
  /** Called with the sentence that says what was removed. */
  onDeleted: (summary: string) => void;
};

export function DeleteDeviceDialog({ device, onCancel, onDeleted }: DeleteDeviceDialogProps) {
  const [{ fetching, error }, deleteDevice] = useDeleteDevice();

  const onConfirm = async () => {
    const result = await deleteDevice({ id: device.id });
    if (result.data) {
      onDeleted(`“${device.name}” was deleted. ${formatRemoved(result.data.deleteDevice)}`);
    }
  };

  return (
    <ConfirmDialog
      open
      title={`Delete “${device.name}”?`}
      confirmLabel="Delete device"
      variant="danger"
      busy={fetching}
      onConfirm={() => void onConfirm()}
      onCancel={onCancel}
    >
      <p>This removes for good:</p>
      <ul className={styles.warningList}>
        <li>the device and its settings,</li>
        <li>all its chats and their messages,</li>
        <li>its leads,</li>
        <li>
          its outbox: messages still queued (they will not be sent) and the history of sent ones.
        </li>
      </ul>
      <p>
        {device.phone ? (
          <>
            It is also logged out, so WhatsApp on{' '}
            <span className={styles.strong}>{device.phone}</span> no longer lists it as a linked
            device.{' '}
          </>
        ) : null}
        <span className={styles.strong}>This cannot be undone.</span>
      </p>
      <ErrorMessage message={errorMessage(error)} />
    </ConfirmDialog>
  );
}
