import { useId, type ReactNode } from 'react';
import { Link } from 'react-router';

import buttonStyles from './button.module.css';
import styles from './empty-state.module.css';

export type EmptyStateProps = {
  /** A picture of what is missing (an icon, 28 px). */
  icon?: ReactNode;
  title?: string;
  /** What would be here and how it gets here, in plain words. */
  children: ReactNode;
  /** The next step: buttons, or a link with `action`. */
  actions?: ReactNode;
  /** A link to the screen where the next step is. */
  action?: { label: string; to: string };
};

/** What a screen or list shows while it has nothing yet: what it is for and what to do next. */
export function EmptyState({ icon, title, children, actions, action }: EmptyStateProps) {
  const titleId = useId();
  return (
    <section className={styles.empty} aria-labelledby={title ? titleId : undefined}>
      {icon ? (
        <div className={styles.icon} aria-hidden="true">
          {icon}
        </div>
      ) : null}
      {title ? (
        <h2 className={styles.title} id={titleId}>
          {title}
        </h2>
      ) : null}
      <p className={styles.text}>{children}</p>
      {actions}
      {action ? (
        <Link className={[buttonStyles.button, buttonStyles.primary].join(' ')} to={action.to}>
          {action.label}
        </Link>
      ) : null}
    </section>
  );
}
