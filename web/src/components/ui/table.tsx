import type { TableHTMLAttributes } from 'react';

import styles from './table.module.css';

export type TableProps = TableHTMLAttributes<HTMLTableElement> & {
  /** The accessible name of the table. */
  label: string;
};

export function Table({ label, className, children, ...props }: TableProps) {
  return (
    <div className={styles.wrapper}>
      <table aria-label={label} className={[styles.table, className ?? ''].join(' ')} {...props}>
        {children}
      </table>
    </div>
  );
}
