import { useId, type ReactNode } from 'react';

import styles from './card.module.css';

export type CardProps = {
  title?: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
};

/** A titled section; it is a labelled region so tests and screen readers can find it by name. */
export function Card({ title, description, actions, children, className }: CardProps) {
  const titleId = useId();
  return (
    <section
      className={[styles.card, className ?? ''].join(' ')}
      aria-labelledby={title ? titleId : undefined}
    >
      {title ? (
        <header className={styles.header}>
          <div>
            <h2 className={styles.title} id={titleId}>
              {title}
            </h2>
            {description ? <p className={styles.description}>{description}</p> : null}
          </div>
          {actions}
        </header>
      ) : null}
      <div className={styles.body}>{children}</div>
    </section>
  );
}
