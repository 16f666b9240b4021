import { useState } from 'react';

import { DevicePicker } from '@/components/device-picker/device-picker';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';

import {
  AI_LEAD_STATUSES,
  aiLeadStatusLabel,
  isAiLeadStatus,
  isTargetStatus,
  NO_AUDIENCE_FILTERS,
  parseTags,
  TARGET_STATUSES,
  targetStatusLabel,
  type AudienceFilters as Filters,
  type AudienceKind,
  type OptedOutChoice,
} from '../utils/filters';
import styles from './audience.module.css';

export type AudienceFiltersProps = {
  kind: AudienceKind;
  value: Filters;
  onChange: (filters: Filters) => void;
  /** Every tag in use, offered while typing. */
  knownTags: readonly string[];
};

const targetOptions = [
  { value: '', label: 'Any' },
  ...TARGET_STATUSES.map((status) => ({ value: status, label: targetStatusLabel(status) })),
];
const aiStatusOptions = [
  { value: '', label: 'Any' },
  ...AI_LEAD_STATUSES.map((status) => ({ value: status, label: aiLeadStatusLabel(status) })),
];
const optedOutOptions: { value: OptedOutChoice; label: string }[] = [
  { value: 'any', label: 'Everyone' },
  { value: 'no', label: 'Not opted out' },
  { value: 'yes', label: 'Opted out' },
];

/** The filter bar shared by the leads and AI leads lists. */
export function AudienceFilters({ kind, value, onChange, knownTags }: AudienceFiltersProps) {
  const [tagText, setTagText] = useState('');
  const listId = `${kind}-known-tags`;
  const addTags = () => {
    const added = parseTags(tagText).filter(
      (tag) => !value.tags.some((have) => have.toLowerCase() === tag.toLowerCase()),
    );
    setTagText('');
    if (added.length > 0) onChange({ ...value, tags: [...value.tags, ...added] });
  };

  return (
    <div
      className={styles.filters}
      role="search"
      aria-label={kind === 'leads' ? 'Leads' : 'AI leads'}
    >
      <div className={styles.toolbar}>
        <div className={styles.searchFilter}>
          <TextField
            label="Search"
            type="search"
            placeholder="Name or phone number"
            value={value.search}
            onChange={(event) => onChange({ ...value, search: event.target.value })}
          />
        </div>
        {kind === 'leads' ? (
          <div className={styles.filter}>
            <DevicePicker
              allLabel="All devices"
              value={value.deviceId}
              onChange={(deviceId) => onChange({ ...value, deviceId })}
            />
          </div>
        ) : (
          <div className={styles.filter}>
            <SelectField
              label="Status"
              options={aiStatusOptions}
              value={value.status ?? ''}
              onChange={(event) =>
                onChange({
                  ...value,
                  status: isAiLeadStatus(event.target.value) ? event.target.value : null,
                })
              }
            />
          </div>
        )}
        <div className={styles.filter}>
          <SelectField
            label="Target"
            options={targetOptions}
            value={value.targetStatus ?? ''}
            onChange={(event) =>
              onChange({
                ...value,
                targetStatus: isTargetStatus(event.target.value) ? event.target.value : null,
              })
            }
          />
        </div>
        {kind === 'leads' ? (
          <div className={styles.filter}>
            <TextField
              label="Trigger"
              value={value.trigger}
              onChange={(event) => onChange({ ...value, trigger: event.target.value })}
            />
          </div>
        ) : null}
        <div className={styles.filter}>
          <SelectField
            label="Opt-outs"
            options={optedOutOptions}
            value={value.optedOut}
            onChange={(event) =>
              onChange({
                ...value,
                optedOut:
                  optedOutOptions.find((option) => option.value === event.target.value)?.value ??
                  'any',
              })
            }
          />
        </div>
      </div>
      <div className={styles.toolbar}>
        <form
          className={styles.tagForm}
          onSubmit={(event) => {
            event.preventDefault();
            addTags();
          }}
        >
          <TextField
            label="Tags"
            placeholder="Type a tag, then Enter"
            list={listId}
            value={tagText}
            onChange={(event) => setTagText(event.target.value)}
          />
          <datalist id={listId}>
            {knownTags.map((tag) => (
              <option key={tag} value={tag} />
            ))}
          </datalist>
          <Button type="submit" variant="secondary" disabled={!tagText.trim()}>
            Add tag
          </Button>
        </form>
        {value.tags.length > 1 ? (
          <div className={styles.filter}>
            <SelectField
              label="Match"
              options={[
                { value: 'any', label: 'Any of the tags' },
                { value: 'all', label: 'All of the tags' },
              ]}
              value={value.tagMatch}
              onChange={(event) =>
                onChange({ ...value, tagMatch: event.target.value === 'all' ? 'all' : 'any' })
              }
            />
          </div>
        ) : null}
      </div>
      {value.tags.length > 0 ? (
        <ul className={styles.tagChips} aria-label="Tags filtered by">
          {value.tags.map((tag) => (
            <li key={tag}>
              <button
                type="button"
                className={styles.chipButton}
                aria-label={`Remove the tag filter ${tag}`}
                onClick={() => onChange({ ...value, tags: value.tags.filter((t) => t !== tag) })}
              >
                {tag} <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {JSON.stringify(value) !== JSON.stringify(NO_AUDIENCE_FILTERS) ? (
        <div>
          <Button variant="ghost" size="small" onClick={() => onChange(NO_AUDIENCE_FILTERS)}>
            Clear filters
          </Button>
        </div>
      ) : null}
    </div>
  );
}
