import { describe, expect, it } from 'vitest';

import { compareMessages, groupByDay, mergeMessages, newestId } from './thread';

const now = Date.UTC(2026, 0, 7, 10, 0);
const KL = 'Asia/Kuala_Lumpur';

const message = (id: string, timestamp: string, fromMe = false, text = id) => ({
  id,
  timestamp,
  fromMe,
  text,
});

describe('mergeMessages', () => {
  it('keeps each message once, oldest first, the last copy winning', () => {
    const older = [message('1', '2026-01-05T01:00:00Z'), message('2', '2026-01-05T02:00:00Z')];
    const newest = [
      message('2', '2026-01-05T02:00:00Z', false, 'again'),
      message('4', '2026-01-07T01:00:00Z'),
      message('3', '2026-01-06T01:00:00Z'),
    ];
    const merged = mergeMessages([older, newest]);
    expect(merged.map((m) => m.id)).toEqual(['1', '2', '3', '4']);
    expect(merged[1]?.text).toBe('again');
  });

  it('orders messages of the same second by id, numerically', () => {
    const same = '2026-01-07T01:00:00Z';
    const merged = mergeMessages([[message('10', same), message('9', same), message('100', same)]]);
    expect(merged.map((m) => m.id)).toEqual(['9', '10', '100']);
    expect(compareMessages(message('9', same), message('10', same))).toBeLessThan(0);
  });
});

describe('groupByDay', () => {
  it('puts a separator before each day, in the user’s time zone', () => {
    const messages = mergeMessages([
      [
        message('1', '2026-01-04T03:00:00Z'),
        message('2', '2026-01-06T03:00:00Z', true),
        // 01:00 on the 7th in Kuala Lumpur (still the 6th in UTC).
        message('3', '2026-01-06T17:00:00Z'),
        message('4', '2026-01-07T07:04:00Z', true),
      ],
    ]);
    const groups = groupByDay(messages, KL, now);
    expect(groups.map((g) => [g.label, g.messages.map((m) => m.message.id)])).toEqual([
      ['Sunday', ['1']],
      ['Yesterday', ['2']],
      ['Today', ['3', '4']],
    ]);
    expect(groupByDay(messages, 'UTC', now).map((g) => g.label)).toEqual([
      'Sunday',
      'Yesterday',
      'Today',
    ]);
    expect(groupByDay(messages, 'UTC', now)[1]?.messages.map((m) => m.message.id)).toEqual([
      '2',
      '3',
    ]);
  });

  it('marks the first message of each run from one side (it gets the tail)', () => {
    const messages = [
      message('1', '2026-01-07T01:00:00Z'),
      message('2', '2026-01-07T01:01:00Z'),
      message('3', '2026-01-07T01:02:00Z', true),
      message('4', '2026-01-07T01:03:00Z', true),
      message('5', '2026-01-07T01:04:00Z'),
    ];
    const [today] = groupByDay(messages, 'UTC', now);
    expect(today?.messages.map((m) => m.first)).toEqual([true, false, true, false, true]);
  });

  it('has no separators without messages', () => {
    expect(groupByDay([], KL, now)).toEqual([]);
  });
});

describe('newestId', () => {
  it('is the highest id, numerically', () => {
    expect(newestId(['9', null, '10', undefined])).toBe('10');
    expect(newestId([null])).toBeNull();
  });
});
