import { describe, expect, it } from 'vitest';

import {
  asSentence,
  formatCountdown,
  formatDate,
  formatDateTime,
  formatTime,
  pluralize,
  timeZones,
} from './format';

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

  it('splits into the date and the time, both in the zone', () => {
    const at = '2026-01-02T20:04:00Z';
    expect(formatDate(at, 'UTC')).toMatch(/2/);
    expect(formatDate(at, 'Asia/Kuala_Lumpur')).toMatch(/3/);
    expect(formatDate(at, 'Asia/Kuala_Lumpur')).not.toMatch(/4:04/);
    expect(formatTime(at, 'Asia/Kuala_Lumpur')).toMatch(/4:04/);
    expect(formatTime(at, 'Asia/Kuala_Lumpur')).not.toMatch(/2026/);
  });
});

describe('asSentence', () => {
  it('capitalises and ends with a full stop', () => {
    expect(asSentence('recipient not on WhatsApp')).toBe('Recipient not on WhatsApp.');
    expect(asSentence('Done!')).toBe('Done!');
    expect(asSentence(' ')).toBeNull();
  });
});

describe('formatCountdown', () => {
  it.each([
    [60_000, '1:00'],
    [59_001, '1:00'],
    [59_000, '0:59'],
    [9_000, '0:09'],
    [125_000, '2:05'],
    [0, '0:00'],
    [-5_000, '0:00'],
  ])('shows %i ms as %s', (ms, expected) => {
    expect(formatCountdown(ms)).toBe(expected);
  });
});

describe('pluralize', () => {
  it('uses the singular for one only', () => {
    expect(pluralize(0, 'chat')).toBe('0 chats');
    expect(pluralize(1, 'chat')).toBe('1 chat');
    expect(pluralize(2, 'outbox message')).toBe('2 outbox messages');
    expect(pluralize(1200, 'lead')).toBe('1,200 leads');
  });
});
