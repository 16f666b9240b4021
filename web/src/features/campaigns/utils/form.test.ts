import { describe, expect, it } from 'vitest';

import { formFromCampaign, previewInput, sampleText } from './form';
import { emptyCampaignForm } from './validation';

const stored = {
  id: '7',
  kind: 'BROADCAST' as const,
  title: 'December promo',
  message: '{Hi|Hello} {name|there}',
  hasImage: true,
  niches: ['vip'],
  targetStatus: 'PROSPECT' as const,
  deviceIds: ['d1'],
  scheduledAt: '2026-12-03T01:00:00.000Z',
  sendWindow: { from: '09:00', to: '18:00' },
  weekdays: ['FRI' as const, 'MON' as const],
  minDelaySeconds: 5,
  maxDelaySeconds: 15,
  perDeviceLimit: null,
};

describe('formFromCampaign', () => {
  it('fills in the form to edit a campaign, the start in the user’s zone', () => {
    const form = formFromCampaign(stored, 'Asia/Kuala_Lumpur', 'edit');
    expect(form).toEqual({
      kind: 'BROADCAST',
      perDeviceLimit: '',
      title: 'December promo',
      message: '{Hi|Hello} {name|there}',
      hasImage: true,
      niches: ['vip'],
      targetStatus: 'PROSPECT',
      allDevices: false,
      deviceIds: ['d1'],
      scheduledAt: '2026-12-03T09:00',
      windowFrom: '09:00',
      windowTo: '18:00',
      weekdays: ['MON', 'FRI'],
      minDelaySeconds: '5',
      maxDelaySeconds: '15',
    });
  });

  it('clones with a new title and no start time; no days chosen means every day', () => {
    const form = formFromCampaign(
      { ...stored, weekdays: [], deviceIds: [], sendWindow: null },
      'UTC',
      'clone',
    );
    expect(form.title).toBe('December promo (Copy)');
    expect(form.scheduledAt).toBe('');
    expect(form.weekdays).toHaveLength(7);
    expect(form.allDevices).toBe(true);
    expect(form.windowFrom).toBe('');
  });
});

describe('formFromCampaign for an AI campaign', () => {
  it('keeps the kind and the limit per device, to edit or to clone', () => {
    const ai = { ...stored, kind: 'AI' as const, perDeviceLimit: 7 };
    for (const mode of ['edit', 'clone'] as const) {
      const form = formFromCampaign(ai, 'UTC', mode);
      expect(form.kind).toBe('AI');
      expect(form.perDeviceLimit).toBe('7');
      expect(previewInput(form, 'UTC')).toMatchObject({ kind: 'AI', perDeviceLimit: 7 });
    }
  });
});

describe('previewInput', () => {
  it('previews before a title is typed', () => {
    const input = previewInput({ ...emptyCampaignForm(), message: 'Hi {name}' }, 'UTC');
    expect(input?.title).toBe('Preview');
    expect(input?.message).toBe('Hi {name}');
  });

  it('waits for a form that could be sent', () => {
    expect(previewInput(emptyCampaignForm(), 'UTC')).toBeNull();
    expect(
      previewInput(
        { ...emptyCampaignForm(), message: 'Hi', minDelaySeconds: '9', maxDelaySeconds: '1' },
        'UTC',
      ),
    ).toBeNull();
  });
});

describe('sampleText', () => {
  it('says when a sample has no text', () => {
    expect(sampleText('  Hi Ana ')).toBe('Hi Ana');
    expect(sampleText(' ')).toBe('(no text: the image alone)');
  });
});
