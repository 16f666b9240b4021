import { useId } from 'react';

import { DoubleTickIcon, TickIcon } from '@/components/ui/icons';
import type { OutboxStatus } from '@/gql/graphql';
import { pluralize } from '@/lib/format';

import type { StatusCounts } from '../api/outbox';
import {
  EVERYDAY_STATUSES,
  OUTBOX_STATUSES,
  statusLabel,
  statusTicks,
  statusTone,
  type Ticks,
} from '../utils/status';
import styles from './outbox.module.css';

export type StatusFilterProps = {
  /** The chosen statuses; empty for all. */
  value: readonly OutboxStatus[];
  /** Live counts of the view by status (null while loading). */
  counts: StatusCounts | null;
  onToggle: (status: OutboxStatus) => void;
  onClear: () => void;
};

/**
 * The live summary and the status filter in one: a chip per status with its count. Rare
 * statuses (scheduled, skipped, cancelled) show up once a message has them.
 */
export function StatusFilter({ value, counts, onToggle, onClear }: StatusFilterProps) {
  const shown = OUTBOX_STATUSES.filter(
    (status) =>
      EVERYDAY_STATUSES.includes(status) || value.includes(status) || (counts?.[status] ?? 0) > 0,
  );
  return (
    <div className={styles.chips} role="group" aria-label="Status">
      <Chip
        label="All statuses"
        shortLabel="All"
        count={counts?.all}
        checked={value.length === 0}
        onChange={onClear}
      />
      {shown.map((status) => (
        <Chip
          key={status}
          label={statusLabel(status)}
          tone={statusTone(status)}
          ticks={statusTicks(status)}
          count={counts?.[status]}
          checked={value.includes(status)}
          onChange={() => onToggle(status)}
        />
      ))}
    </div>
  );
}

type ChipProps = {
  label: string;
  shortLabel?: string;
  tone?: string;
  ticks?: Ticks;
  count: number | undefined;
  checked: boolean;
  onChange: () => void;
};

function Chip({ label, shortLabel, tone, ticks = 'none', count, checked, onChange }: ChipProps) {
  const countId = useId();
  return (
    <label className={[styles.chip, checked ? styles.chipOn : ''].join(' ')}>
      <input
        type="checkbox"
        className={styles.chipInput}
        checked={checked}
        onChange={onChange}
        aria-label={label}
        aria-describedby={count === undefined ? undefined : countId}
      />
      {ticks !== 'none' ? (
        <span
          className={[styles.chipTicks, ticks === 'read' ? styles.readTicks : ''].join(' ')}
          aria-hidden="true"
        >
          {ticks === 'sent' ? <TickIcon /> : <DoubleTickIcon />}
        </span>
      ) : tone ? (
        <span className={[styles.chipDot, styles[`tone-${tone}`]].join(' ')} aria-hidden="true" />
      ) : null}
      <span aria-hidden="true">{shortLabel ?? label}</span>
      {count === undefined ? null : (
        <span className={styles.chipCount} id={countId}>
          <span aria-hidden="true">{count.toLocaleString('en-US')}</span>
          <span className="visually-hidden">{pluralize(count, 'message')}</span>
        </span>
      )}
    </label>
  );
}
