import { useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';

import { Page } from '@/components/layouts/page';
import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextField } from '@/components/ui/field';
import { PlusIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import { paths, sequencePath } from '@/config/paths';
import { getFragmentData } from '@/gql';
import { errorMessage } from '@/lib/errors';

import {
  SequenceContentFragment,
  SequenceRowFragment,
  useCreateSequence,
  useSequence,
  useSequenceNiches,
  useSequences,
  useUpdateSequence,
} from '../api/sequences';
import {
  emptySequenceForm,
  emptyStep,
  formFromSequence,
  hasErrors,
  parseSequenceForm,
  type SequenceForm,
  type SequenceFormErrors,
  type StepForm,
} from '../utils/form';
import type { CampaignTarget } from '../utils/model';
import { moveItem, removeItem } from '../utils/steps';
import styles from './sequences.module.css';
import { StepEditor } from './step-editor';

export type SequenceEditorScreenProps = {
  /** The sequence edited; null for a new one. */
  sequenceId: string | null;
};

/** The page that creates or edits a sequence: its audience, its chain and its steps. */
export function SequenceEditorScreen({ sequenceId }: SequenceEditorScreenProps) {
  const [{ data, error }] = useSequence(sequenceId ?? '', !sequenceId);
  if (!sequenceId) return <SequenceEditor sequenceId={null} initial={emptySequenceForm()} />;
  const stored = data?.sequence ? getFragmentData(SequenceContentFragment, data.sequence) : null;
  if (!stored) {
    return (
      <Page title="Edit sequence">
        {error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : data ? (
          <ErrorMessage message="This sequence no longer exists." />
        ) : (
          <Spinner />
        )}
      </Page>
    );
  }
  return <SequenceEditor sequenceId={sequenceId} initial={formFromSequence(stored)} />;
}

const TARGETS: { value: CampaignTarget; label: string }[] = [
  { value: 'ALL', label: 'Prospects and customers' },
  { value: 'PROSPECT', label: 'Prospects only' },
  { value: 'CUSTOMER', label: 'Customers only' },
];

const NO_ERRORS: SequenceFormErrors = { step: [] };

function SequenceEditor({
  sequenceId,
  initial,
}: {
  sequenceId: string | null;
  initial: SequenceForm;
}) {
  const navigate = useNavigate();
  const [form, setForm] = useState<SequenceForm>(initial);
  const [errors, setErrors] = useState<SequenceFormErrors>(NO_ERRORS);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const [, create] = useCreateSequence();
  const [, update] = useUpdateSequence();
  const [{ data: nicheData }] = useSequenceNiches();
  const [{ data: sequencesData }] = useSequences();

  const change = <K extends keyof SequenceForm>(field: K, value: SequenceForm[K]) =>
    setForm((current) => ({ ...current, [field]: value }));
  const changeStep = (index: number, patch: Partial<StepForm>) => {
    setForm((current) => ({
      ...current,
      steps: current.steps.map((step, position) =>
        position === index ? { ...step, ...patch } : step,
      ),
    }));
    setErrors((current) => {
      const shown = current.step[index];
      if (!shown) return current;
      const step = { ...shown };
      for (const key of Object.keys(patch)) delete step[key as keyof typeof step];
      return { ...current, step: current.step.map((entry, at) => (at === index ? step : entry)) };
    });
  };
  // Errors follow their step when steps move or go.
  const perStep = (current: SequenceFormErrors) => form.steps.map((_, at) => current.step[at]);
  const moveStep = (index: number, direction: -1 | 1) => {
    change('steps', moveItem(form.steps, index, direction));
    setErrors((current) => ({ ...current, step: moveItem(perStep(current), index, direction) }));
  };
  const removeStep = (index: number) => {
    change('steps', removeItem(form.steps, index));
    setErrors((current) => ({ ...current, step: removeItem(perStep(current), index) }));
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setServerError(null);
    const parsed = parseSequenceForm(form);
    if (parsed.errors) {
      setErrors(parsed.errors);
      // The first field to change, which may be far above the button.
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    setErrors(NO_ERRORS);
    setSaving(true);
    const result = sequenceId
      ? await update({ id: sequenceId, input: parsed.input })
      : await create({ input: parsed.input });
    setSaving(false);
    const data = result.data;
    const savedId = !data
      ? null
      : 'updateSequence' in data
        ? data.updateSequence.id
        : data.createSequence.id;
    if (savedId && !result.error) {
      void navigate(sequencePath(savedId));
      return;
    }
    setServerError(errorMessage(result.error) ?? 'The sequence could not be saved.');
  };

  const niches = nicheData?.niches ?? [];
  const knownTags = new Set(niches.map((niche) => niche.tag));
  const tagChoices = [
    ...niches.filter((niche) => niche.leads > 0 || form.niches.includes(niche.tag)),
    ...form.niches.filter((tag) => !knownTags.has(tag)).map((tag) => ({ tag, leads: 0 })),
  ];
  const others = (sequencesData?.sequences ?? [])
    .map((node) => getFragmentData(SequenceRowFragment, node))
    .filter((sequence) => sequence.id !== sequenceId);
  const chainOptions = [
    { value: '', label: 'None: the run ends after the last step' },
    ...others.map((sequence) => ({ value: sequence.id, label: sequence.name })),
    ...(form.nextSequenceId && !others.some((sequence) => sequence.id === form.nextSequenceId)
      ? [{ value: form.nextSequenceId, label: 'A sequence not loaded yet' }]
      : []),
  ];
  const title = sequenceId ? 'Edit sequence' : 'New sequence';
  const cancelTo = sequenceId ? sequencePath(sequenceId) : paths.sequences;

  return (
    <Page title={title} description="Steps go out one after another, each from the lead’s device.">
      <form
        ref={formRef}
        className={styles.editor}
        onSubmit={(event) => void onSubmit(event)}
        noValidate
        aria-label={title}
      >
        <section className={styles.panel} aria-label="Audience">
          <TextField
            label="Name"
            value={form.name}
            onChange={(event) => {
              change('name', event.target.value);
              setErrors((current) => ({ ...current, name: undefined }));
            }}
            error={errors.name}
            autoComplete="off"
            maxLength={200}
          />
          <TextField
            label="Trigger code"
            value={form.trigger}
            onChange={(event) => {
              change('trigger', event.target.value);
              setErrors((current) => ({ ...current, trigger: undefined }));
            }}
            hint="A lead whose trigger codes include it is enrolled once, when the sequence is active."
            error={errors.trigger}
            autoComplete="off"
            maxLength={100}
          />
          <fieldset className={styles.choice}>
            <legend>Tags</legend>
            <p className={styles.muted}>
              Only leads with any of the tags chosen; none chosen: every lead with the code.
            </p>
            {tagChoices.length === 0 ? (
              <p className={styles.muted}>Your leads have no tags yet.</p>
            ) : (
              <div className={styles.tagChoices}>
                {tagChoices.map((niche) => (
                  <label key={niche.tag} className={styles.check}>
                    <input
                      type="checkbox"
                      checked={form.niches.includes(niche.tag)}
                      onChange={(event) =>
                        change(
                          'niches',
                          event.target.checked
                            ? [...form.niches.filter((tag) => tag !== niche.tag), niche.tag]
                            : form.niches.filter((tag) => tag !== niche.tag),
                        )
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
          <label className={styles.check}>
            <input
              type="checkbox"
              checked={form.stopOnReply}
              onChange={(event) => change('stopOnReply', event.target.checked)}
            />
            Stop when the lead replies (a person takes over in the inbox)
          </label>
          <SelectField
            label="Then enrol in"
            value={form.nextSequenceId}
            options={chainOptions}
            onChange={(event) => change('nextSequenceId', event.target.value)}
            hint="A contact who gets every step moves on to this sequence, once."
          />
        </section>

        <section className={styles.steps} aria-label="Steps">
          <h2 className={styles.subheading}>Steps</h2>
          {form.steps.map((step, index) => (
            <StepEditor
              key={step.key}
              step={step}
              index={index}
              count={form.steps.length}
              errors={errors.step[index] ?? {}}
              niches={form.niches}
              targetStatus={form.targetStatus}
              onChange={(patch) => changeStep(index, patch)}
              onMove={(direction) => moveStep(index, direction)}
              onRemove={() => removeStep(index)}
            />
          ))}
          {errors.steps ? <ErrorMessage message={errors.steps} /> : null}
          <div>
            <Button
              variant="secondary"
              onClick={() => {
                change('steps', [...form.steps, emptyStep(form.steps.length === 0)]);
                setErrors((current) => ({ ...current, steps: undefined }));
              }}
            >
              <PlusIcon width={18} height={18} />
              Add a step
            </Button>
          </div>
        </section>

        <ErrorMessage message={serverError} />
        {hasErrors(errors) ? (
          <ErrorMessage message="Some fields need a change: see the notes beside them." />
        ) : null}
        <div className={styles.formActions}>
          <Button variant="secondary" onClick={() => void navigate(cancelTo)} disabled={saving}>
            Cancel
          </Button>
          <Button type="submit" busy={saving}>
            {sequenceId ? 'Save changes' : 'Create sequence'}
          </Button>
        </div>
      </form>
    </Page>
  );
}
