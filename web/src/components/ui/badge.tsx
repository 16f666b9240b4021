import type { ReactNode } from 'react';

import styles from './badge.module.css';

export type BadgeTone = 'success' | 'info' | 'warning' | 'danger' | 'neutral';

export type BadgeProps = {
  tone?: BadgeTone;
  children: ReactNode;
};

/** A short coloured label with a dot, e.g. a status. */
export function Badge({ tone = 'neutral', children }: BadgeProps) {
  return (
    <span className={[styles.badge, styles[tone]].join(' ')}>
      <span className={styles.dot} aria-hidden="true" />
      {children}
    </span>
  );
}
