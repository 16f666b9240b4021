import type { ReactNode } from 'react';

import { env } from '@/config/env';

import styles from './page.module.css';

export type PageProps = {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  /** The screen fills the window (the inbox): its title is there for screen readers only. */
  fill?: boolean;
  children: ReactNode;
};

/** The heading and body of one screen inside the app frame. */
export function Page({ title, description, actions, fill = false, children }: PageProps) {
  if (fill) {
    return (
      <>
        <title>{`${title} · ${env.productName}`}</title>
        <h1 className="visually-hidden">{title}</h1>
        {children}
      </>
    );
  }
  return (
    <>
      <title>{`${title} · ${env.productName}`}</title>
      <header className={styles.header}>
        <div>
          <h1 className={styles.title}>{title}</h1>
          {description ? <p className={styles.description}>{description}</p> : null}
        </div>
        {actions}
      </header>
      <div className={styles.body}>{children}</div>
    </>
  );
}
