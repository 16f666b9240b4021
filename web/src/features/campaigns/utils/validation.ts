import { ALL_WEEKDAYS } from '@/components/send-window/weekdays';
import { zonedToUtc } from '@/lib/time-zone';

import type { CampaignInputFields, CampaignKind, CampaignTarget, Weekday } from './model';

/** The dialog's fields as typed (text boxes hold strings). */
export type CampaignForm = {
  /** A broadcast (each lead from its own device) or an AI campaign (the pool dealt out). */
  kind: CampaignKind;
  /** AI campaigns: at most this many leads per device (ignored for a broadcast). */
  perDeviceLimit: string;
  title: string;
  message: string;
  hasImage: boolean;
  niches: string[];
  targetStatus: CampaignTarget;
  allDevices: boolean;
  deviceIds: string[];
  /** `datetime-local` text in the user's zone; empty = start now. */
  scheduledAt: string;
  windowFrom: string;
  windowTo: string;
  weekdays: Weekday[];
  minDelaySeconds: string;
  maxDelaySeconds: string;
};

export { ALL_WEEKDAYS };

export type CampaignFormErrors = Partial<Record<keyof CampaignForm, string>>;

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * The form checked the way the server checks it, with the messages shown beside each field, and
 * the `CampaignInput` fields to send when there is nothing to say.
 */
export function parseCampaignForm(
  form: CampaignForm,
  timeZone: string,
): { input: CampaignInputFields; errors: null } | { input: null; errors: CampaignFormErrors } {
  const errors: CampaignFormErrors = {};
  let perDeviceLimit: number | undefined;
  if (form.kind === 'AI') {
    const limit = form.perDeviceLimit.trim();
    const parsed = /^\d{1,6}$/.test(limit) ? Number(limit) : null;
    if (!limit)
      errors.perDeviceLimit = 'An AI campaign needs a limit: how many leads each device may get.';
    else if (parsed === null || parsed < 1) errors.perDeviceLimit = 'A whole number, 1 or more.';
    else perDeviceLimit = parsed;
  }
  const title = form.title.trim();
  if (!title) errors.title = 'Give the campaign a title.';
  const message = form.message.trim();
  if (!message && !form.hasImage) errors.message = 'Write a message or attach an image.';

  const minDelay = wholeSeconds(form.minDelaySeconds);
  const maxDelay = wholeSeconds(form.maxDelaySeconds);
  if (minDelay === null) errors.minDelaySeconds = 'A whole number of seconds, 0 or more.';
  if (maxDelay === null) errors.maxDelaySeconds = 'A whole number of seconds, 0 or more.';
  else if (minDelay !== null && minDelay > maxDelay)
    errors.maxDelaySeconds = 'The longest pause must not be shorter than the shortest.';

  let scheduledAt: string | undefined;
  if (form.scheduledAt.trim()) {
    scheduledAt = zonedToUtc(form.scheduledAt, timeZone) ?? undefined;
    if (!scheduledAt) errors.scheduledAt = 'Pick a date and time.';
  }

  let sendWindow: { from: string; to: string } | undefined;
  const [from, to] = [form.windowFrom.trim(), form.windowTo.trim()];
  if (from || to) {
    if (!TIME_OF_DAY.test(from)) errors.windowFrom = 'A time of day such as 09:00.';
    if (!TIME_OF_DAY.test(to)) errors.windowTo = 'A time of day such as 18:00.';
    else if (from === to) errors.windowTo = 'The window must not start and end at the same time.';
    sendWindow = { from, to };
  }

  if (form.weekdays.length === 0) errors.weekdays = 'Pick at least one day.';
  if (!form.allDevices && form.deviceIds.length === 0)
    errors.deviceIds = 'Pick at least one device, or send from all of them.';

  if (Object.keys(errors).length > 0) return { input: null, errors };
  return {
    errors: null,
    input: {
      kind: form.kind,
      title,
      message,
      niches: form.niches.length ? form.niches : undefined,
      targetStatus: form.targetStatus,
      deviceIds: form.allDevices ? undefined : form.deviceIds,
      scheduledAt,
      sendWindow,
      // Every day is the same as none chosen; absent keeps the stored campaign simple.
      weekdays: form.weekdays.length === ALL_WEEKDAYS.length ? undefined : form.weekdays,
      minDelaySeconds: minDelay!,
      maxDelaySeconds: maxDelay!,
      // A broadcast has no limit: the server keeps none for it.
      perDeviceLimit,
    },
  };
}

function wholeSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,6}$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** A new campaign's form: a broadcast to everyone, every device, any time, the default delays. */
export function emptyCampaignForm(): CampaignForm {
  return {
    kind: 'BROADCAST',
    perDeviceLimit: '',
    title: '',
    message: '',
    hasImage: false,
    niches: [],
    targetStatus: 'ALL',
    allDevices: true,
    deviceIds: [],
    scheduledAt: '',
    windowFrom: '',
    windowTo: '',
    weekdays: [...ALL_WEEKDAYS],
    minDelaySeconds: '10',
    maxDelaySeconds: '30',
  };
}
