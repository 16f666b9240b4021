import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Dialog, DialogActions } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import type { DeviceCardFragment } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';

import { useUpdateDevice } from '../api/manage';
import { validateDeviceSettings, type DeviceSettingsErrors } from '../utils/validation';
import { DeviceSettingsFields, readDeviceSettings } from './device-settings-fields';
import styles from './devices.module.css';

export type EditDeviceDialogProps = {
  device: DeviceCardFragment;
  onClose: () => void;
};

export function EditDeviceDialog({ device, onClose }: EditDeviceDialogProps) {
  const [{ fetching, error }, updateDevice] = useUpdateDevice();
  const [errors, setErrors] = useState<DeviceSettingsErrors>({});

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validateDeviceSettings(readDeviceSettings(event.currentTarget));
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    const result = await updateDevice({ id: device.id, input: checked.input });
    if (result.data) onClose();
  };

  return (
    <Dialog open title={`Edit “${device.name}”`} size="medium" onClose={onClose} busy={fetching}>
      <form className={styles.form} onSubmit={(event) => void onSubmit(event)} noValidate>
        <DeviceSettingsFields
          defaults={{
            name: device.name,
            minDelay: String(device.minDelaySeconds),
            maxDelay: String(device.maxDelaySeconds),
            dailyCap: device.dailyCap == null ? '' : String(device.dailyCap),
          }}
          errors={errors}
        />
        <ErrorMessage message={errorMessage(error)} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={fetching}>
            Save changes
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
