import { describe, expect, it } from 'vitest';

import { deviceLabel, deviceNotice, deviceStatusWord } from './device';

describe('devices in the inbox', () => {
  it('are named with their number', () => {
    expect(deviceLabel({ name: 'Sales', phone: '+60111111111' })).toBe('Sales · +60111111111');
    expect(deviceLabel({ name: 'New', phone: null })).toBe('New');
  });

  it('explain what being offline means for replies', () => {
    expect(deviceNotice('Sales', 'ONLINE')).toBeNull();
    expect(deviceNotice('Sales', 'OFFLINE')).toMatch(/offline. Replies wait in the outbox/);
    expect(deviceNotice('Sales', 'LOGGED_OUT')).toMatch(/Pair it again/);
    expect(deviceStatusWord('ONLINE')).toBeNull();
    expect(deviceStatusWord('FAILED')).toBe('offline');
    expect(deviceStatusWord('LOGGED_OUT')).toBe('logged out');
  });
});
