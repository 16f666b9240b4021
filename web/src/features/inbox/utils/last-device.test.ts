import { describe, expect, it } from 'vitest';

import { lastInboxDevice, pickInboxDevice, rememberInboxDevice } from './last-device';

const devices = [
  { id: 'a', phone: null, status: 'PAIRING' },
  { id: 'b', phone: '+601', status: 'OFFLINE' },
  { id: 'c', phone: '+602', status: 'ONLINE' },
];

describe('pickInboxDevice', () => {
  it('opens the device used last, if still paired', () => {
    expect(pickInboxDevice(devices, 'b')).toBe('b');
  });

  it('else the first online one, else the first paired one', () => {
    expect(pickInboxDevice(devices, 'a')).toBe('c');
    expect(pickInboxDevice(devices, null)).toBe('c');
    expect(pickInboxDevice(devices.slice(0, 2), null)).toBe('b');
  });

  it('is null when nothing is paired', () => {
    expect(pickInboxDevice(devices.slice(0, 1), 'a')).toBeNull();
  });

  it('remembers the last choice', () => {
    rememberInboxDevice('b');
    expect(lastInboxDevice()).toBe('b');
  });
});
