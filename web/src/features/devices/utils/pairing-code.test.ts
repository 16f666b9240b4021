import { describe, expect, it } from 'vitest';

import { formatPairingCode } from './pairing-code';

describe('formatPairingCode', () => {
  it('splits the eight characters in two groups', () => {
    expect(formatPairingCode('ABCDEFGH')).toBe('ABCD-EFGH');
    expect(formatPairingCode('abcd1234')).toBe('ABCD-1234');
  });

  it('accepts a code that already has a dash or spaces', () => {
    expect(formatPairingCode('ABCD-EFGH')).toBe('ABCD-EFGH');
    expect(formatPairingCode(' ABCD EFGH ')).toBe('ABCD-EFGH');
  });

  it('leaves a code of another length whole', () => {
    expect(formatPairingCode('ABC123')).toBe('ABC123');
  });
});
