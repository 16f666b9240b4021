import { describe, expect, it } from 'vitest';

import { campaignTiming, formatDuration, isLive, waitsForStart } from './timing';

describe('campaignTiming', () => {
  it('says when a scheduled campaign starts, in the user’s zone', () => {
    expect(campaignTiming({ status: 'SCHEDULED' }, 'UTC')).toBe(
      'Waits for a start time (a copy): start it or give it a time',
    );
    const line = campaignTiming(
      { status: 'SCHEDULED', scheduledAt: '2026-12-03T01:00:00Z' },
      'Asia/Kuala_Lumpur',
    );
    expect(line).toMatch(/^Starts /);
    expect(line).toContain('9:00');
  });

  it('says when it started and ended', () => {
    expect(
      campaignTiming(
        {
          status: 'COMPLETED',
          startedAt: '2026-12-03T01:00:00Z',
          completedAt: '2026-12-03T02:00:00Z',
        },
        'UTC',
      ),
    ).toMatch(/^Started .* · ended /);
    expect(campaignTiming({ status: 'CANCELLED' }, 'UTC')).toBe('Never started');
  });
});

describe('isLive', () => {
  it('follows only campaigns that may still move', () => {
    expect(isLive('RUNNING')).toBe(true);
    expect(isLive('SCHEDULED')).toBe(true);
    expect(isLive('COMPLETED')).toBe(false);
    expect(isLive('CANCELLED')).toBe(false);
  });
});

describe('formatDuration', () => {
  it('reads naturally', () => {
    expect(formatDuration(40)).toBe('40 s');
    expect(formatDuration(125)).toBe('2 min');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(90000)).toBe('1 d 1 h');
  });
});

describe('waitsForStart', () => {
  it('is a scheduled campaign with no time (a copy)', () => {
    expect(waitsForStart({ status: 'SCHEDULED', scheduledAt: null })).toBe(true);
    expect(waitsForStart({ status: 'SCHEDULED', scheduledAt: '2026-12-03T01:00:00Z' })).toBe(false);
    expect(waitsForStart({ status: 'PAUSED', scheduledAt: null })).toBe(false);
  });
});
