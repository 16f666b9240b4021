/** What the New message form holds, as typed. */
export type NewMessageValues = {
  deviceId: string;
  phone: string;
  text: string;
};

export type NewMessageErrors = Partial<Record<keyof NewMessageValues, string>>;

export type NewMessageInput = { deviceId: string; phone: string; text: string };

export type NewMessageResult =
  { ok: true; input: NewMessageInput } | { ok: false; errors: NewMessageErrors };

// The server's limits (domain/outbox.rs, domain/phone.rs), with the same words.
export const MAX_TEXT = 4096;
const PHONE_CHARACTERS = /^[0-9+\-\s().]+$/;

/** Checks what can be checked here; the server has the last word on the number itself. */
export function validateNewMessage(values: NewMessageValues): NewMessageResult {
  const errors: NewMessageErrors = {};
  if (!values.deviceId) errors.deviceId = 'Choose the device to send from.';

  const phone = values.phone.trim();
  if (!phone) errors.phone = 'Enter the phone number to send to.';
  else if (!PHONE_CHARACTERS.test(phone)) {
    errors.phone = 'A phone number may only contain digits, spaces, +, -, ( ) and dots.';
  } else if (!/\d/.test(phone)) errors.phone = 'Enter the phone number to send to.';

  const text = values.text.trim();
  if (!text) errors.text = 'Write the message.';
  else if ([...text].length > MAX_TEXT) {
    errors.text = `The message is too long (at most ${MAX_TEXT.toLocaleString('en-US')} characters).`;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { deviceId: values.deviceId, phone, text } };
}

/** Which field a server's BAD_USER_INPUT message is about, to show it next to that field. */
export function fieldOfServerError(message: string): keyof NewMessageValues | null {
  const lower = message.toLowerCase();
  if (/phone|country code|digits/.test(lower)) return 'phone';
  if (/message is|too long|empty/.test(lower)) return 'text';
  return null;
}
