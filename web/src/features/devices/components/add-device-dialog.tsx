import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Dialog, DialogActions } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextField } from '@/components/ui/field';
import { errorMessage } from '@/lib/errors';

import { useAddDevice } from '../api/pairing';
import {
  DEFAULT_MAX_DELAY,
  DEFAULT_MIN_DELAY,
  MAX_NAME_LENGTH,
  validateDeviceSettings,
  type DeviceSettingsErrors,
} from '../utils/validation';
import { DeviceSettingsFields, readDeviceSettings } from './device-settings-fields';
import styles from './devices.module.css';
import { PairingDialog } from './pairing-dialog';

export type AddDeviceDialogProps = {
  timeZone: string;
  onClose: () => void;
};

const defaults = {
  name: '',
  minDelay: String(DEFAULT_MIN_DELAY),
  maxDelay: String(DEFAULT_MAX_DELAY),
  dailyCap: '',
};

/** Names a new device, then goes straight on to linking it. */
export function AddDeviceDialog({ timeZone, onClose }: AddDeviceDialogProps) {
  const [{ fetching, error }, addDevice] = useAddDevice();
  const [errors, setErrors] = useState<DeviceSettingsErrors>({});
  const [deviceId, setDeviceId] = useState<string | null>(null);

  if (deviceId) return <PairingDialog deviceId={deviceId} timeZone={timeZone} onClose={onClose} />;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = validateDeviceSettings(readDeviceSettings(event.currentTarget));
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    const result = await addDevice({ input: checked.input });
    if (result.data) setDeviceId(result.data.addDevice.id);
  };

  const optionErrors = !!(errors.minDelay || errors.maxDelay || errors.dailyCap);

  return (
    <Dialog open title="Add a device" size="medium" onClose={onClose} busy={fetching}>
      <form className={styles.form} onSubmit={(event) => void onSubmit(event)} noValidate>
        <p className={styles.alternativeText}>
          A device is one WhatsApp number linked to wafleet. Give it a name you will recognise; next
          you link it by scanning a QR code with that phone.
        </p>
        <TextField
          label="Name"
          name="name"
          placeholder="e.g. Sales 1"
          maxLength={MAX_NAME_LENGTH + 20}
          autoComplete="off"
          error={errors.name}
        />
        <details className={styles.options} open={optionErrors || undefined}>
          <summary>Pace and daily cap (optional)</summary>
          <div className={styles.optionsBody}>
            <DeviceSettingsFields defaults={defaults} errors={errors} withName={false} />
          </div>
        </details>
        <ErrorMessage message={errorMessage(error)} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={fetching}>
            Add and link
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
