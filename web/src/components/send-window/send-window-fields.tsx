import { TextField } from '@/components/ui/field';
import type { Weekday } from '@/gql/graphql';

import { ALL_WEEKDAYS, DAY_LABELS } from './weekdays';
import styles from './send-window-fields.module.css';

/** A field of the window and its new value. */
export type WindowChange =
  [field: 'windowFrom' | 'windowTo', value: string] | [field: 'weekdays', value: Weekday[]];

export type SendWindowFieldsProps = {
  from: string;
  to: string;
  weekdays: readonly Weekday[];
  onChange: (...change: WindowChange) => void;
  errors?: { windowFrom?: string; windowTo?: string; weekdays?: string };
  legend?: string;
};

/**
 * The hours and days a message may go out, in each lead's local time (campaigns and sequence
 * steps): two time boxes and a check box per day.
 */
export function SendWindowFields({
  from,
  to,
  weekdays,
  onChange,
  errors = {},
  legend = 'When to send',
}: SendWindowFieldsProps) {
  return (
    <fieldset className={styles.choice}>
      <legend>{legend}</legend>
      <p className={styles.muted}>In each lead’s local time. No hours: any time of day.</p>
      <div className={styles.pair}>
        <TextField
          label="From"
          type="time"
          value={from}
          onChange={(event) => onChange('windowFrom', event.target.value)}
          error={errors.windowFrom}
        />
        <TextField
          label="Until"
          type="time"
          value={to}
          onChange={(event) => onChange('windowTo', event.target.value)}
          error={errors.windowTo}
        />
      </div>
      <div className={styles.weekdays} role="group" aria-label="Days">
        {ALL_WEEKDAYS.map((day) => (
          <label key={day} className={styles.check}>
            <input
              type="checkbox"
              checked={weekdays.includes(day)}
              onChange={(event) =>
                onChange(
                  'weekdays',
                  ALL_WEEKDAYS.filter((entry) =>
                    entry === day ? event.target.checked : weekdays.includes(entry),
                  ),
                )
              }
            />
            {DAY_LABELS[day]}
          </label>
        ))}
      </div>
      {errors.weekdays ? <p className={styles.fieldError}>{errors.weekdays}</p> : null}
    </fieldset>
  );
}
