import { describe, expect, it } from 'vitest';

import {
  failureText,
  INTERRUPTED,
  OUTBOX_STATUSES,
  sourceLabel,
  statusLabel,
  statusNote,
  statusTicks,
  statusTone,
} from './status';

describe('status labels, colours and ticks', () => {
  it.each([
    ['PENDING', 'Scheduled', 'neutral', 'none'],
    ['QUEUED', 'Queued', 'warning', 'none'],
    ['SENDING', 'Sending', 'info', 'none'],
    ['SENT', 'Sent', 'success', 'sent'],
    ['DELIVERED', 'Delivered', 'success', 'delivered'],
    ['READ', 'Read', 'success', 'read'],
    ['FAILED', 'Failed', 'danger', 'none'],
    ['SKIPPED', 'Skipped', 'neutral', 'none'],
    ['CANCELLED', 'Cancelled', 'neutral', 'none'],
  ] as const)('shows %s as “%s” in %s with ticks %s', (status, label, tone, ticks) => {
    expect(statusLabel(status)).toBe(label);
    expect(statusTone(status)).toBe(tone);
    expect(statusTicks(status)).toBe(ticks);
  });

  it('covers every status once', () => {
    expect(new Set(OUTBOX_STATUSES).size).toBe(9);
  });

  it('names the sources', () => {
    expect(sourceLabel('INBOX')).toBe('Inbox');
    expect(sourceLabel('SEQUENCE_STEP')).toBe('Sequence');
    expect(sourceLabel('AI_CAMPAIGN')).toBe('AI campaign');
  });
});

describe('failureText', () => {
  it('explains an interrupted send, which is never retried by itself', () => {
    expect(failureText(INTERRUPTED)).toBe(
      'Interrupted — may or may not have been delivered; not retried automatically.',
    );
  });

  it('says what the network refused, as a sentence', () => {
    expect(failureText('send failed: recipient not on WhatsApp')).toBe(
      'Recipient not on WhatsApp.',
    );
    expect(failureText('the image file is missing')).toBe('The image file is missing.');
    expect(failureText('invalid recipient')).toMatch(/not a valid WhatsApp number/);
    expect(failureText(null)).toBe('Not sent.');
    expect(failureText('  ')).toBe('Not sent.');
  });
});

describe('statusNote', () => {
  it('says why a message waits', () => {
    expect(statusNote({ status: 'QUEUED' })).toEqual({
      text: 'Waiting for its turn',
      tone: 'muted',
    });
    expect(
      statusNote({ status: 'PENDING', scheduledAt: '2026-01-02T03:04:00Z' }, 'Asia/Kuala_Lumpur'),
    ).toMatchObject({ text: expect.stringMatching(/^Goes out .*11:04/) as string });
  });

  it('gives a failure in red, and nothing for a message that went out', () => {
    expect(statusNote({ status: 'FAILED', lastError: INTERRUPTED })?.tone).toBe('danger');
    expect(statusNote({ status: 'SENT' })).toBeNull();
    expect(statusNote({ status: 'READ', lastError: 'old' })).toBeNull();
    expect(statusNote({ status: 'SKIPPED' })).toBeNull();
    expect(statusNote({ status: 'CANCELLED', lastError: 'campaign stopped' })?.text).toBe(
      'Campaign stopped.',
    );
  });
});
