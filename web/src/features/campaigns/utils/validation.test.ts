import { describe, expect, it } from 'vitest';

import { emptyCampaignForm, parseCampaignForm, type CampaignForm } from './validation';

const form = (over: Partial<CampaignForm>): CampaignForm => ({
  ...emptyCampaignForm(),
  title: 'December promo',
  message: '{Hi|Hello} {name|there}',
  ...over,
});

describe('parseCampaignForm', () => {
  it('sends the defaults as the contract expects: all devices, any time, every day', () => {
    const { input, errors } = parseCampaignForm(form({}), 'UTC');
    expect(errors).toBeNull();
    expect(input).toEqual({
      kind: 'BROADCAST',
      title: 'December promo',
      message: '{Hi|Hello} {name|there}',
      niches: undefined,
      targetStatus: 'ALL',
      deviceIds: undefined,
      scheduledAt: undefined,
      sendWindow: undefined,
      weekdays: undefined,
      minDelaySeconds: 10,
      maxDelaySeconds: 30,
    });
    expect(input?.perDeviceLimit).toBeUndefined();
  });

  it('sends an AI campaign with its limit per device', () => {
    const { input, errors } = parseCampaignForm(
      form({ kind: 'AI', perDeviceLimit: ' 7 ', niches: ['beauty'] }),
      'UTC',
    );
    expect(errors).toBeNull();
    expect(input).toMatchObject({ kind: 'AI', perDeviceLimit: 7, niches: ['beauty'] });
  });

  it('needs a whole limit of 1 or more for an AI campaign', () => {
    const say = (perDeviceLimit: string) =>
      parseCampaignForm(form({ kind: 'AI', perDeviceLimit }), 'UTC').errors;
    expect(say('')).toEqual({
      perDeviceLimit: 'An AI campaign needs a limit: how many leads each device may get.',
    });
    expect(say('  ')?.perDeviceLimit).toMatch(/needs a limit/);
    for (const bad of ['0', '-3', '2.5', 'ten', '1e3']) {
      expect(say(bad), bad).toEqual({ perDeviceLimit: 'A whole number, 1 or more.' });
    }
    expect(say('1')).toBeNull();
  });

  it('ignores the limit of a broadcast, whatever was typed', () => {
    for (const perDeviceLimit of ['', '0', '5']) {
      const { input, errors } = parseCampaignForm(
        form({ kind: 'BROADCAST', perDeviceLimit }),
        'UTC',
      );
      expect(errors).toBeNull();
      expect(input?.kind).toBe('BROADCAST');
      expect(input?.perDeviceLimit).toBeUndefined();
    }
  });

  it('converts the schedule from the user’s zone to UTC', () => {
    const { input } = parseCampaignForm(
      form({ scheduledAt: '2026-12-03T09:00', weekdays: ['MON', 'FRI'] }),
      'Asia/Kuala_Lumpur',
    );
    expect(input?.scheduledAt).toBe('2026-12-03T01:00:00.000Z');
    expect(input?.weekdays).toEqual(['MON', 'FRI']);
  });

  it('keeps chosen devices, tags and the window', () => {
    const { input } = parseCampaignForm(
      form({
        allDevices: false,
        deviceIds: ['d1', 'd2'],
        niches: ['vip'],
        windowFrom: '09:00',
        windowTo: '18:00',
      }),
      'UTC',
    );
    expect(input?.deviceIds).toEqual(['d1', 'd2']);
    expect(input?.niches).toEqual(['vip']);
    expect(input?.sendWindow).toEqual({ from: '09:00', to: '18:00' });
  });

  it('explains every mistake at its field', () => {
    const { errors } = parseCampaignForm(
      form({
        title: ' ',
        message: '',
        minDelaySeconds: '40',
        maxDelaySeconds: '30',
        windowFrom: '09:00',
        windowTo: '09:00',
        weekdays: [],
        allDevices: false,
        scheduledAt: '2026-02-30T10:00',
      }),
      'UTC',
    );
    expect(errors).toEqual({
      title: 'Give the campaign a title.',
      message: 'Write a message or attach an image.',
      maxDelaySeconds: 'The longest pause must not be shorter than the shortest.',
      windowTo: 'The window must not start and end at the same time.',
      weekdays: 'Pick at least one day.',
      deviceIds: 'Pick at least one device, or send from all of them.',
      scheduledAt: 'Pick a date and time.',
    });
  });

  it('accepts an image without text, and refuses bad numbers and times', () => {
    expect(parseCampaignForm(form({ message: '', hasImage: true }), 'UTC').errors).toBeNull();
    const { errors } = parseCampaignForm(
      form({ minDelaySeconds: '-1', maxDelaySeconds: '2.5', windowFrom: '9', windowTo: '25:00' }),
      'UTC',
    );
    expect(errors).toEqual({
      minDelaySeconds: 'A whole number of seconds, 0 or more.',
      maxDelaySeconds: 'A whole number of seconds, 0 or more.',
      windowFrom: 'A time of day such as 09:00.',
      windowTo: 'A time of day such as 18:00.',
    });
  });
});
