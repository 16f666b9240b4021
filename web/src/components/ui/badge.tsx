import type { ReactNode } from 'react';

import styles from './badge.module.css';

export type BadgeTone = 'success' | 'info' | 'warning' | 'danger' | 'neutral';

export type BadgeProps = {
  tone?: BadgeTone;
  /** Shown instead of the dot (decorative: the text says it all). */
  icon?: ReactNode;
  children: ReactNode;
};

/** A short coloured label with a dot (or an icon), e.g. a status. */
export function Badge({ tone = 'neutral', icon, children }: BadgeProps) {
  return (
    <span className={[styles.badge, styles[tone]].join(' ')}>
      {icon ? (
        <span className={styles.icon} aria-hidden="true">
          {icon}
        </span>
      ) : (
        <span className={styles.dot} aria-hidden="true" />
      )}
      {children}
    </span>
  );
}
