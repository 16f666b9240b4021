import type { Weekday } from '@/gql/graphql';

export const ALL_WEEKDAYS: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

export const DAY_LABELS: Record<Weekday, string> = {
  MON: 'Mon',
  TUE: 'Tue',
  WED: 'Wed',
  THU: 'Thu',
  FRI: 'Fri',
  SAT: 'Sat',
  SUN: 'Sun',
};

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

export type WindowErrors = { windowFrom?: string; windowTo?: string; weekdays?: string };

/**
 * The send window typed as two times (both empty: any time of day) and the days checked, as the
 * server checks them; `weekdays` absent when every day is checked.
 */
export function parseSendWindow(
  windowFrom: string,
  windowTo: string,
  weekdays: readonly Weekday[],
): {
  errors: WindowErrors;
  sendWindow: { from: string; to: string } | undefined;
  weekdays: Weekday[] | undefined;
} {
  const errors: WindowErrors = {};
  let sendWindow: { from: string; to: string } | undefined;
  const [from, to] = [windowFrom.trim(), windowTo.trim()];
  if (from || to) {
    if (!TIME_OF_DAY.test(from)) errors.windowFrom = 'A time of day such as 09:00.';
    if (!TIME_OF_DAY.test(to)) errors.windowTo = 'A time of day such as 18:00.';
    else if (from === to) errors.windowTo = 'The window must not start and end at the same time.';
    sendWindow = { from, to };
  }
  if (weekdays.length === 0) errors.weekdays = 'Pick at least one day.';
  return {
    errors,
    sendWindow,
    weekdays: weekdays.length === ALL_WEEKDAYS.length ? undefined : [...weekdays],
  };
}
