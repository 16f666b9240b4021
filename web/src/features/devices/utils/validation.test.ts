import { describe, expect, it } from 'vitest';

import { validateDeviceSettings, type DeviceSettingsValues } from './validation';

const valid: DeviceSettingsValues = {
  name: 'Sales 1',
  minDelay: '5',
  maxDelay: '15',
  dailyCap: '',
};

function errorsFor(values: Partial<DeviceSettingsValues>) {
  const result = validateDeviceSettings({ ...valid, ...values });
  return result.ok ? {} : result.errors;
}

describe('validateDeviceSettings', () => {
  it('turns the form into the mutation input', () => {
    expect(validateDeviceSettings({ ...valid, name: '  Sales 1 ', dailyCap: ' 300 ' })).toEqual({
      ok: true,
      input: { name: 'Sales 1', minDelaySeconds: 5, maxDelaySeconds: 15, dailyCap: 300 },
    });
  });

  it('sends an empty daily cap as null (no cap)', () => {
    const result = validateDeviceSettings(valid);
    expect(result.ok && result.input.dailyCap).toBeNull();
  });

  it('accepts equal delays and the limits 0 and 3600', () => {
    expect(validateDeviceSettings({ ...valid, minDelay: '0', maxDelay: '0' }).ok).toBe(true);
    expect(validateDeviceSettings({ ...valid, minDelay: '3600', maxDelay: '3600' }).ok).toBe(true);
  });

  it('needs a name of at most 100 characters', () => {
    expect(errorsFor({ name: '   ' }).name).toBe('Device name cannot be empty.');
    expect(errorsFor({ name: 'x'.repeat(101) }).name).toBe(
      'Device name is too long (at most 100 characters).',
    );
    expect(errorsFor({ name: '😀'.repeat(100) }).name).toBeUndefined();
  });

  it('refuses a minimum above the maximum, as the server does', () => {
    expect(errorsFor({ minDelay: '20', maxDelay: '10' })).toEqual({
      maxDelay: 'The minimum delay cannot be larger than the maximum delay.',
    });
  });

  it('keeps delays within 0 to 3600 whole seconds', () => {
    expect(errorsFor({ maxDelay: '3601' }).maxDelay).toBe(
      'Delays must be between 0 and 3600 seconds.',
    );
    expect(errorsFor({ minDelay: '-1' }).minDelay).toBe(
      'Delays must be between 0 and 3600 seconds.',
    );
    expect(errorsFor({ minDelay: '1.5' }).minDelay).toBe('Enter a whole number of seconds.');
    expect(errorsFor({ minDelay: 'abc' }).minDelay).toBe('Enter a whole number of seconds.');
    expect(errorsFor({ maxDelay: '' }).maxDelay).toBe('Enter a number of seconds.');
    expect(errorsFor({ maxDelay: '99999999999999999999' }).maxDelay).toBe(
      'Delays must be between 0 and 3600 seconds.',
    );
  });

  it('wants a positive daily cap or none', () => {
    const message = 'The daily cap must be a positive number (leave it empty for no cap).';
    expect(errorsFor({ dailyCap: '0' }).dailyCap).toBe(message);
    expect(errorsFor({ dailyCap: '-5' }).dailyCap).toBe(message);
    expect(errorsFor({ dailyCap: 'lots' }).dailyCap).toBe(message);
    expect(errorsFor({ dailyCap: '3000000000' }).dailyCap).toBe('The daily cap is too large.');
  });

  it('reports every problem at once', () => {
    expect(Object.keys(errorsFor({ name: '', minDelay: 'x', dailyCap: '0' })).sort()).toEqual([
      'dailyCap',
      'minDelay',
      'name',
    ]);
  });
});
