import { describe, expect, it } from 'vitest';

import { formatDateTime, timeZones } from './format';

describe('timeZones', () => {
  it('lists each zone once, with UTC and the current choice', () => {
    const zones = timeZones('UTC');
    expect(zones).toContain('UTC');
    expect(zones).toContain('Asia/Kuala_Lumpur');
    expect(new Set(zones).size).toBe(zones.length);
  });
});

describe('formatDateTime', () => {
  it('shows the time in the given zone', () => {
    const at = '2026-01-02T03:04:00Z';
    expect(formatDateTime(at, 'UTC')).toMatch(/3:04/);
    expect(formatDateTime(at, 'Asia/Kuala_Lumpur')).toMatch(/11:04/);
  });

  it('is empty for a missing or unreadable date', () => {
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('yesterday')).toBe('');
  });
});
