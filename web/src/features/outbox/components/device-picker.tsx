import { useState } from 'react';

import { SelectField, TextField, type SelectOption } from '@/components/ui/field';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { DEVICE_OPTIONS_SIZE, useDeviceOption, useDeviceOptions } from '../api/devices';
import styles from './outbox.module.css';

type DeviceFacts = { id: string; name: string; phone?: string | null };

export function deviceOptionLabel(device: DeviceFacts, requirePaired = false): string {
  if (device.phone) return `${device.name} · ${device.phone}`;
  return requirePaired ? `${device.name} (not paired yet)` : device.name;
}

export type DevicePickerProps = {
  label?: string;
  /** The chosen device's id; null for all (with `allLabel`) or the first one listed. */
  value: string | null;
  onChange: (id: string | null) => void;
  /** Offers "all devices" first, with this label. */
  allLabel?: string;
  /** Only paired devices can be chosen (the others are listed, greyed out). */
  requirePaired?: boolean;
  name?: string;
  error?: string | null;
};

/**
 * A device select listing the newest devices; with more than it lists, a search box finds the
 * others (an account may have thousands, which are never all loaded).
 */
export function DevicePicker({
  label = 'Device',
  value,
  onChange,
  allLabel,
  requirePaired = false,
  name,
  error,
}: DevicePickerProps) {
  const [searchText, setSearchText] = useState('');
  const search = useDebouncedValue(searchText.trim(), 300);
  const [{ data }] = useDeviceOptions(search);
  const [{ data: all }] = useDeviceOptions('');
  const listed = data?.devices.nodes ?? [];
  const chosenListed = value === null || listed.some((device) => device.id === value);
  const [{ data: chosen }] = useDeviceOption(chosenListed ? null : value);

  const devices: DeviceFacts[] = [...listed];
  if (!chosenListed && chosen?.device) devices.unshift(chosen.device);

  const options: SelectOption[] = [
    ...(allLabel ? [{ value: '', label: allLabel }] : []),
    ...devices.map((device) => ({
      value: device.id,
      label: deviceOptionLabel(device, requirePaired),
      disabled: requirePaired && !device.phone,
    })),
  ];
  if (options.length === 0) {
    options.push({
      value: '',
      label: data ? 'No devices found' : 'Loading devices…',
      disabled: true,
    });
  }
  const many = (all?.devices.totalCount ?? 0) > DEVICE_OPTIONS_SIZE || searchText !== '';
  const firstEnabled = options.find((option) => !option.disabled)?.value ?? '';

  return (
    <div className={styles.devicePicker}>
      <SelectField
        label={label}
        name={name}
        options={options}
        value={value ?? (allLabel ? '' : firstEnabled)}
        error={error}
        onChange={(event) => onChange(event.target.value || null)}
      />
      {many ? (
        <TextField
          label={`Find a ${label.toLowerCase()}`}
          type="search"
          placeholder="Name or phone number"
          value={searchText}
          onChange={(event) => setSearchText(event.target.value)}
          hint={
            data && data.devices.totalCount > listed.length
              ? `Showing ${listed.length} of ${data.devices.totalCount.toLocaleString('en-US')}; search to find others.`
              : undefined
          }
        />
      ) : null}
    </div>
  );
}
