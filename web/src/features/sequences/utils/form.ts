import { ALL_WEEKDAYS, parseSendWindow } from '@/components/send-window/weekdays';
import type { SequenceContentFragment, SequenceInput, SequenceStepInput } from '@/gql/graphql';

import { fromDelayMinutes, toDelayMinutes } from './delay';
import type { CampaignTarget, DelayUnit, StepFailure, Weekday } from './model';

/** One step as typed in the editor (text boxes hold strings). */
export type StepForm = {
  /** Stable across reordering, for React. */
  key: string;
  delayAmount: string;
  delayUnit: DelayUnit;
  message: string;
  /** A new picture to send with the step. */
  image: File | null;
  /**
   * Where the step's saved picture is stored (the server matches a kept image by position);
   * null when it has none or the user removed it.
   */
  storedImagePosition: number | null;
  windowFrom: string;
  windowTo: string;
  weekdays: Weekday[];
  minDelaySeconds: string;
  maxDelaySeconds: string;
  onFailure: StepFailure;
};

export type SequenceForm = {
  name: string;
  trigger: string;
  niches: string[];
  targetStatus: CampaignTarget;
  stopOnReply: boolean;
  /** Empty: no sequence follows. */
  nextSequenceId: string;
  steps: StepForm[];
};

export type StepErrors = Partial<
  Record<
    | 'delayAmount'
    | 'message'
    | 'image'
    | 'windowFrom'
    | 'windowTo'
    | 'weekdays'
    | 'minDelaySeconds'
    | 'maxDelaySeconds',
    string
  >
>;

export type SequenceFormErrors = {
  name?: string;
  trigger?: string;
  steps?: string;
  /** Per step, by index (shorter than the steps until the form was checked). */
  step: (StepErrors | undefined)[];
};

let nextKey = 0;
function newKey(): string {
  nextKey += 1;
  return `step-${nextKey}`;
}

/** A new step: right after the previous one, any time, the server's default pauses. */
export function emptyStep(first = false): StepForm {
  return {
    key: newKey(),
    delayAmount: first ? '0' : '1',
    delayUnit: first ? 'minutes' : 'days',
    message: '',
    image: null,
    storedImagePosition: null,
    windowFrom: '',
    windowTo: '',
    weekdays: [...ALL_WEEKDAYS],
    minDelaySeconds: '10',
    maxDelaySeconds: '30',
    onFailure: 'SKIP',
  };
}

/** A new sequence: every lead with the trigger, stops on a reply, one step at once. */
export function emptySequenceForm(): SequenceForm {
  return {
    name: '',
    trigger: '',
    niches: [],
    targetStatus: 'ALL',
    stopOnReply: true,
    nextSequenceId: '',
    steps: [emptyStep(true)],
  };
}

type Content = Omit<SequenceContentFragment, ' $fragmentName'>;

/** The editor filled in from a stored sequence. */
export function formFromSequence(sequence: Content): SequenceForm {
  const steps = [...sequence.steps].sort((a, b) => a.position - b.position);
  return {
    name: sequence.name,
    trigger: sequence.trigger,
    niches: [...sequence.niches],
    targetStatus: sequence.targetStatus,
    stopOnReply: sequence.stopOnReply,
    nextSequenceId: sequence.nextSequenceId ?? '',
    steps: steps.map((step) => {
      const delay = fromDelayMinutes(step.delayMinutes);
      return {
        key: newKey(),
        delayAmount: delay.amount,
        delayUnit: delay.unit,
        message: step.message,
        image: null,
        storedImagePosition: step.hasImage ? step.position : null,
        windowFrom: step.sendWindow?.from ?? '',
        windowTo: step.sendWindow?.to ?? '',
        weekdays: step.weekdays.length
          ? ALL_WEEKDAYS.filter((day) => step.weekdays.includes(day))
          : [...ALL_WEEKDAYS],
        minDelaySeconds: String(step.minDelaySeconds),
        maxDelaySeconds: String(step.maxDelaySeconds),
        onFailure: step.onFailure,
      };
    }),
  };
}

function wholeSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,6}$/.test(trimmed)) return null;
  return Number(trimmed);
}

function parseStep(
  step: StepForm,
  index: number,
): { input: SequenceStepInput | null; errors: StepErrors } {
  const errors: StepErrors = {};
  const delayMinutes = toDelayMinutes(step.delayAmount, step.delayUnit);
  if (delayMinutes === null) {
    errors.delayAmount = /^\s*-/.test(step.delayAmount)
      ? 'A delay cannot be negative.'
      : 'A whole number, 0 or more.';
  }
  const keepImage = step.storedImagePosition !== null && !step.image;
  if (keepImage && step.storedImagePosition !== index) {
    errors.image = 'This step moved: attach its image again, or remove it.';
  }
  const message = step.message.trim();
  if (!message && !step.image && !keepImage) errors.message = 'Write a message or attach an image.';

  const minDelay = wholeSeconds(step.minDelaySeconds);
  const maxDelay = wholeSeconds(step.maxDelaySeconds);
  if (minDelay === null) errors.minDelaySeconds = 'A whole number of seconds, 0 or more.';
  if (maxDelay === null) errors.maxDelaySeconds = 'A whole number of seconds, 0 or more.';
  else if (minDelay !== null && minDelay > maxDelay)
    errors.maxDelaySeconds = 'The longest pause must not be shorter than the shortest.';

  const window = parseSendWindow(step.windowFrom, step.windowTo, step.weekdays);
  Object.assign(errors, window.errors);

  if (Object.keys(errors).length > 0) return { input: null, errors };
  return {
    errors,
    input: {
      delayMinutes: delayMinutes!,
      message,
      image: step.image ?? undefined,
      keepImage,
      sendWindow: window.sendWindow,
      weekdays: window.weekdays,
      minDelaySeconds: minDelay!,
      maxDelaySeconds: maxDelay!,
      onFailure: step.onFailure,
    },
  };
}

/**
 * The editor checked the way the server checks it (messages beside each field), and the
 * `SequenceInput` to send when there is nothing to say.
 */
export function parseSequenceForm(
  form: SequenceForm,
): { input: SequenceInput; errors: null } | { input: null; errors: SequenceFormErrors } {
  const errors: SequenceFormErrors = { step: [] };
  const name = form.name.trim();
  if (!name) errors.name = 'Give the sequence a name.';
  const trigger = form.trigger.trim();
  if (!trigger) errors.trigger = 'Leads with this code are enrolled: enter one.';
  else if (/[\s,]/.test(trigger)) errors.trigger = 'One code, without spaces or commas.';
  if (form.steps.length === 0) errors.steps = 'Add at least one step.';

  const steps: SequenceStepInput[] = [];
  let stepsValid = true;
  form.steps.forEach((step, index) => {
    const parsed = parseStep(step, index);
    errors.step[index] = parsed.errors;
    if (parsed.input) steps.push(parsed.input);
    else stepsValid = false;
  });

  if (errors.name || errors.trigger || errors.steps || !stepsValid) return { input: null, errors };
  return {
    errors: null,
    input: {
      name,
      trigger,
      niches: form.niches.length ? form.niches : undefined,
      targetStatus: form.targetStatus,
      stopOnReply: form.stopOnReply,
      nextSequenceId: form.nextSequenceId || null,
      steps,
    },
  };
}

/** Whether `errors` has anything to show. */
export function hasErrors(errors: SequenceFormErrors): boolean {
  return (
    !!(errors.name || errors.trigger || errors.steps) ||
    errors.step.some((step) => !!step && Object.keys(step).length > 0)
  );
}
