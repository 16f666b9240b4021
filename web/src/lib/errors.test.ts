import { describe, expect, it } from 'vitest';

import { gqlError, networkError } from '@/testing/graphql';

import { errorCode, errorMessage, hasErrorCode } from './errors';

describe('errorMessage', () => {
  it('is null when there is no error', () => {
    expect(errorMessage(undefined)).toBeNull();
    expect(errorMessage(null)).toBeNull();
  });

  it.each([
    ['UNAUTHENTICATED', 'Please log in again.'],
    ['RATE_LIMITED', 'Too many attempts. Wait a few minutes and try again.'],
    ['INTERNAL', 'Something went wrong on our side. Try again.'],
  ])('says %s in fixed plain words, not the server message', (code, expected) => {
    expect(errorMessage(gqlError(code, 'Too many attempts. Try again in 42 seconds.'))).toBe(
      expected,
    );
  });

  it.each(['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'DEVICE_OFFLINE'])(
    'shows the server sentence for %s',
    (code) => {
      expect(errorMessage(gqlError(code, 'That email is already registered.'))).toBe(
        'That email is already registered.',
      );
    },
  );

  it('falls back to plain words when the server sends no message', () => {
    expect(errorMessage(gqlError('DEVICE_OFFLINE', '  '))).toBe(
      'The device is not connected right now. Try again when it is online.',
    );
  });

  it('says the server cannot be reached on a network error', () => {
    expect(errorMessage(networkError())).toBe('Cannot reach the server.');
  });

  it('treats an unknown or missing code as an internal error', () => {
    expect(errorMessage(gqlError('SOMETHING_NEW', 'db exploded'))).toBe(
      'Something went wrong on our side. Try again.',
    );
    expect(errorCode(gqlError('SOMETHING_NEW'))).toBe('INTERNAL');
  });

  it('lets a screen say a code in its own words', () => {
    const error = gqlError('UNAUTHENTICATED', 'Invalid credentials');
    expect(errorMessage(error, { UNAUTHENTICATED: 'Wrong email or password.' })).toBe(
      'Wrong email or password.',
    );
  });
});

describe('hasErrorCode', () => {
  it('finds a code on any of the errors', () => {
    expect(hasErrorCode(gqlError('UNAUTHENTICATED'), 'UNAUTHENTICATED')).toBe(true);
    expect(hasErrorCode(gqlError('FORBIDDEN'), 'UNAUTHENTICATED')).toBe(false);
    expect(hasErrorCode(networkError(), 'UNAUTHENTICATED')).toBe(false);
    expect(hasErrorCode(undefined, 'UNAUTHENTICATED')).toBe(false);
  });
});
