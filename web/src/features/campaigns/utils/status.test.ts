import { describe, expect, it } from 'vitest';

import type { CampaignCounts } from './model';
import {
  aiDeviceStatusLabel,
  aiDeviceStatusTone,
  CAMPAIGN_STATUSES,
  campaignActions,
  campaignStatusLabel,
  campaignStatusTone,
  isCampaignStatus,
  percent,
  progressFraction,
  progressSummary,
  statusReasonHeading,
} from './status';

const counts = (over: Partial<CampaignCounts>): CampaignCounts => ({
  total: 0,
  pending: 0,
  queued: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  failed: 0,
  skipped: 0,
  cancelled: 0,
  replied: 0,
  ...over,
});

describe('campaign status', () => {
  it.each([
    ['SCHEDULED', 'Scheduled', 'neutral'],
    ['RUNNING', 'Running', 'info'],
    ['PAUSED', 'Paused', 'warning'],
    ['COMPLETED', 'Completed', 'success'],
    ['COMPLETED_WITH_PENDING', 'Completed, leads left', 'warning'],
    ['CANCELLED', 'Cancelled', 'neutral'],
    ['FAILED', 'Failed', 'danger'],
  ] as const)('shows %s as “%s” in %s', (status, label, tone) => {
    expect(campaignStatusLabel(status)).toBe(label);
    expect(campaignStatusTone(status)).toBe(tone);
  });

  it('explains the reason of a pause, a failure and leads left, and of nothing else', () => {
    expect(statusReasonHeading('PAUSED')).toBe('Paused');
    expect(statusReasonHeading('COMPLETED_WITH_PENDING')).toBe('Leads left');
    expect(statusReasonHeading('FAILED')).toBe('Failed');
    for (const status of ['SCHEDULED', 'RUNNING', 'COMPLETED', 'CANCELLED'] as const) {
      expect(statusReasonHeading(status)).toBeNull();
    }
  });

  it.each([
    ['ACTIVE', 'Active', 'info'],
    ['LIMIT_REACHED', 'Limit reached', 'success'],
    ['FAILED', 'Failed', 'danger'],
  ] as const)('shows an AI campaign’s device %s as “%s” in %s', (status, label, tone) => {
    expect(aiDeviceStatusLabel(status)).toBe(label);
    expect(aiDeviceStatusTone(status)).toBe(tone);
  });

  it('knows its own statuses only', () => {
    expect(CAMPAIGN_STATUSES.every(isCampaignStatus)).toBe(true);
    expect(isCampaignStatus('DRAFT')).toBe(false);
  });

  it('offers only what the server allows', () => {
    expect(campaignActions('RUNNING')).toEqual({
      edit: false,
      pause: true,
      resume: false,
      cancel: true,
      remove: false,
    });
    expect(campaignActions('PAUSED')).toEqual({
      edit: true,
      pause: false,
      resume: true,
      cancel: true,
      remove: true,
    });
    expect(campaignActions('COMPLETED_WITH_PENDING')).toEqual({
      edit: false,
      pause: false,
      resume: false,
      cancel: false,
      remove: true,
    });
    expect(campaignActions('COMPLETED')).toEqual({
      edit: false,
      pause: false,
      resume: false,
      cancel: false,
      remove: true,
    });
  });
});

describe('progress', () => {
  it('counts final rows against the total', () => {
    expect(progressFraction(counts({}))).toBe(0);
    expect(
      progressFraction(counts({ total: 20, sent: 5, failed: 1, skipped: 2, queued: 12 })),
    ).toBe(0.4);
    expect(progressFraction(counts({ total: 20, sent: 20 }))).toBe(1);
  });

  it('says what happened in one line', () => {
    expect(progressSummary(counts({ total: 20, sent: 12 }))).toBe('12 of 20 sent');
    expect(progressSummary(counts({ total: 20, sent: 12, failed: 1, skipped: 2 }))).toBe(
      '12 of 20 sent · 1 failed · 2 skipped',
    );
  });

  it('shows rates as whole percentages', () => {
    expect(percent(0)).toBe('0%');
    expect(percent(0.456)).toBe('46%');
    expect(percent(1)).toBe('100%');
    expect(percent(Number.NaN)).toBe('0%');
  });
});
