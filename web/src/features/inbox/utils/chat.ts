/** What a chat is called: the contact's name, else the phone number, else the JID's user part. */
export function chatTitle(chat: {
  name?: string | null;
  phone?: string | null;
  jid: string;
}): string {
  const name = chat.name?.trim();
  if (name) return name;
  if (chat.phone) return chat.phone;
  return chat.jid.split('@')[0] ?? chat.jid;
}

/** Up to two initials of a name (`Aisha Rahman` → `AR`); null when the name has no letters. */
export function initials(name: string | null | undefined): string | null {
  const letters = (name ?? '')
    .split(/\s+/)
    .map((part) => [...part].find((c) => /\p{L}/u.test(c)))
    .filter((c): c is string => !!c)
    .slice(0, 2)
    .map((c) => c.toUpperCase());
  return letters.length > 0 ? letters.join('') : null;
}

const PHONE_LIKE = /^[\d\s+\-().]+$/;

/**
 * What the chat search sends: a phone number as digits only (chats are found by their JID,
 * `60123456789@s.whatsapp.net`, which has no `+` or spaces), anything else as typed.
 */
export function chatSearchTerm(text: string): string {
  const trimmed = text.trim();
  if (PHONE_LIKE.test(trimmed) && /\d/.test(trimmed)) return trimmed.replace(/\D/g, '');
  return trimmed;
}

/** Why `phone` cannot be a WhatsApp number, in plain words; null when it may be one. */
export function phoneProblem(phone: string): string | null {
  const trimmed = phone.trim();
  if (!trimmed) return 'Enter the phone number to write to.';
  if (!PHONE_LIKE.test(trimmed)) {
    return 'A phone number may only contain digits, spaces, +, -, ( ) and dots.';
  }
  const digits = trimmed.replace(/\D/g, '').length;
  if (digits < 8 || digits > 15) {
    return 'A phone number has 8 to 15 digits including the country code, e.g. +60123456789.';
  }
  return null;
}

/** A stable colour (of a few) for a contact's avatar. */
export function avatarHue(key: string): number {
  let hash = 0;
  for (const c of key) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return hash % 6;
}
