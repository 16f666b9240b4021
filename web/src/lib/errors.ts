import type { CombinedError } from '@urql/core';

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'DEVICE_OFFLINE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const NETWORK_ERROR_MESSAGE = 'Cannot reach the server.';
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our side. Try again.';

const fixedMessages: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: 'Please log in again.',
  RATE_LIMITED: 'Too many attempts. Wait a few minutes and try again.',
  INTERNAL: INTERNAL_ERROR_MESSAGE,
};

// Used only when the server sends a code whose message should be shown but sends no message.
const fallbackMessages: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'Please log in again.',
  FORBIDDEN: 'You are not allowed to do this.',
  NOT_FOUND: 'It no longer exists.',
  BAD_USER_INPUT: 'Check what you entered and try again.',
  CONFLICT: 'That conflicts with something that already exists.',
  RATE_LIMITED: 'Too many attempts. Wait a few minutes and try again.',
  DEVICE_OFFLINE: 'The device is not connected right now. Try again when it is online.',
  INTERNAL: INTERNAL_ERROR_MESSAGE,
};

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function errorCode(error: CombinedError | null | undefined): ErrorCode | 'NETWORK' | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first) {
    const code = first.extensions?.code;
    return isErrorCode(code) ? code : 'INTERNAL';
  }
  return error.networkError ? 'NETWORK' : 'INTERNAL';
}

export function hasErrorCode(error: CombinedError | null | undefined, code: ErrorCode): boolean {
  return !!error?.graphQLErrors.some((e) => e.extensions?.code === code);
}

export type ErrorMessageOverrides = Partial<Record<ErrorCode, string>>;

/** Plain words for a failed operation, or null when there is no error. */
export function errorMessage(
  error: CombinedError | null | undefined,
  overrides: ErrorMessageOverrides = {},
): string | null {
  const code = errorCode(error);
  if (code === null) return null;
  if (code === 'NETWORK') return NETWORK_ERROR_MESSAGE;
  const override = overrides[code];
  if (override) return override;
  const fixed = fixedMessages[code];
  if (fixed) return fixed;
  const serverMessage = error?.graphQLErrors[0]?.message.trim();
  return serverMessage || fallbackMessages[code];
}
