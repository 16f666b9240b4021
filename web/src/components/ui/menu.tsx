import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

import { MoreIcon } from './icons';
import styles from './menu.module.css';

export type MenuItem = {
  label: string;
  onSelect: () => void;
  variant?: 'normal' | 'danger';
  disabled?: boolean;
};

export type MenuButtonProps = {
  /** The accessible name of the button that opens the menu. */
  label: string;
  items: readonly MenuItem[];
  /** What the button shows; three dots by default. */
  children?: ReactNode;
};

/** A button that opens a list of actions (the ARIA menu button pattern). */
export function MenuButton({ label, items, children }: MenuButtonProps) {
  const buttonId = useId();
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const wrapperRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);

  const enabled = items.map((item, index) => (item.disabled ? -1 : index)).filter((i) => i >= 0);

  useEffect(() => {
    if (!open) return;
    itemRefs.current[enabled[0] ?? 0]?.focus();
    const onPointerDown = (event: MouseEvent) => {
      if (!wrapperRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointerDown);
    return () => document.removeEventListener('mousedown', onPointerDown);
    // Focus the first item once per opening only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const close = () => {
    buttonRef.current?.focus();
    setOpen(false);
  };

  const moveFocus = (step: number) => {
    const current = itemRefs.current.findIndex((item) => item === document.activeElement);
    const position = enabled.indexOf(current);
    const next = enabled[(position + step + enabled.length) % enabled.length];
    if (next !== undefined) itemRefs.current[next]?.focus();
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        moveFocus(1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        moveFocus(-1);
        break;
      case 'Home':
        event.preventDefault();
        itemRefs.current[enabled[0] ?? 0]?.focus();
        break;
      case 'End':
        event.preventDefault();
        itemRefs.current[enabled[enabled.length - 1] ?? 0]?.focus();
        break;
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        close();
        break;
      case 'Tab':
        setOpen(false);
        break;
    }
  };

  return (
    <div className={styles.wrapper} ref={wrapperRef}>
      <button
        ref={buttonRef}
        id={buttonId}
        type="button"
        className={styles.trigger}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((value) => !value)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        {children ?? <MoreIcon />}
      </button>
      {open ? (
        <ul
          id={menuId}
          role="menu"
          aria-labelledby={buttonId}
          className={styles.menu}
          onKeyDown={onMenuKeyDown}
        >
          {items.map((item, index) => (
            <li key={item.label} role="none">
              <button
                ref={(element) => {
                  itemRefs.current[index] = element;
                }}
                type="button"
                role="menuitem"
                tabIndex={-1}
                disabled={item.disabled}
                className={[styles.item, item.variant === 'danger' ? styles.danger : ''].join(' ')}
                onClick={() => {
                  close();
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
