import { describe, expect, it } from 'vitest';

import { fieldOfServerError, MAX_TEXT, validateNewMessage } from './validation';

const valid = { deviceId: 'd1', phone: ' +60 12-345 6789 ', text: ' Hello ' };

describe('validateNewMessage', () => {
  it('passes a good message on, trimmed', () => {
    expect(validateNewMessage(valid)).toEqual({
      ok: true,
      input: { deviceId: 'd1', phone: '+60 12-345 6789', text: 'Hello' },
    });
    expect(validateNewMessage({ ...valid, phone: '(+60) 123.456.789' }).ok).toBe(true);
  });

  it('asks for a number made of digits, spaces, +, -', () => {
    expect(validateNewMessage({ ...valid, phone: '' })).toEqual({
      ok: false,
      errors: { phone: 'Enter the phone number to send to.' },
    });
    expect(validateNewMessage({ ...valid, phone: 'call me' })).toEqual({
      ok: false,
      errors: { phone: 'A phone number may only contain digits, spaces, +, -, ( ) and dots.' },
    });
    expect(validateNewMessage({ ...valid, phone: '+ -' }).ok).toBe(false);
  });

  it('asks for a device and a text within the limit', () => {
    const result = validateNewMessage({ deviceId: '', phone: '+60123456789', text: ' ' });
    expect(result).toEqual({
      ok: false,
      errors: { deviceId: 'Choose the device to send from.', text: 'Write the message.' },
    });
    expect(validateNewMessage({ ...valid, text: 'x'.repeat(MAX_TEXT) }).ok).toBe(true);
    expect(validateNewMessage({ ...valid, text: 'x'.repeat(MAX_TEXT + 1) })).toEqual({
      ok: false,
      errors: { text: 'The message is too long (at most 4,096 characters).' },
    });
  });
});

describe('fieldOfServerError', () => {
  it('places the server’s words next to their field', () => {
    expect(fieldOfServerError('Include the country code, e.g. +60 12-345 6789.')).toBe('phone');
    expect(fieldOfServerError('Phone number is empty.')).toBe('phone');
    expect(fieldOfServerError('The message is too long (at most 4096 characters).')).toBe('text');
    expect(fieldOfServerError('Not a valid device id.')).toBeNull();
  });
});
