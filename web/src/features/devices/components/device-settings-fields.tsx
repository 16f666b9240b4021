import { TextField } from '@/components/ui/field';
import { formText } from '@/lib/form-data';

import type { DeviceSettingsErrors, DeviceSettingsValues } from '../utils/validation';
import { MAX_NAME_LENGTH } from '../utils/validation';
import styles from './devices.module.css';

export type DeviceSettingsFieldsProps = {
  defaults: DeviceSettingsValues;
  errors: DeviceSettingsErrors;
  /** Hide the name (when the form shows it elsewhere). */
  withName?: boolean;
};

/** Name, pacing and daily cap inputs; read with `readDeviceSettings` on submit. */
export function DeviceSettingsFields({
  defaults,
  errors,
  withName = true,
}: DeviceSettingsFieldsProps) {
  return (
    <>
      {withName ? (
        <TextField
          label="Name"
          name="name"
          defaultValue={defaults.name}
          placeholder="e.g. Sales 1"
          maxLength={MAX_NAME_LENGTH + 20}
          autoComplete="off"
          error={errors.name}
        />
      ) : null}
      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Pace between two messages</legend>
        <p className={styles.fieldsetHint}>
          Each message waits a random time between these, so sending looks human.
        </p>
        <div className={styles.pair}>
          <TextField
            label="Minimum delay (seconds)"
            name="minDelay"
            inputMode="numeric"
            defaultValue={defaults.minDelay}
            error={errors.minDelay}
          />
          <TextField
            label="Maximum delay (seconds)"
            name="maxDelay"
            inputMode="numeric"
            defaultValue={defaults.maxDelay}
            error={errors.maxDelay}
          />
        </div>
      </fieldset>
      <TextField
        label="Daily cap"
        name="dailyCap"
        inputMode="numeric"
        defaultValue={defaults.dailyCap}
        placeholder="No cap"
        hint="The most messages this device sends in a day. Leave it empty for no cap."
        error={errors.dailyCap}
      />
    </>
  );
}

export function readDeviceSettings(form: HTMLFormElement): DeviceSettingsValues {
  const data = new FormData(form);
  return {
    name: formText(data, 'name'),
    minDelay: formText(data, 'minDelay'),
    maxDelay: formText(data, 'maxDelay'),
    dailyCap: formText(data, 'dailyCap'),
  };
}
