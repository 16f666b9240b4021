/** The placeholder chips above the template editor, in the template syntax the server renders. */
export const PLACEHOLDERS: readonly { label: string; token: string; hint: string }[] = [
  { label: 'Name', token: '{name}', hint: 'The lead’s name' },
  { label: 'Name or “there”', token: '{name|there}', hint: '“there” when the lead has no name' },
  { label: 'Phone', token: '{phone}', hint: 'The lead’s phone number' },
];

/**
 * `text` with `token` put in place of the selection `start..end` (or at the caret), and where
 * the caret goes afterwards: just after the token, so the user keeps typing.
 */
export function insertToken(
  text: string,
  token: string,
  start: number | null | undefined,
  end: number | null | undefined,
): { text: string; caret: number } {
  const from = clamp(start ?? text.length, text.length);
  const to = Math.max(from, clamp(end ?? from, text.length));
  return { text: text.slice(0, from) + token + text.slice(to), caret: from + token.length };
}

function clamp(position: number, length: number): number {
  return Math.max(0, Math.min(position, length));
}

/** "1 text", "120 texts", "over a million texts": how many different messages spintax gives. */
export function distinctTextsLabel(count: number): string {
  if (!Number.isFinite(count) || count >= 1e6) return 'over a million different texts';
  const whole = Math.max(0, Math.round(count));
  return whole === 1 ? '1 text (no variation)' : `${whole.toLocaleString('en-US')} different texts`;
}
