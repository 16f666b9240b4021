import { describe, expect, it } from 'vitest';

import { DEVICE_STATUSES, asSentence, statusLabel, statusNote, statusTone } from './status';

describe('status labels and colours', () => {
  it.each([
    ['PAIRING', 'Pairing', 'info'],
    ['ONLINE', 'Online', 'success'],
    ['RECONNECTING', 'Reconnecting', 'warning'],
    ['OFFLINE', 'Offline', 'neutral'],
    ['LOGGED_OUT', 'Logged out', 'neutral'],
    ['BANNED', 'Banned', 'danger'],
    ['FAILED', 'Failed', 'danger'],
  ] as const)('shows %s as “%s” in %s', (status, label, tone) => {
    expect(statusLabel(status)).toBe(label);
    expect(statusTone(status)).toBe(tone);
  });

  it('covers every status once', () => {
    expect(new Set(DEVICE_STATUSES).size).toBe(7);
  });
});

describe('asSentence', () => {
  it('capitalises and ends with a full stop', () => {
    expect(asSentence('connection lost (simulated)')).toBe('Connection lost (simulated).');
    expect(asSentence('The QR code expired. Ask for a new one.')).toBe(
      'The QR code expired. Ask for a new one.',
    );
    expect(asSentence('  ')).toBeNull();
    expect(asSentence(null)).toBeNull();
  });
});

describe('statusNote', () => {
  it('says nothing for a healthy device or a fresh pairing', () => {
    expect(statusNote({ status: 'ONLINE', statusReason: null })).toBeNull();
    expect(statusNote({ status: 'PAIRING', statusReason: null })).toBeNull();
  });

  it('passes on why pairing stopped', () => {
    expect(
      statusNote({ status: 'PAIRING', statusReason: 'The QR code expired. Ask for a new one.' }),
    ).toEqual({ text: 'The QR code expired. Ask for a new one.', tone: 'warning' });
  });

  it('shows the ban end in the user’s time zone', () => {
    const device = {
      status: 'BANNED' as const,
      statusReason: 'sent to too many people',
      bannedUntil: '2026-01-02T03:04:00Z',
    };
    const inKualaLumpur = statusNote(device, 'Asia/Kuala_Lumpur');
    expect(inKualaLumpur?.tone).toBe('danger');
    expect(inKualaLumpur?.text).toMatch(/^Banned until .*11:04.*; sends are paused\./);
    expect(inKualaLumpur?.text).toMatch(/Sent to too many people\.$/);
    expect(statusNote(device, 'UTC')?.text).toMatch(/3:04/);
  });

  it('explains a failure and what to do', () => {
    expect(
      statusNote({
        status: 'FAILED',
        statusReason: 'Stopped trying after 5 failed attempts in a row. Boom.',
      }),
    ).toEqual({
      text: 'Stopped trying after 5 failed attempts in a row. Boom. Reconnect to try again.',
      tone: 'danger',
    });
  });

  it('says why a device is reconnecting, but not the bare “connecting”', () => {
    expect(statusNote({ status: 'RECONNECTING', statusReason: 'connection lost' })?.text).toBe(
      'Connection lost. Reconnecting…',
    );
    expect(statusNote({ status: 'RECONNECTING', statusReason: 'connecting' })?.text).toBe(
      'Connecting to WhatsApp…',
    );
  });

  it('tells how to use a logged-out device again', () => {
    expect(
      statusNote({ status: 'LOGGED_OUT', statusReason: 'the device was removed on the phone' })
        ?.text,
    ).toBe('The device was removed on the phone. Pair it again to use it.');
  });
});
