import { useId } from 'react';
import { Link } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { MenuButton, type MenuItem } from '@/components/ui/menu';
import { deviceInboxPath } from '@/config/paths';
import { getFragmentData, type FragmentType } from '@/gql';
import type { DeviceCardFragment } from '@/gql/graphql';
import { formatDateTime } from '@/lib/format';

import { DeviceCardFragment as DeviceCardDoc } from '../api/devices';
import { formatDailyCap, formatDelay } from '../utils/format';
import { statusLabel, statusNote, statusTone } from '../utils/status';
import styles from './devices.module.css';

export type DeviceAction = 'pair' | 'reconnect' | 'edit' | 'logOut' | 'delete';

export type DeviceCardProps = {
  device: FragmentType<typeof DeviceCardDoc>;
  timeZone: string;
  onAction: (action: DeviceAction, device: DeviceCardFragment) => void;
  /** The device whose reconnect is running, if it is this one. */
  reconnecting?: boolean;
  /** Its recent chats with unread messages, when the list read them. */
  unreadChats?: number;
};

/** The action a device's status calls for, shown as a button on its card. */
export function primaryAction(
  status: DeviceCardFragment['status'],
): { action: DeviceAction; label: string } | null {
  switch (status) {
    case 'PAIRING':
      return { action: 'pair', label: 'Show QR code' };
    case 'LOGGED_OUT':
      return { action: 'reconnect', label: 'Pair again' };
    case 'FAILED':
    case 'OFFLINE':
      return { action: 'reconnect', label: 'Reconnect' };
    default:
      return null;
  }
}

export function DeviceCard({
  device: masked,
  timeZone,
  onAction,
  reconnecting,
  unreadChats,
}: DeviceCardProps) {
  const device = getFragmentData(DeviceCardDoc, masked);
  const titleId = useId();
  const note = statusNote(device, timeZone);
  const primary = primaryAction(device.status);
  const paired = device.phone != null;

  const lastSeen =
    device.status === 'ONLINE'
      ? 'Now'
      : device.lastSeenAt
        ? formatDateTime(device.lastSeenAt, timeZone)
        : 'Never';

  const items: MenuItem[] = [
    { label: 'Edit', onSelect: () => onAction('edit', device) },
    {
      label: device.status === 'LOGGED_OUT' ? 'Pair again' : 'Reconnect',
      onSelect: () => onAction('reconnect', device),
      disabled: reconnecting,
    },
    ...(paired && device.status !== 'LOGGED_OUT'
      ? [{ label: 'Log out', onSelect: () => onAction('logOut', device) }]
      : []),
    { label: 'Delete', onSelect: () => onAction('delete', device), variant: 'danger' as const },
  ];

  return (
    <article className={styles.card} aria-labelledby={titleId}>
      <header className={styles.cardHeader}>
        <div className={styles.cardTitle}>
          <h3 className={styles.name} id={titleId} title={device.name}>
            {device.name}
          </h3>
          {paired ? (
            <p className={styles.phone}>{device.phone}</p>
          ) : (
            <p className={styles.unpaired}>Not paired yet</p>
          )}
        </div>
        <Badge tone={statusTone(device.status)}>{statusLabel(device.status)}</Badge>
      </header>
      {note ? (
        <p className={[styles.note, styles[`note-${note.tone}`]].join(' ')}>{note.text}</p>
      ) : null}
      <dl className={styles.facts}>
        <dt>Last seen</dt>
        <dd>{lastSeen}</dd>
        <dt>Delay</dt>
        <dd>{formatDelay(device.minDelaySeconds, device.maxDelaySeconds)}</dd>
        <dt>Daily cap</dt>
        <dd>{formatDailyCap(device.dailyCap)}</dd>
        {paired && unreadChats !== undefined ? (
          <>
            <dt>Unread chats</dt>
            <dd>{unreadChats === 0 ? 'None' : unreadChats}</dd>
          </>
        ) : null}
      </dl>
      <footer className={styles.cardFooter}>
        {primary ? (
          <Button
            size="small"
            variant={primary.action === 'pair' ? 'primary' : 'secondary'}
            busy={primary.action === 'reconnect' && reconnecting}
            onClick={() => onAction(primary.action, device)}
          >
            {primary.label}
          </Button>
        ) : null}
        {paired ? (
          <Link
            className={styles.inboxLink}
            to={deviceInboxPath(device.id)}
            aria-label={`Open inbox of ${device.name}`}
          >
            Open inbox
          </Link>
        ) : null}
        <MenuButton label={`Actions for ${device.name}`} items={items} />
      </footer>
    </article>
  );
}
