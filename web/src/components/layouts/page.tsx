import type { ReactNode } from 'react';

import { env } from '@/config/env';

import styles from './page.module.css';

export type PageProps = {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
};

/** The heading and body of one screen inside the app frame. */
export function Page({ title, description, actions, children }: PageProps) {
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
