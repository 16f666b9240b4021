type Styles = Pick<Intl.DateTimeFormatOptions, 'dateStyle' | 'timeStyle'>;

/** `iso` formatted in the user's time zone (the browser's when the zone is unknown). */
function formatIn(iso: string | null | undefined, timeZone: string | undefined, styles: Styles) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(undefined, { ...styles, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, styles).format(date);
  }
}

/** A date and time as the user reads it, in their chosen time zone. */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  return formatIn(iso, timeZone, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The date alone (`Jan 2, 2026`), in the user's time zone. */
export function formatDate(iso: string | null | undefined, timeZone?: string): string {
  return formatIn(iso, timeZone, { dateStyle: 'medium' });
}

/** The time of day alone (`11:04 AM`), in the user's time zone. */
export function formatTime(iso: string | null | undefined, timeZone?: string): string {
  return formatIn(iso, timeZone, { timeStyle: 'short' });
}

/** The IANA time zones to choose from, always including UTC and the current choice. */
export function timeZones(current?: string): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  const extra = new Set(['UTC', current].filter((zone): zone is string => !!zone));
  for (const zone of zones) extra.delete(zone);
  return [...extra, ...zones];
}

/** The country choices for phone numbers: "Malaysia (+60)", sorted by name, after "none". */
export function countryChoices(
  countries: readonly { code: string; callingCode: number }[],
): { value: string; label: string }[] {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(undefined, { type: 'region' });
  } catch {
    names = null;
  }
  const named = countries.map(({ code, callingCode }) => ({
    value: code,
    label: `${names?.of(code) ?? code} (+${callingCode})`,
  }));
  named.sort((a, b) => a.label.localeCompare(b.label));
  return [{ value: '', label: 'None: numbers need their country code' }, ...named];
}

/** Time left as `m:ss` (`1:05`, `0:09`); never negative. */
export function formatCountdown(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${seconds.toString().padStart(2, '0')}`;
}

/** A count with its noun: `1 chat`, `2 chats`, `1,200 messages`. */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

/** A server message as a sentence: capital first letter, full stop at the end. */
export function asSentence(text: string | null | undefined): string | null {
  const trimmed = text?.trim();
  if (!trimmed) return null;
  const capitalised = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
