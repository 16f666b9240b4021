import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import type { DeviceCardFragment } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';

import { useLogOutDevice } from '../api/manage';

export type LogOutDeviceDialogProps = {
  device: DeviceCardFragment;
  onClose: () => void;
};

export function LogOutDeviceDialog({ device, onClose }: LogOutDeviceDialogProps) {
  const [{ fetching, error }, logOutDevice] = useLogOutDevice();

  const onConfirm = async () => {
    const result = await logOutDevice({ id: device.id });
    if (result.data) onClose();
  };

  return (
    <ConfirmDialog
      open
      title={`Log out “${device.name}”?`}
      confirmLabel="Log out device"
      variant="danger"
      busy={fetching}
      onConfirm={() => void onConfirm()}
      onCancel={onClose}
    >
      <p>
        The device is unlinked from WhatsApp{device.phone ? ` on ${device.phone}` : ''} and stops
        sending and receiving. Its chats and settings stay here; to use it again, pair it with a new
        QR code.
      </p>
      <ErrorMessage message={errorMessage(error)} />
    </ConfirmDialog>
  );
}
