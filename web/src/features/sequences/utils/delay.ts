import type { DelayUnit } from './model';

export const DELAY_UNITS: readonly { value: DelayUnit; label: string; minutes: number }[] = [
  { value: 'minutes', label: 'minutes', minutes: 1 },
  { value: 'hours', label: 'hours', minutes: 60 },
  { value: 'days', label: 'days', minutes: 1440 },
];

function unitMinutes(unit: DelayUnit): number {
  return DELAY_UNITS.find((entry) => entry.value === unit)?.minutes ?? 1;
}

/** `amount` typed in `unit` as whole minutes; null for anything but a whole number ≥ 0. */
export function toDelayMinutes(amount: string, unit: DelayUnit): number | null {
  const trimmed = amount.trim();
  if (!/^\d{1,7}$/.test(trimmed)) return null;
  const minutes = Number(trimmed) * unitMinutes(unit);
  return Number.isSafeInteger(minutes) && minutes <= 2_147_483_647 ? minutes : null;
}

/** Stored minutes in the largest unit that divides them evenly (90 → 90 minutes, 120 → 2 hours). */
export function fromDelayMinutes(minutes: number): { amount: string; unit: DelayUnit } {
  if (minutes > 0 && minutes % 1440 === 0) return { amount: String(minutes / 1440), unit: 'days' };
  if (minutes > 0 && minutes % 60 === 0) return { amount: String(minutes / 60), unit: 'hours' };
  return { amount: String(Math.max(0, minutes)), unit: 'minutes' };
}

/** "at once", "5 min", "2 h", "3 days": a delay in words. */
export function delayLabel(minutes: number): string {
  if (minutes <= 0) return 'at once';
  const { amount, unit } = fromDelayMinutes(minutes);
  if (unit === 'days') return amount === '1' ? '1 day' : `${amount} days`;
  if (unit === 'hours') return `${amount} h`;
  return `${amount} min`;
}
