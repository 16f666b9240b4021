import { formatChatTime, formatClock } from './time';

/** How long someone has waited, in words a person reads at a glance: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatWaited(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest ? `${days} d ${rest} h` : `${days} d`;
}

/** How urgent a wait looks: under an hour is fresh, a working day is late, more is overdue. */
export function waitTone(milliseconds: number): 'neutral' | 'warning' | 'danger' {
  const hours = milliseconds / 3_600_000;
  if (hours < 1) return 'neutral';
  if (hours < 8) return 'warning';
  return 'danger';
}

/** Since when, as a person says it: `since 05:44`, `since yesterday 05:44`, `since Monday 05:44`, `since 5 Jan 2026`. */
export function formatWaitingSince(
  iso: string,
  timeZone: string,
  now: number = Date.now(),
): string {
  const day = formatChatTime(iso, timeZone, now);
  const clock = formatClock(iso, timeZone);
  if (day === clock) return `since ${clock}`;
  if (day === 'Yesterday') return `since yesterday ${clock}`;
  if (/^\p{L}+day$/u.test(day)) return `since ${day} ${clock}`;
  return `since ${day}`;
}
