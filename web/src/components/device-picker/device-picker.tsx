import {
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type UIEvent,
} from 'react';

import { DEVICE_STATUS_LABELS, deviceLabel } from '@/lib/device-summary';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { useDeviceById, useDevicePages, type DeviceSummary } from './api';
import styles from './device-picker.module.css';

export type DevicePickerProps = {
  label?: string;
  /** Shows the label to screen readers only (a toolbar that says what it is otherwise). */
  labelHidden?: boolean;
  /** The chosen device's id; null for none (or "all devices", with `allLabel`). */
  value: string | null;
  onChange: (id: string | null) => void;
  /** Offers "all devices" first, with this label; choosing it gives null. */
  allLabel?: string;
  /** Devices not paired yet are listed but cannot be chosen (they cannot send). */
  requirePaired?: boolean;
  /** With no value, chooses the first device that can be chosen once the list is there. */
  chooseFirst?: boolean;
  /** The form field the chosen id goes in (a hidden input). */
  name?: string;
  error?: string | null;
  className?: string;
};

type Option = { id: string | null; device: DeviceSummary | null; disabled: boolean };

/** Scrolled this close to the end of the list, the next page is asked for. */
const LOAD_MORE_PX = 80;

/**
 * The one way to pick a device: a combobox (WAI-ARIA pattern) whose list the server searches by
 * name or phone number, a page at a time as it scrolls, so it works the same with 3 devices or
 * 3,000. Arrow keys move through the list, Enter chooses, Escape closes. The chosen device is
 * shown by its id, also when it is on no page loaded (an old device, a link).
 */
export function DevicePicker({
  label = 'Device',
  labelHidden = false,
  value,
  onChange,
  allLabel,
  requirePaired = false,
  chooseFirst = false,
  name,
  error,
  className,
}: DevicePickerProps) {
  const inputId = useId();
  const listId = useId();
  const errorId = useId();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const search = useDebouncedValue(query.trim(), 250);
  const list = useRef<HTMLUListElement>(null);
  const input = useRef<HTMLInputElement>(null);

  const selected = useDeviceById(value);
  const pages = useDevicePages(search, !open && !(chooseFirst && value === null));

  const options: Option[] = [
    ...(allLabel && search === '' ? [{ id: null, device: null, disabled: false }] : []),
    ...pages.devices.map((device) => ({
      id: device.id,
      device,
      disabled: requirePaired && !device.phone,
    })),
  ];

  // A default device for forms that need one: the newest that can be chosen.
  const firstChoosable = pages.devices.find((device) => !requirePaired || device.phone)?.id;
  useEffect(() => {
    if (chooseFirst && value === null && firstChoosable) onChange(firstChoosable);
  }, [chooseFirst, value, firstChoosable, onChange]);

  // The active option stays in view as the keys move it.
  useEffect(() => {
    if (!open) return;
    list.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView?.({ block: 'nearest' });
  }, [active, open]);

  const close = () => {
    setOpen(false);
    setQuery('');
    setActive(0);
  };

  const choose = (option: Option | undefined) => {
    if (!option || option.disabled) return;
    onChange(option.id);
    close();
  };

  const move = (step: number) => {
    if (!open) {
      setOpen(true);
      return;
    }
    if (options.length === 0) return;
    let next = active;
    for (let tries = 0; tries < options.length; tries += 1) {
      next = Math.min(Math.max(next + step, 0), options.length - 1);
      if (!options[next]?.disabled) break;
    }
    setActive(next);
    if (next >= options.length - 3) pages.loadMore();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        move(event.altKey ? 0 : 1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        move(-1);
        break;
      case 'PageDown':
        if (!open) return;
        event.preventDefault();
        move(10);
        break;
      case 'PageUp':
        if (!open) return;
        event.preventDefault();
        move(-10);
        break;
      case 'Enter':
        if (!open) return;
        // Choosing is not submitting the form around the picker.
        event.preventDefault();
        choose(options[active]);
        break;
      case 'Escape':
        if (!open && query === '') return;
        // Only the list closes, not a dialog the picker is in.
        event.preventDefault();
        event.stopPropagation();
        close();
        break;
      case 'Tab':
        if (open) close();
        break;
      default:
    }
  };

  const onScroll = (event: UIEvent<HTMLUListElement>) => {
    const element = event.currentTarget;
    if (element.scrollHeight - element.scrollTop - element.clientHeight < LOAD_MORE_PX) {
      pages.loadMore();
    }
  };

  const shown =
    value === null ? (allLabel ?? '') : selected.device ? deviceLabel(selected.device) : '';
  let placeholder = 'Search by name or number';
  if (!open && value !== null && !selected.device) {
    placeholder = selected.missing ? 'Device not found' : 'Loading…';
  } else if (!open && value === null && !allLabel) {
    placeholder = 'Choose a device';
  }
  const activeOption = open ? options[active] : undefined;
  const describedBy = error ? errorId : undefined;

  return (
    <div className={[styles.picker, className ?? ''].join(' ')}>
      <label className={labelHidden ? 'visually-hidden' : styles.label} htmlFor={inputId}>
        {label}
      </label>
      <div className={[styles.control, open ? styles.controlOpen : ''].join(' ')}>
        {!open && selected.device ? <StatusDot device={selected.device} /> : null}
        <input
          ref={input}
          id={inputId}
          className={styles.input}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeOption ? `${listId}-${active}` : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          autoComplete="off"
          spellCheck={false}
          placeholder={open ? shown || placeholder : placeholder}
          value={open ? query : shown}
          onChange={(event) => {
            setQuery(event.target.value);
            setActive(0);
            setOpen(true);
          }}
          onClick={() => setOpen(true)}
          onKeyDown={onKeyDown}
          onBlur={close}
        />
        <button
          type="button"
          className={styles.toggle}
          tabIndex={-1}
          aria-label={open ? `Close the list of ${label.toLowerCase()}s` : `Show the list`}
          // Keeps the focus in the input.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => {
            if (open) close();
            else {
              setOpen(true);
              input.current?.focus();
            }
          }}
        >
          <Chevron up={open} />
        </button>
      </div>
      <div
        className={styles.popup}
        hidden={!open}
        // Clicks in the list (its scrollbar too) keep the focus in the input.
        onMouseDown={(event) => event.preventDefault()}
      >
        <ul
          ref={list}
          id={listId}
          role="listbox"
          aria-label={`${label} choices`}
          className={styles.list}
          onScroll={onScroll}
        >
          {open
            ? options.map((option, index) => (
                <li
                  key={option.id ?? ''}
                  id={`${listId}-${index}`}
                  data-index={index}
                  role="option"
                  aria-selected={option.id === value}
                  aria-disabled={option.disabled || undefined}
                  className={[
                    styles.option,
                    index === active ? styles.optionActive : '',
                    option.disabled ? styles.optionDisabled : '',
                  ].join(' ')}
                  onMouseMove={() => {
                    if (index !== active && !option.disabled) setActive(index);
                  }}
                  onClick={() => choose(option)}
                >
                  {option.device ? (
                    <DeviceOption device={option.device} unpairedNote={option.disabled} />
                  ) : (
                    <span className={styles.optionName}>{allLabel}</span>
                  )}
                </li>
              ))
            : null}
        </ul>
        {open ? <ListState pages={pages} search={search} /> : null}
      </div>
      {name ? <input type="hidden" name={name} value={value ?? ''} /> : null}
      {error ? (
        <p className={styles.error} id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function DeviceOption({ device, unpairedNote }: { device: DeviceSummary; unpairedNote: boolean }) {
  const status = device.status === 'ONLINE' ? null : DEVICE_STATUS_LABELS[device.status];
  let facts = unpairedNote ? 'Not paired yet: cannot send' : 'Not paired yet';
  if (device.phone) facts = status ? `${device.phone} · ${status}` : device.phone;
  // Named by what it shows: `Support · +60122222222 · Failed`.
  return (
    <>
      <StatusDot device={device} />
      <span className={styles.optionText}>
        <span className={styles.optionName}>{device.name}</span>
        <span className="visually-hidden"> · </span>
        <span className={styles.optionFacts}>{facts}</span>
      </span>
    </>
  );
}

function StatusDot({ device }: { device: DeviceSummary }) {
  const tone =
    device.status === 'ONLINE'
      ? styles.dotOnline
      : device.status === 'BANNED' || device.status === 'FAILED'
        ? styles.dotDanger
        : device.status === 'RECONNECTING' || device.status === 'PAIRING'
          ? styles.dotWarning
          : '';
  return <span className={[styles.dot, tone].join(' ')} aria-hidden="true" />;
}

function ListState({
  pages,
  search,
}: {
  pages: ReturnType<typeof useDevicePages>;
  search: string;
}) {
  let content: ReactNode = null;
  if (pages.error) content = 'The devices could not be loaded.';
  else if (pages.loading) content = 'Loading devices…';
  else if (pages.devices.length === 0) {
    content = search ? `No device matches “${search}”.` : 'No devices yet.';
  } else if (pages.hasMore) content = 'Scroll for more';
  else if (pages.total !== null && pages.total > pages.devices.length) content = null;
  if (!content) return null;
  return (
    <p className={styles.state} role="status">
      {content}
    </p>
  );
}

function Chevron({ up }: { up: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d={up ? 'M6 15l6-6 6 6' : 'M6 9l6 6 6-6'}
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
