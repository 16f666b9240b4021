import { describe, expect, it } from 'vitest';

import {
  emptySequenceForm,
  emptyStep,
  formFromSequence,
  hasErrors,
  parseSequenceForm,
  type SequenceForm,
} from './form';
import { moveItem } from './steps';

function filled(): SequenceForm {
  const form = emptySequenceForm();
  return {
    ...form,
    name: ' Cold outreach ',
    trigger: 'COLD',
    steps: [
      { ...form.steps[0]!, message: 'Hi {name|there}' },
      { ...emptyStep(), delayAmount: '2', delayUnit: 'hours', message: 'Still keen?' },
    ],
  };
}

describe('parseSequenceForm', () => {
  it('maps the form to a SequenceInput, delays in minutes', () => {
    const { input, errors } = parseSequenceForm(filled());
    expect(errors).toBeNull();
    expect(input).toEqual({
      name: 'Cold outreach',
      trigger: 'COLD',
      niches: undefined,
      targetStatus: 'ALL',
      stopOnReply: true,
      nextSequenceId: null,
      steps: [
        {
          delayMinutes: 0,
          message: 'Hi {name|there}',
          image: undefined,
          keepImage: false,
          sendWindow: undefined,
          weekdays: undefined,
          minDelaySeconds: 10,
          maxDelaySeconds: 30,
          onFailure: 'SKIP',
        },
        expect.objectContaining({ delayMinutes: 120, message: 'Still keen?' }),
      ],
    });
  });

  it('sends the window, the days chosen, the chain and the tags', () => {
    const form = filled();
    form.niches = ['vip'];
    form.nextSequenceId = 'seq-2';
    form.stopOnReply = false;
    form.steps[1] = {
      ...form.steps[1]!,
      windowFrom: '09:00',
      windowTo: '18:00',
      weekdays: ['MON', 'TUE'],
      onFailure: 'STOP',
    };
    const { input } = parseSequenceForm(form);
    expect(input?.niches).toEqual(['vip']);
    expect(input?.nextSequenceId).toBe('seq-2');
    expect(input?.stopOnReply).toBe(false);
    expect(input?.steps[1]).toMatchObject({
      sendWindow: { from: '09:00', to: '18:00' },
      weekdays: ['MON', 'TUE'],
      onFailure: 'STOP',
    });
  });

  it('refuses a negative delay, an empty message and a min pause above the max', () => {
    const form = filled();
    form.steps[0] = { ...form.steps[0]!, delayAmount: '-1', message: '  ' };
    form.steps[1] = { ...form.steps[1]!, minDelaySeconds: '40', maxDelaySeconds: '30' };
    const { input, errors } = parseSequenceForm(form);
    expect(input).toBeNull();
    expect(errors?.step[0]).toEqual({
      delayAmount: 'A delay cannot be negative.',
      message: 'Write a message or attach an image.',
    });
    expect(errors?.step[1]).toEqual({
      maxDelaySeconds: 'The longest pause must not be shorter than the shortest.',
    });
    expect(errors && hasErrors(errors)).toBe(true);
  });

  it('asks for a name, a trigger code of one word and a step', () => {
    const { errors } = parseSequenceForm({
      ...emptySequenceForm(),
      trigger: 'COLD LEADS',
      steps: [],
    });
    expect(errors).toMatchObject({
      name: 'Give the sequence a name.',
      trigger: 'One code, without spaces or commas.',
      steps: 'Add at least one step.',
    });
  });

  it('refuses a half-typed window and no day at all', () => {
    const form = filled();
    form.steps[0] = { ...form.steps[0]!, windowFrom: '09:00', weekdays: [] };
    const { errors } = parseSequenceForm(form);
    expect(errors?.step[0]).toEqual({
      windowTo: 'A time of day such as 18:00.',
      weekdays: 'Pick at least one day.',
    });
  });

  it('keeps a saved image only where it is stored, since the server matches by position', () => {
    const form = filled();
    form.steps[1] = { ...form.steps[1]!, storedImagePosition: 1, message: '' };
    expect(parseSequenceForm(form).input?.steps[1]).toMatchObject({ keepImage: true });

    const moved = { ...form, steps: moveItem(form.steps, 1, -1) };
    const { errors } = parseSequenceForm(moved);
    expect(errors?.step[0]?.image).toBe('This step moved: attach its image again, or remove it.');
  });
});

describe('formFromSequence', () => {
  it('fills the editor in from a stored sequence, steps in order, delays in units', () => {
    const form = formFromSequence({
      id: 's1',
      name: 'Warm',
      trigger: 'WARM',
      niches: ['vip'],
      targetStatus: 'PROSPECT',
      status: 'ACTIVE',
      stopOnReply: false,
      nextSequenceId: 's2',
      steps: [
        {
          id: 'b',
          position: 1,
          delayMinutes: 2880,
          message: 'Second',
          hasImage: true,
          sendWindow: { from: '09:00', to: '17:00' },
          weekdays: ['FRI', 'MON'],
          minDelaySeconds: 0,
          maxDelaySeconds: 5,
          onFailure: 'STOP',
        },
        {
          id: 'a',
          position: 0,
          delayMinutes: 0,
          message: 'First',
          hasImage: false,
          sendWindow: null,
          weekdays: [],
          minDelaySeconds: 10,
          maxDelaySeconds: 30,
          onFailure: 'SKIP',
        },
      ],
    });
    expect(form.nextSequenceId).toBe('s2');
    expect(form.steps.map((step) => step.message)).toEqual(['First', 'Second']);
    expect(form.steps[1]).toMatchObject({
      delayAmount: '2',
      delayUnit: 'days',
      storedImagePosition: 1,
      windowFrom: '09:00',
      weekdays: ['MON', 'FRI'],
      onFailure: 'STOP',
    });
    expect(form.steps[0]?.weekdays).toHaveLength(7);
    expect(parseSequenceForm(form).input?.steps[1]).toMatchObject({
      delayMinutes: 2880,
      keepImage: true,
      weekdays: ['MON', 'FRI'],
    });
  });
});
