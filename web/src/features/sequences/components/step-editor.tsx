import { useRef, useState, type ChangeEvent } from 'react';

import { SendWindowFields } from '@/components/send-window/send-window-fields';
import { TemplateEditor } from '@/components/template-editor/template-editor';
import { distinctTextsLabel } from '@/components/template-editor/template';
import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextField } from '@/components/ui/field';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { useStepSample } from '../api/sequences';
import { DELAY_UNITS } from '../utils/delay';
import type { StepErrors, StepForm } from '../utils/form';
import { imageProblem, IMAGE_TYPES } from '@/lib/image';
import type { CampaignTarget, StepFailure } from '../utils/model';
import styles from './sequences.module.css';

export type StepEditorProps = {
  step: StepForm;
  index: number;
  count: number;
  errors: StepErrors;
  /** The sequence's audience, for the rendered samples. */
  niches: readonly string[];
  targetStatus: CampaignTarget;
  onChange: (patch: Partial<StepForm>) => void;
  onMove: (direction: -1 | 1) => void;
  onRemove: () => void;
};

const FAILURES: { value: StepFailure; label: string }[] = [
  { value: 'SKIP', label: 'Go on with the next step' },
  { value: 'STOP', label: 'Stop the contact’s run' },
];

/** One step of a sequence: when it goes out, what it says (with samples), and its window. */
export function StepEditor({
  step,
  index,
  count,
  errors,
  niches,
  targetStatus,
  onChange,
  onMove,
  onRemove,
}: StepEditorProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [imageError, setImageError] = useState<string | null>(null);
  const number = index + 1;
  const hasImage = !!step.image || step.storedImagePosition !== null;

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const problem = imageProblem(file);
    setImageError(problem);
    if (!problem) onChange({ image: file, storedImagePosition: null });
  };

  return (
    <fieldset className={styles.step}>
      <legend className={styles.stepLegend}>Step {number}</legend>
      <div className={styles.stepTools}>
        <Button
          variant="ghost"
          size="small"
          onClick={() => onMove(-1)}
          disabled={index === 0}
          aria-label={`Move up step ${number}`}
        >
          Move up
        </Button>
        <Button
          variant="ghost"
          size="small"
          onClick={() => onMove(1)}
          disabled={index === count - 1}
          aria-label={`Move down step ${number}`}
        >
          Move down
        </Button>
        <Button
          variant="ghost"
          size="small"
          onClick={onRemove}
          disabled={count === 1}
          aria-label={`Remove step ${number}`}
        >
          Remove
        </Button>
      </div>

      <div className={styles.pair}>
        <TextField
          label="Wait"
          type="number"
          inputMode="numeric"
          min={0}
          value={step.delayAmount}
          onChange={(event) => onChange({ delayAmount: event.target.value })}
          hint={index === 0 ? 'After the lead is enrolled.' : `After step ${index} is sent.`}
          error={errors.delayAmount}
        />
        <SelectField
          label="Unit"
          value={step.delayUnit}
          options={DELAY_UNITS}
          onChange={(event) => {
            const unit = DELAY_UNITS.find((entry) => entry.value === event.target.value);
            if (unit) onChange({ delayUnit: unit.value });
          }}
        />
      </div>

      <TemplateEditor
        value={step.message}
        onChange={(message) => onChange({ message })}
        error={errors.message}
      />
      <StepSample message={step.message} niches={niches} targetStatus={targetStatus} />

      <div className={styles.imageField}>
        <span className={styles.label}>Image</span>
        <p className={styles.muted}>
          {step.image
            ? `${step.image.name} · sent with the text as its caption`
            : step.storedImagePosition !== null
              ? 'The step’s image is kept; the text is its caption.'
              : 'Optional: a picture, with the text as its caption.'}
        </p>
        <div className={styles.actions}>
          <Button variant="secondary" size="small" onClick={() => fileInput.current?.click()}>
            {hasImage ? 'Choose another image' : 'Attach an image'}
          </Button>
          {hasImage ? (
            <Button
              variant="ghost"
              size="small"
              onClick={() => onChange({ image: null, storedImagePosition: null })}
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
          aria-label={`Image file for step ${number}`}
          tabIndex={-1}
          onChange={onFile}
        />
        <ErrorMessage message={imageError ?? errors.image} />
      </div>

      <SendWindowFields
        from={step.windowFrom}
        to={step.windowTo}
        weekdays={step.weekdays}
        onChange={(...[field, value]) =>
          field === 'weekdays' ? onChange({ weekdays: value }) : onChange({ [field]: value })
        }
        errors={errors}
      />

      <div className={styles.pair}>
        <TextField
          label="Shortest pause (s)"
          type="number"
          inputMode="numeric"
          min={0}
          value={step.minDelaySeconds}
          onChange={(event) => onChange({ minDelaySeconds: event.target.value })}
          error={errors.minDelaySeconds}
        />
        <TextField
          label="Longest pause (s)"
          type="number"
          inputMode="numeric"
          min={0}
          value={step.maxDelaySeconds}
          onChange={(event) => onChange({ maxDelaySeconds: event.target.value })}
          error={errors.maxDelaySeconds}
        />
      </div>
      <SelectField
        label="If sending fails"
        value={step.onFailure}
        options={FAILURES}
        onChange={(event) => {
          const failure = FAILURES.find((entry) => entry.value === event.target.value);
          if (failure) onChange({ onFailure: failure.value });
        }}
      />
    </fieldset>
  );
}

/** What a few leads would read, rendered by the server as it renders campaigns. */
function StepSample({
  message,
  niches,
  targetStatus,
}: {
  message: string;
  niches: readonly string[];
  targetStatus: CampaignTarget;
}) {
  const typed = useDebouncedValue(message, 500);
  const [{ data, error }] = useStepSample(typed, niches, targetStatus);
  if (!typed.trim()) return null;
  const preview = data?.campaignPreview;
  if (!preview) {
    return error ? null : <p className={styles.muted}>Rendering samples…</p>;
  }
  return (
    <div className={styles.samplesBox}>
      <p className={styles.muted}>
        As some of your leads would read it · {distinctTextsLabel(preview.distinctTexts)}
      </p>
      {preview.samples.length > 0 ? (
        <ul className={styles.samples} aria-label="Samples">
          {preview.samples.map((sample, index) => (
            <li key={index}>{sample.trim() || '(no text: the image alone)'}</li>
          ))}
        </ul>
      ) : (
        <p className={styles.muted}>No lead matches, so there is nothing to show.</p>
      )}
    </div>
  );
}
