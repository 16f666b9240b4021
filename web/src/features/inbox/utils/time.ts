import { today } from '@/lib/time-zone';

/**
 * Times as WhatsApp shows them, in the viewer's time zone: `15:04` for today, `Yesterday`, a
 * weekday within the last week, a date before that.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

function toMillis(instant: string | number | Date): number {
  if (typeof instant === 'number') return instant;
  if (instant instanceof Date) return instant.getTime();
  return Date.parse(instant);
}

/** A formatter in `timeZone`, or in UTC when the zone is unknown. */
function formatter(options: Intl.DateTimeFormatOptions, timeZone: string, locale = 'en-GB') {
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone });
  } catch {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
  }
}

/** The calendar day (`YYYY-MM-DD`) `instant` falls on in `timeZone`. */
export function dayOf(instant: string | number | Date, timeZone: string): string {
  return today(timeZone, toMillis(instant));
}

/** Whole calendar days from day `from` to day `to` (`YYYY-MM-DD` each). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The time of day on a 24-hour clock: `15:04`. */
export function formatClock(instant: string | number | Date, timeZone: string): string {
  const millis = toMillis(instant);
  if (Number.isNaN(millis)) return '';
  return formatter({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, timeZone).format(
    millis,
  );
}

function weekday(millis: number, timeZone: string): string {
  return formatter({ weekday: 'long' }, timeZone, 'en-US').format(millis);
}

/** When a chat's last message came, for the chat list: `15:04`, `Yesterday`, `Monday`, `5 Jan 2026`. */
export function formatChatTime(
  instant: string | null | undefined,
  timeZone: string,
  now: number = Date.now(),
): string {
  if (!instant) return '';
  const millis = toMillis(instant);
  if (Number.isNaN(millis)) return '';
  const days = daysBetween(dayOf(millis, timeZone), dayOf(now, timeZone));
  if (days <= 0) return formatClock(millis, timeZone);
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekday(millis, timeZone);
  return formatter({ day: 'numeric', month: 'short', year: 'numeric' }, timeZone).format(millis);
}

/** The label of a day separator in a thread: `Today`, `Yesterday`, `Monday`, `5 January 2026`. */
export function formatDayLabel(day: string, timeZone: string, now: number = Date.now()): string {
  const days = daysBetween(day, dayOf(now, timeZone));
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  // Noon UTC of that day reads as that day in every zone's weekday and date.
  const noon = Date.parse(`${day}T12:00:00Z`);
  if (days > 1 && days < 7) return weekday(noon, 'UTC');
  return formatter({ day: 'numeric', month: 'long', year: 'numeric' }, 'UTC').format(noon);
}
