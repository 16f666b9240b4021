import { describe, expect, it } from 'vitest';

import { delayLabel, fromDelayMinutes, toDelayMinutes } from './delay';

describe('toDelayMinutes', () => {
  it('counts minutes, hours and days as minutes', () => {
    expect(toDelayMinutes('0', 'minutes')).toBe(0);
    expect(toDelayMinutes('45', 'minutes')).toBe(45);
    expect(toDelayMinutes('2', 'hours')).toBe(120);
    expect(toDelayMinutes(' 3 ', 'days')).toBe(4320);
  });

  it('refuses negative, fractional, empty and huge amounts', () => {
    expect(toDelayMinutes('-5', 'minutes')).toBeNull();
    expect(toDelayMinutes('1.5', 'hours')).toBeNull();
    expect(toDelayMinutes('', 'days')).toBeNull();
    expect(toDelayMinutes('9999999', 'days')).toBeNull();
  });
});

describe('fromDelayMinutes', () => {
  it('picks the largest unit that divides the minutes evenly', () => {
    expect(fromDelayMinutes(0)).toEqual({ amount: '0', unit: 'minutes' });
    expect(fromDelayMinutes(90)).toEqual({ amount: '90', unit: 'minutes' });
    expect(fromDelayMinutes(120)).toEqual({ amount: '2', unit: 'hours' });
    expect(fromDelayMinutes(2880)).toEqual({ amount: '2', unit: 'days' });
  });

  it('round-trips with toDelayMinutes', () => {
    for (const minutes of [0, 1, 59, 60, 61, 1440, 1500, 10080]) {
      const { amount, unit } = fromDelayMinutes(minutes);
      expect(toDelayMinutes(amount, unit)).toBe(minutes);
    }
  });
});

describe('delayLabel', () => {
  it('says the delay in words', () => {
    expect(delayLabel(0)).toBe('at once');
    expect(delayLabel(5)).toBe('5 min');
    expect(delayLabel(60)).toBe('1 h');
    expect(delayLabel(1440)).toBe('1 day');
    expect(delayLabel(4320)).toBe('3 days');
  });
});
