import { describe, expect, it } from 'vitest';

import { dayOf, daysBetween, formatChatTime, formatClock, formatDayLabel } from './time';

// Wednesday 7 January 2026, 10:00 UTC (18:00 in Kuala Lumpur, 05:00 in New York).
const now = Date.UTC(2026, 0, 7, 10, 0);
const KL = 'Asia/Kuala_Lumpur';
const NY = 'America/New_York';

describe('formatClock', () => {
  it('is a 24-hour time in the given zone', () => {
    expect(formatClock('2026-01-07T07:04:00Z', KL)).toBe('15:04');
    expect(formatClock('2026-01-07T07:04:00Z', 'UTC')).toBe('07:04');
    expect(formatClock('2026-01-07T07:04:00Z', NY)).toBe('02:04');
  });

  it('falls back to UTC for an unknown zone and says nothing for a bad time', () => {
    expect(formatClock('2026-01-07T07:04:00Z', 'Mars/Olympus')).toBe('07:04');
    expect(formatClock('not a time', KL)).toBe('');
  });
});

describe('formatChatTime', () => {
  it('shows the time for today', () => {
    expect(formatChatTime('2026-01-07T07:04:00Z', KL, now)).toBe('15:04');
  });

  it('says Yesterday for the day before', () => {
    expect(formatChatTime('2026-01-06T03:00:00Z', KL, now)).toBe('Yesterday');
  });

  it('counts days where the user lives, not in UTC', () => {
    // 01:00 on 7 January in Kuala Lumpur is still 6 January in UTC and in New York.
    const lateEvening = '2026-01-06T17:00:00Z';
    expect(formatChatTime(lateEvening, KL, now)).toBe('01:00');
    expect(formatChatTime(lateEvening, 'UTC', now)).toBe('Yesterday');
    expect(formatChatTime(lateEvening, NY, now)).toBe('Yesterday');
  });

  it('names the weekday within the last week', () => {
    expect(formatChatTime('2026-01-05T03:00:00Z', KL, now)).toBe('Monday');
    expect(formatChatTime('2026-01-02T03:00:00Z', KL, now)).toBe('Friday');
  });

  it('gives the date before that', () => {
    expect(formatChatTime('2025-12-31T03:00:00Z', KL, now)).toBe('31 Dec 2025');
    expect(formatChatTime('2025-06-01T03:00:00Z', KL, now)).toBe('1 Jun 2025');
  });

  it('is empty without a time', () => {
    expect(formatChatTime(null, KL, now)).toBe('');
  });
});

describe('days', () => {
  it('are calendar days in the zone', () => {
    expect(dayOf('2026-01-06T17:00:00Z', KL)).toBe('2026-01-07');
    expect(dayOf('2026-01-06T17:00:00Z', NY)).toBe('2026-01-06');
    expect(daysBetween('2025-12-31', '2026-01-07')).toBe(7);
    // Across a change to summer time, still whole days.
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2);
  });

  it('label the separators of a thread', () => {
    expect(formatDayLabel('2026-01-07', KL, now)).toBe('Today');
    expect(formatDayLabel('2026-01-06', KL, now)).toBe('Yesterday');
    expect(formatDayLabel('2026-01-04', KL, now)).toBe('Sunday');
    expect(formatDayLabel('2025-12-20', KL, now)).toBe('20 December 2025');
    // In New York it is still 7 January's early morning: the 6th is yesterday there too.
    expect(formatDayLabel('2026-01-07', NY, now)).toBe('Today');
  });
});
