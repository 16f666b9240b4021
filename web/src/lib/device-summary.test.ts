import { describe, expect, it } from 'vitest';

import { deviceLabel } from './device-summary';

describe('a device', () => {
  it('is named with its number once paired', () => {
    expect(deviceLabel({ name: 'Sales', phone: '+60111111111' })).toBe('Sales · +60111111111');
    expect(deviceLabel({ name: 'New', phone: null })).toBe('New');
  });
});
