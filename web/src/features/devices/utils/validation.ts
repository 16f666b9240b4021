/** What the device settings form holds, as typed. */
export type DeviceSettingsValues = {
  name: string;
  minDelay: string;
  maxDelay: string;
  dailyCap: string;
};

export type DeviceSettingsErrors = Partial<Record<keyof DeviceSettingsValues, string>>;

export type DeviceSettingsInput = {
  name: string;
  minDelaySeconds: number;
  maxDelaySeconds: number;
  /** null: no cap. */
  dailyCap: number | null;
};

export type DeviceSettingsResult =
  { ok: true; input: DeviceSettingsInput } | { ok: false; errors: DeviceSettingsErrors };

// The server's limits (domain/devices.rs): the same rules and the same words.
export const MAX_NAME_LENGTH = 100;
export const MAX_DELAY_SECONDS = 3600;
export const DEFAULT_MIN_DELAY = 5;
export const DEFAULT_MAX_DELAY = 15;
const MAX_INT = 2_147_483_647;

/** A whole number as typed (a minus sign allowed, so it can be refused as out of range). */
function wholeNumber(raw: string): number | null {
  const trimmed = raw.trim();
  if (!/^-?\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : Math.sign(value) * Number.MAX_SAFE_INTEGER;
}

/** Checks the form as the server would, so most mistakes are explained before sending. */
export function validateDeviceSettings(values: DeviceSettingsValues): DeviceSettingsResult {
  const errors: DeviceSettingsErrors = {};

  const name = values.name.trim();
  if (!name) errors.name = 'Device name cannot be empty.';
  else if ([...name].length > MAX_NAME_LENGTH) {
    errors.name = `Device name is too long (at most ${MAX_NAME_LENGTH} characters).`;
  }

  const delayError = (raw: string) => {
    if (!raw.trim()) return 'Enter a number of seconds.';
    const value = wholeNumber(raw);
    if (value === null) return 'Enter a whole number of seconds.';
    if (value < 0 || value > MAX_DELAY_SECONDS) {
      return `Delays must be between 0 and ${MAX_DELAY_SECONDS} seconds.`;
    }
    return null;
  };
  const minError = delayError(values.minDelay);
  const maxError = delayError(values.maxDelay);
  if (minError) errors.minDelay = minError;
  if (maxError) errors.maxDelay = maxError;
  const minDelaySeconds = wholeNumber(values.minDelay);
  const maxDelaySeconds = wholeNumber(values.maxDelay);
  if (!minError && !maxError && minDelaySeconds !== null && maxDelaySeconds !== null) {
    if (minDelaySeconds > maxDelaySeconds) {
      errors.maxDelay = 'The minimum delay cannot be larger than the maximum delay.';
    }
  }

  let dailyCap: number | null = null;
  if (values.dailyCap.trim()) {
    const cap = wholeNumber(values.dailyCap);
    if (cap === null || cap <= 0) {
      errors.dailyCap = 'The daily cap must be a positive number (leave it empty for no cap).';
    } else if (cap > MAX_INT) {
      errors.dailyCap = 'The daily cap is too large.';
    } else {
      dailyCap = cap;
    }
  }

  if (Object.keys(errors).length > 0 || minDelaySeconds === null || maxDelaySeconds === null) {
    return { ok: false, errors };
  }
  return { ok: true, input: { name, minDelaySeconds, maxDelaySeconds, dailyCap } };
}
