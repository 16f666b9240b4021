import { describe, expect, it } from 'vitest';

import { deviceNotice } from './device';

describe('devices in the inbox', () => {
  it('explain what not being online means for replies', () => {
    expect(deviceNotice('Sales', 'ONLINE')).toBeNull();
    expect(deviceNotice('Sales', 'OFFLINE')).toMatch(/offline. Replies wait in the outbox/);
    expect(deviceNotice('Sales', 'LOGGED_OUT')).toMatch(/Pair it again/);
    expect(deviceNotice('Sales', 'FAILED')).toMatch(/stopped trying to connect.*Reconnect/);
  });
});
