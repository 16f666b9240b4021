/**
 * Calendar days in the user's time zone. A day picked in a date field (`2026-01-05`) means that
 * day where the user lives, not in UTC and not where the browser happens to be.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` as [year, month (1–12), day], or null when it is not a real date. */
export function parseDay(value: string | null | undefined): [number, number, number] | null {
  const match = DAY.exec(value?.trim() ?? '');
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1) return null;
  if (date.getUTCDate() !== day) return null;
  return [year, month, day];
}

/** Whether `value` is a real `YYYY-MM-DD` date. */
export function isDay(value: string | null | undefined): value is string {
  return parseDay(value) !== null;
}

/** The day after `day` (`2026-01-31` → `2026-02-01`). */
export function nextDay(day: string): string {
  const parts = parseDay(day);
  if (!parts) throw new Error(`not a day: ${day}`);
  const date = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + 1));
  return date.toISOString().slice(0, 10);
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((entry) => entry.type === type)?.value ?? 0);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant `day` begins in `timeZone` (midnight there), as an ISO string. An unknown zone
 * counts as UTC.
 */
export function startOfDay(day: string, timeZone: string): string {
  const parts = parseDay(day);
  if (!parts) throw new Error(`not a day: ${day}`);
  const midnightUtc = Date.UTC(parts[0], parts[1] - 1, parts[2]);
  try {
    // Twice: the offset may differ between UTC midnight and local midnight (a DST change).
    const first = midnightUtc - offsetAt(midnightUtc, timeZone);
    return new Date(midnightUtc - offsetAt(first, timeZone)).toISOString();
  } catch {
    return new Date(midnightUtc).toISOString();
  }
}

/** Today's date (`YYYY-MM-DD`) in `timeZone`. */
export function today(timeZone: string, now: number = Date.now()): string {
  let offset: number;
  try {
    offset = offsetAt(now, timeZone);
  } catch {
    offset = 0;
  }
  return new Date(now + offset).toISOString().slice(0, 10);
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/**
 * A wall-clock time typed into a `datetime-local` field (`2026-01-05T09:30`), read in `timeZone`,
 * as the UTC instant it names (ISO string). Null when the text is not a real date and time. An
 * unknown zone counts as UTC. A time skipped by a DST change moves forward with the clock.
 */
export function zonedToUtc(local: string, timeZone: string): string | null {
  const match = LOCAL_DATE_TIME.exec(local.trim());
  if (!match) return null;
  const day = `${match[1]}-${match[2]}-${match[3]}`;
  const [hour, minute] = [Number(match[4]), Number(match[5])];
  const parts = parseDay(day);
  if (!parts || hour > 23 || minute > 59) return null;
  const wallAsUtc = Date.UTC(parts[0], parts[1] - 1, parts[2], hour, minute);
  try {
    // Twice, as in startOfDay: the offset at the guess may differ from the offset at the answer.
    const first = wallAsUtc - offsetAt(wallAsUtc, timeZone);
    return new Date(wallAsUtc - offsetAt(first, timeZone)).toISOString();
  } catch {
    return new Date(wallAsUtc).toISOString();
  }
}

/** The instant `iso` as `timeZone`'s wall clock, in the `datetime-local` form (`2026-01-05T09:30`). */
export function utcToZoned(iso: string, timeZone: string): string | null {
  const instant = new Date(iso).getTime();
  if (Number.isNaN(instant)) return null;
  let offset: number;
  try {
    offset = offsetAt(instant, timeZone);
  } catch {
    offset = 0;
  }
  return new Date(instant + offset).toISOString().slice(0, 16);
}
