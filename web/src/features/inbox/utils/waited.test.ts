import { describe, expect, it } from 'vitest';

import { formatWaited, formatWaitingSince, waitTone } from './waited';

describe('formatWaited', () => {
  it('says seconds, minutes, hours and days the way a person would', () => {
    expect(formatWaited(12_400)).toBe('12 s');
    expect(formatWaited(5 * 60_000 + 59_000)).toBe('5 min');
    expect(formatWaited(2 * 3_600_000)).toBe('2 h');
    expect(formatWaited(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 5 min');
    expect(formatWaited(2 * 86_400_000 + 4 * 3_600_000 + 30 * 60_000)).toBe('2 d 4 h');
    expect(formatWaited(86_400_000)).toBe('1 d');
  });

  it('never goes below zero when the clocks disagree a little', () => {
    expect(formatWaited(-3_000)).toBe('0 s');
  });
});

describe('waitTone', () => {
  it('turns amber after an hour and red after a working day', () => {
    expect(waitTone(30 * 60_000)).toBe('neutral');
    expect(waitTone(2 * 3_600_000)).toBe('warning');
    expect(waitTone(9 * 3_600_000)).toBe('danger');
  });
});

describe('formatWaitingSince', () => {
  // Wednesday 7 January 2026, 10:00 in UTC.
  const now = Date.UTC(2026, 0, 7, 10, 0);

  it('gives the time today, the day and time this week, the date before', () => {
    expect(formatWaitingSince('2026-01-07T05:44:00Z', 'UTC', now)).toBe('since 05:44');
    expect(formatWaitingSince('2026-01-06T05:44:00Z', 'UTC', now)).toBe('since yesterday 05:44');
    expect(formatWaitingSince('2026-01-05T05:44:00Z', 'UTC', now)).toBe('since Monday 05:44');
    expect(formatWaitingSince('2025-12-20T05:44:00Z', 'UTC', now)).toBe('since 20 Dec 2025');
  });
});
