import type { CampaignContentFragment } from '@/gql/graphql';
import { utcToZoned } from '@/lib/time-zone';

import type { CampaignInputFields } from './model';
import { ALL_WEEKDAYS, parseCampaignForm, type CampaignForm } from './validation';

/** The dialog's purpose: a new campaign, changes to one, or a new one made from another. */
export type DialogMode = 'create' | 'edit' | 'clone';

type Content = Omit<CampaignContentFragment, ' $fragmentName'>;

/**
 * The form filled in from a stored campaign: to edit it, or (with a new title and no start time)
 * to clone it, as the server's `cloneCampaign` does.
 */
export function formFromCampaign(
  campaign: Content,
  timeZone: string,
  mode: Exclude<DialogMode, 'create'>,
): CampaignForm {
  const clone = mode === 'clone';
  return {
    // The kind stays the stored one (a copy is of the same kind); so does the limit.
    kind: campaign.kind,
    perDeviceLimit: campaign.perDeviceLimit ? String(campaign.perDeviceLimit) : '',
    title: clone ? `${campaign.title} (Copy)` : campaign.title,
    message: campaign.message,
    hasImage: campaign.hasImage,
    niches: [...campaign.niches],
    targetStatus: campaign.targetStatus,
    allDevices: campaign.deviceIds.length === 0,
    deviceIds: [...campaign.deviceIds],
    scheduledAt:
      !clone && campaign.scheduledAt ? (utcToZoned(campaign.scheduledAt, timeZone) ?? '') : '',
    windowFrom: campaign.sendWindow?.from ?? '',
    windowTo: campaign.sendWindow?.to ?? '',
    weekdays: campaign.weekdays.length
      ? ALL_WEEKDAYS.filter((day) => campaign.weekdays.includes(day))
      : [...ALL_WEEKDAYS],
    minDelaySeconds: String(campaign.minDelaySeconds),
    maxDelaySeconds: String(campaign.maxDelaySeconds),
  };
}

/**
 * What to ask `campaignPreview` for while the form is being filled in: the form as it would be
 * sent, with a stand-in title (the title changes nothing in the preview); null while the form
 * could not be sent (the preview would only repeat the form's complaints).
 */
export function previewInput(form: CampaignForm, timeZone: string): CampaignInputFields | null {
  const { input } = parseCampaignForm({ ...form, title: form.title.trim() || 'Preview' }, timeZone);
  return input;
}

/** `sample` with the leading and trailing space trimmed, and empty ones said in words. */
export function sampleText(sample: string): string {
  return sample.trim() || '(no text: the image alone)';
}
