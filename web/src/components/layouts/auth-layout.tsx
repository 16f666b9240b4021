import type { ReactNode } from 'react';

import { LogoMark } from '@/components/ui/icons';
import { env } from '@/config/env';

import styles from './auth-layout.module.css';

export type AuthLayoutProps = {
  title: string;
  subtitle?: string;
  footer?: ReactNode;
  children: ReactNode;
};

export function AuthLayout({ title, subtitle, footer, children }: AuthLayoutProps) {
  return (
    <div className={styles.page}>
      <title>{`${title} · ${env.productName}`}</title>
      <div className={styles.inner}>
        <div className={styles.brand}>
          <LogoMark width={36} height={36} />
          <span>{env.productName}</span>
        </div>
        <main className={styles.card}>
          <h1 className={styles.title}>{title}</h1>
          {subtitle ? <p className={styles.subtitle}>{subtitle}</p> : null}
          {children}
        </main>
        {footer ? <p className={styles.footer}>{footer}</p> : null}
      </div>
    </div>
  );
}
