import { describe, expect, it } from 'vitest';

import { formatDailyCap, formatDelay, formatRemoved } from './format';

describe('device formatting', () => {
  it('shows the delay range', () => {
    expect(formatDelay(5, 15)).toBe('5–15 s');
    expect(formatDelay(10, 10)).toBe('10 s');
  });

  it('shows the daily cap', () => {
    expect(formatDailyCap(null)).toBe('No cap');
    expect(formatDailyCap(1)).toBe('1 message a day');
    expect(formatDailyCap(1500)).toBe('1,500 messages a day');
  });

  it('says what a deletion removed', () => {
    expect(formatRemoved({ chats: 12, messages: 240, leads: 30, outbox: 500 })).toBe(
      'Removed: 12 chats, 240 messages, 30 leads, 500 outbox messages.',
    );
    expect(formatRemoved({ chats: 1, messages: 1, leads: 1, outbox: 1 })).toBe(
      'Removed: 1 chat, 1 message, 1 lead, 1 outbox message.',
    );
  });
});
