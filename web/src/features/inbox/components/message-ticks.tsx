import type { MessageStatus } from '@/gql/graphql';

import { messageTicks } from '../utils/status';
import { ClockIcon, DoubleTicksIcon, FailedIcon, SingleTickIcon } from './inbox-icons';
import styles from './inbox.module.css';

export type MessageTicksProps = {
  status: MessageStatus | null | undefined;
  /** Shows "Not sent" next to the red mark of a failed message. */
  withFailedText?: boolean;
};

/** Where a message of ours is: a clock, ✓, grey ✓✓, blue ✓✓, or a red "!". */
export function MessageTicks({ status, withFailedText = false }: MessageTicksProps) {
  const ticks = messageTicks(status);
  if (!ticks) return null;
  const icon = {
    clock: <ClockIcon />,
    tick: <SingleTickIcon />,
    double: <DoubleTicksIcon />,
    failed: <FailedIcon />,
  }[ticks.icon];
  return (
    <span className={[styles.ticks, styles[`ticks-${ticks.tone}`]].join(' ')}>
      <span role="img" aria-label={ticks.label} title={ticks.label} className={styles.tickIcon}>
        {icon}
      </span>
      {withFailedText && ticks.icon === 'failed' ? (
        <span className={styles.failedText} aria-hidden="true">
          {ticks.label}
        </span>
      ) : null}
    </span>
  );
}
