import { describe, expect, it } from 'vitest';

import { isDay, nextDay, parseDay, startOfDay, today, utcToZoned, zonedToUtc } from './time-zone';

describe('days', () => {
  it('accepts real dates only', () => {
    expect(parseDay('2026-02-28')).toEqual([2026, 2, 28]);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-2-3')).toBe(false);
    expect(isDay('')).toBe(false);
    expect(isDay(null)).toBe(false);
  });

  it('steps to the next day across months and years', () => {
    expect(nextDay('2026-01-31')).toBe('2026-02-01');
    expect(nextDay('2025-12-31')).toBe('2026-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
  });
});

describe('startOfDay', () => {
  it('is midnight where the user lives', () => {
    expect(startOfDay('2026-01-05', 'UTC')).toBe('2026-01-05T00:00:00.000Z');
    expect(startOfDay('2026-01-05', 'Asia/Kuala_Lumpur')).toBe('2026-01-04T16:00:00.000Z');
    expect(startOfDay('2026-01-05', 'America/New_York')).toBe('2026-01-05T05:00:00.000Z');
    expect(startOfDay('2026-07-05', 'America/New_York')).toBe('2026-07-05T04:00:00.000Z');
  });

  it('follows daylight saving time on the day it changes', () => {
    // Clocks go forward at 02:00 on 2026-03-08 in New York: midnight is still EST.
    expect(startOfDay('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfDay('2026-03-09', 'America/New_York')).toBe('2026-03-09T04:00:00.000Z');
  });

  it('treats an unknown zone as UTC', () => {
    expect(startOfDay('2026-01-05', 'Mars/Olympus')).toBe('2026-01-05T00:00:00.000Z');
  });
});

describe('today', () => {
  it('is the date in the zone', () => {
    const at = Date.parse('2026-01-04T20:00:00Z');
    expect(today('UTC', at)).toBe('2026-01-04');
    expect(today('Asia/Kuala_Lumpur', at)).toBe('2026-01-05');
  });
});

describe('zonedToUtc and utcToZoned', () => {
  it('reads a typed time in the user’s zone', () => {
    expect(zonedToUtc('2026-01-05T09:30', 'Asia/Kuala_Lumpur')).toBe('2026-01-05T01:30:00.000Z');
    expect(zonedToUtc('2026-01-05T09:30', 'UTC')).toBe('2026-01-05T09:30:00.000Z');
    expect(zonedToUtc('2026-07-05T09:30', 'America/New_York')).toBe('2026-07-05T13:30:00.000Z');
    expect(zonedToUtc('2026-01-05T09:30', 'America/New_York')).toBe('2026-01-05T14:30:00.000Z');
  });

  it('crosses the date line backwards', () => {
    expect(zonedToUtc('2026-01-05T03:00', 'Asia/Jakarta')).toBe('2026-01-04T20:00:00.000Z');
  });

  it('refuses text that is not a date and time', () => {
    expect(zonedToUtc('2026-02-30T09:00', 'UTC')).toBeNull();
    expect(zonedToUtc('2026-01-05T24:00', 'UTC')).toBeNull();
    expect(zonedToUtc('tomorrow', 'UTC')).toBeNull();
  });

  it('round-trips through the form field', () => {
    const utc = zonedToUtc('2026-03-08T12:15', 'America/New_York');
    expect(utc).toBe('2026-03-08T16:15:00.000Z');
    expect(utcToZoned(utc!, 'America/New_York')).toBe('2026-03-08T12:15');
    expect(utcToZoned('2026-01-05T01:30:00Z', 'Asia/Kuala_Lumpur')).toBe('2026-01-05T09:30');
    expect(utcToZoned('nonsense', 'UTC')).toBeNull();
  });

  it('treats an unknown zone as UTC', () => {
    expect(zonedToUtc('2026-01-05T09:30', 'Mars/Olympus')).toBe('2026-01-05T09:30:00.000Z');
    expect(utcToZoned('2026-01-05T09:30:00Z', 'Mars/Olympus')).toBe('2026-01-05T09:30');
  });
});
