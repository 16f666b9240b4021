import { useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';

import { DevicePicker } from '@/components/device-picker/device-picker';
import { SendWindowFields } from '@/components/send-window/send-window-fields';
import { useDeviceById } from '@/components/device-picker/api';
import { Button } from '@/components/ui/button';
import { Dialog, DialogActions } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextField } from '@/components/ui/field';
import { Spinner } from '@/components/ui/spinner';
import { getFragmentData } from '@/gql';
import type { CampaignInput } from '@/gql/graphql';
import { deviceLabel } from '@/lib/device-summary';
import { errorMessage } from '@/lib/errors';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import {
  CampaignContentFragment,
  useCampaign,
  useCampaignNiches,
  useCampaignPreview,
  useCloneCampaign,
  useCreateCampaign,
  useUpdateCampaign,
} from '../api/campaigns';
import { formFromCampaign, previewInput, type DialogMode } from '../utils/form';
import { imageProblem, IMAGE_TYPES } from '@/lib/image';
import type { CampaignKind, CampaignTarget } from '../utils/model';
import {
  emptyCampaignForm,
  parseCampaignForm,
  type CampaignForm,
  type CampaignFormErrors,
} from '../utils/validation';
import styles from './campaigns.module.css';
import { CampaignPreviewPanel, PreviewSamples } from './campaign-preview';
import { TemplateEditor } from '@/components/template-editor/template-editor';

export type CampaignDialogProps = {
  mode: DialogMode;
  /** The campaign edited, or cloned; null for a new one. */
  campaignId: string | null;
  timeZone: string;
  onClose: () => void;
  /** The id of the campaign saved (the new one, for a clone). */
  onSaved: (id: string) => void;
};

const TITLES: Record<DialogMode, string> = {
  create: 'New campaign',
  edit: 'Edit campaign',
  clone: 'Clone campaign',
};

/** The one dialog that creates, edits and clones a campaign, with the preview of what it sends. */
export function CampaignDialog(props: CampaignDialogProps) {
  const { mode, campaignId, timeZone, onClose } = props;
  const [{ data, error }] = useCampaign(campaignId ?? '', mode === 'create' || !campaignId);
  const stored =
    mode !== 'create' && data?.campaign
      ? getFragmentData(CampaignContentFragment, data.campaign)
      : null;

  if (mode === 'create' || !campaignId) {
    return <CampaignFormDialog {...props} initial={emptyCampaignForm()} />;
  }
  if (!stored) {
    return (
      <Dialog open title={TITLES[mode]} size="wide" onClose={onClose}>
        {error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : data ? (
          <ErrorMessage message="This campaign no longer exists." />
        ) : (
          <Spinner />
        )}
      </Dialog>
    );
  }
  return <CampaignFormDialog {...props} initial={formFromCampaign(stored, timeZone, mode)} />;
}

type FormDialogProps = CampaignDialogProps & { initial: CampaignForm };

const KINDS: { value: CampaignKind; label: string; detail: string }[] = [
  { value: 'BROADCAST', label: 'Broadcast', detail: 'each lead from its own device' },
  {
    value: 'AI',
    label: 'AI campaign',
    detail: 'the AI lead pool spread over your online devices',
  },
];

const TARGETS: { value: CampaignTarget; label: string }[] = [
  { value: 'ALL', label: 'Prospects and customers' },
  { value: 'PROSPECT', label: 'Prospects only' },
  { value: 'CUSTOMER', label: 'Customers only' },
];

function CampaignFormDialog({
  mode,
  campaignId,
  timeZone,
  onClose,
  onSaved,
  initial,
}: FormDialogProps) {
  const [form, setForm] = useState<CampaignForm>(initial);
  const [image, setImage] = useState<File | null>(null);
  const [removeImage, setRemoveImage] = useState(false);
  const [imageError, setImageError] = useState<string | null>(null);
  const [errors, setErrors] = useState<CampaignFormErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // A clone made already (the first save failed after it): the next save changes it instead.
  const cloned = useRef<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const [, create] = useCreateCampaign();
  const [, update] = useUpdateCampaign();
  const [, clone] = useCloneCampaign();
  const [{ data: nicheData }] = useCampaignNiches();
  const ids = useId();

  const keptImage = initial.hasImage && !removeImage;
  const withImage = { ...form, hasImage: !!image || keptImage };
  const previewFor = useDebouncedValue(previewInput(withImage, timeZone), 500);
  const [previewResult] = useCampaignPreview(previewFor);
  const preview = previewFor ? previewResult.data?.campaignPreview : undefined;

  const change = <K extends keyof CampaignForm>(field: K, value: CampaignForm[K]) => {
    setForm((current) => ({ ...current, [field]: value }));
    if (field in errors) {
      setErrors((current) => {
        const rest = { ...current };
        delete rest[field];
        return rest;
      });
    }
  };

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const problem = imageProblem(file);
    setImageError(problem);
    if (!problem) {
      setImage(file);
      if (errors.message) change('message', form.message);
    }
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseCampaignForm(withImage, timeZone);
    if (parsed.errors) {
      setErrors(parsed.errors);
      // The first field to change, which may be far above the button.
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    setErrors({});
    setServerError(null);
    setSaving(true);
    const input: CampaignInput = {
      ...parsed.input,
      image: image ?? undefined,
      removeImage: !image && initial.hasImage && removeImage,
    };
    let savedId: string | null = null;
    let failure = null;
    if (mode === 'create') {
      const result = await create({ input });
      savedId = result.data?.createCampaign.id ?? null;
      failure = result.error;
    } else if (mode === 'edit' && campaignId) {
      const result = await update({ id: campaignId, input });
      savedId = result.data?.updateCampaign.id ?? null;
      failure = result.error;
    } else if (campaignId) {
      // The server copies the content (its image too); the form's changes go onto the copy.
      if (!cloned.current) {
        const copy = await clone({ id: campaignId });
        cloned.current = copy.data?.cloneCampaign.id ?? null;
        failure = copy.error;
      }
      if (cloned.current) {
        const result = await update({ id: cloned.current, input });
        savedId = result.data?.updateCampaign.id ?? null;
        failure = result.error;
      }
    }
    setSaving(false);
    if (savedId && !failure) {
      onSaved(savedId);
      return;
    }
    setServerError(errorMessage(failure) ?? 'The campaign could not be saved.');
  };

  const ai = form.kind === 'AI';
  // The tags of the leads the campaign would reach: the AI pool's, or the devices' leads'.
  const niches = (nicheData?.niches ?? []).map((niche) => ({
    tag: niche.tag,
    leads: ai ? niche.aiLeads : niche.leads,
  }));
  const knownTags = new Set(niches.map((niche) => niche.tag));
  const tagChoices = [
    ...niches.filter((niche) => niche.leads > 0 || form.niches.includes(niche.tag)),
    ...form.niches.filter((tag) => !knownTags.has(tag)).map((tag) => ({ tag, leads: 0 })),
  ];
  const toggle = <T,>(list: readonly T[], item: T, on: boolean) =>
    on ? [...list.filter((entry) => entry !== item), item] : list.filter((entry) => entry !== item);

  return (
    <Dialog open title={TITLES[mode]} size="wide" onClose={onClose} busy={saving}>
      <form
        ref={formRef}
        className={styles.form}
        onSubmit={(event) => void onSubmit(event)}
        noValidate
      >
        <fieldset className={styles.choice}>
          <legend>Kind</legend>
          {KINDS.map((kind) => (
            <label key={kind.value} className={styles.check}>
              <input
                type="radio"
                name={`${ids}-kind`}
                checked={form.kind === kind.value}
                disabled={mode !== 'create'}
                onChange={() => change('kind', kind.value)}
              />
              <span>
                <strong>{kind.label}</strong> — {kind.detail}
              </span>
            </label>
          ))}
          {mode === 'create' ? null : (
            <p className={styles.muted}>
              {mode === 'clone'
                ? 'A copy is of the same kind.'
                : 'A saved campaign keeps its kind.'}
            </p>
          )}
        </fieldset>
        {ai ? (
          <TextField
            label="Limit per device"
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            value={form.perDeviceLimit}
            onChange={(event) => change('perDeviceLimit', event.target.value)}
            hint="At most this many leads go out from each device; the leads no device has room for stay in the pool for a later campaign."
            error={errors.perDeviceLimit}
          />
        ) : null}

        <TextField
          label="Title"
          value={form.title}
          onChange={(event) => change('title', event.target.value)}
          error={errors.title}
          autoComplete="off"
          maxLength={200}
        />
        <TemplateEditor
          value={form.message}
          onChange={(value) => change('message', value)}
          error={errors.message}
        />
        <PreviewSamples input={previewFor} preview={preview} />

        <div className={styles.imageField}>
          <span className={styles.label}>Image</span>
          {image ? (
            <p className={styles.muted}>{image.name} · sent with the text as its caption</p>
          ) : keptImage ? (
            <p className={styles.muted}>The campaign’s image is kept; the text is its caption.</p>
          ) : (
            <p className={styles.muted}>Optional: a picture, with the text as its caption.</p>
          )}
          <div className={styles.actions}>
            <Button variant="secondary" size="small" onClick={() => fileInput.current?.click()}>
              {image || keptImage ? 'Choose another image' : 'Attach an image'}
            </Button>
            {image || keptImage ? (
              <Button
                variant="ghost"
                size="small"
                onClick={() => {
                  setImage(null);
                  if (initial.hasImage) setRemoveImage(true);
                }}
              >
                Remove image
              </Button>
            ) : null}
          </div>
          <input
            ref={fileInput}
            type="file"
            accept={IMAGE_TYPES.join(',')}
            className="visually-hidden"
            aria-label="Image file"
            tabIndex={-1}
            onChange={onFile}
          />
          <ErrorMessage message={imageError} />
        </div>

        <fieldset className={styles.choice}>
          <legend>Tags</legend>
          <p className={styles.muted}>
            {ai
              ? 'AI leads with any of the tags chosen; none chosen: the whole pool.'
              : 'Leads with any of the tags chosen; none chosen: every lead.'}
          </p>
          {tagChoices.length === 0 ? (
            <p className={styles.muted}>
              {ai ? 'Your AI leads have no tags yet.' : 'Your leads have no tags yet.'}
            </p>
          ) : (
            <div className={styles.tagChoices}>
              {tagChoices.map((niche) => (
                <label key={niche.tag} className={styles.check}>
                  <input
                    type="checkbox"
                    checked={form.niches.includes(niche.tag)}
                    onChange={(event) =>
                      change('niches', toggle(form.niches, niche.tag, event.target.checked))
                    }
                  />
                  {niche.tag}{' '}
                  <span className={styles.muted}>({niche.leads.toLocaleString('en-US')})</span>
                </label>
              ))}
            </div>
          )}
        </fieldset>

        <SelectField
          label="Send to"
          value={form.targetStatus}
          options={TARGETS}
          onChange={(event) => {
            const target = TARGETS.find((entry) => entry.value === event.target.value);
            if (target) change('targetStatus', target.value);
          }}
        />

        <fieldset className={styles.choice}>
          <legend>Devices</legend>
          <label className={styles.check}>
            <input
              type="radio"
              name={`${ids}-devices`}
              checked={form.allDevices}
              onChange={() => change('allDevices', true)}
            />
            {ai ? 'All my online devices' : 'All my devices'}
          </label>
          <label className={styles.check}>
            <input
              type="radio"
              name={`${ids}-devices`}
              checked={!form.allDevices}
              onChange={() => change('allDevices', false)}
            />
            Only the devices I choose
          </label>
          {form.allDevices ? null : (
            <div className={styles.devices}>
              <DevicePicker
                label="Add a device"
                requirePaired
                value={null}
                onChange={(id) => {
                  if (id) change('deviceIds', toggle(form.deviceIds, id, true));
                }}
                error={errors.deviceIds}
              />
              {form.deviceIds.length ? (
                <ul className={styles.chosen} aria-label="Chosen devices">
                  {form.deviceIds.map((id) => (
                    <ChosenDevice
                      key={id}
                      id={id}
                      onRemove={() => change('deviceIds', toggle(form.deviceIds, id, false))}
                    />
                  ))}
                </ul>
              ) : null}
            </div>
          )}
        </fieldset>

        <TextField
          label="Start"
          type="datetime-local"
          value={form.scheduledAt}
          onChange={(event) => change('scheduledAt', event.target.value)}
          hint={`In your time zone (${timeZone}). Empty: as soon as it is saved.`}
          error={errors.scheduledAt}
        />

        <SendWindowFields
          from={form.windowFrom}
          to={form.windowTo}
          weekdays={form.weekdays}
          onChange={(...[field, value]) =>
            field === 'weekdays' ? change(field, value) : change(field, value)
          }
          errors={errors}
        />

        <div className={styles.pair}>
          <TextField
            label="Shortest pause (s)"
            type="number"
            inputMode="numeric"
            min={0}
            value={form.minDelaySeconds}
            onChange={(event) => change('minDelaySeconds', event.target.value)}
            error={errors.minDelaySeconds}
          />
          <TextField
            label="Longest pause (s)"
            type="number"
            inputMode="numeric"
            min={0}
            value={form.maxDelaySeconds}
            onChange={(event) => change('maxDelaySeconds', event.target.value)}
            error={errors.maxDelaySeconds}
          />
        </div>

        <CampaignPreviewPanel
          input={previewFor}
          preview={preview}
          error={previewResult.error}
          fetching={previewResult.fetching}
          timeZone={timeZone}
        />

        <ErrorMessage message={serverError} />
        {Object.keys(errors).length > 0 ? (
          <ErrorMessage message="Some fields need a change: see the notes beside them." />
        ) : null}
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={saving}>
            Cancel
          </Button>
          <Button type="submit" busy={saving}>
            {mode === 'edit' ? 'Save changes' : 'Create campaign'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function ChosenDevice({ id, onRemove }: { id: string; onRemove: () => void }) {
  const { device, missing } = useDeviceById(id);
  const name = device ? deviceLabel(device) : missing ? 'Device not found' : 'Loading…';
  return (
    <li className={styles.chip}>
      <span>{name}</span>
      <Button
        variant="ghost"
        size="small"
        onClick={onRemove}
        aria-label={`Remove ${device?.name ?? 'device'}`}
      >
        Remove
      </Button>
    </li>
  );
}
