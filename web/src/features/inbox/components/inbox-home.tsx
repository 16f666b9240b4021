import { useId } from 'react';
import { Link, Navigate } from 'react-router';

import { Page } from '@/components/layouts/page';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { deviceInboxPath, paths } from '@/config/paths';
import { errorMessage } from '@/lib/errors';

import { useInboxDevices } from '../api/devices';
import { lastInboxDevice, pickInboxDevice } from '../utils/last-device';
import { NewChatIcon } from './inbox-icons';
import styles from './inbox.module.css';

/**
 * The Inbox entry of the navigation: opens the inbox of the device used last (or the first
 * online one); explains what to do when no device is paired yet.
 */
export function InboxHome() {
  const [{ data, error }] = useInboxDevices();
  const titleId = useId();
  if (!data) {
    return (
      <Page title="Inbox">
        {error ? <ErrorMessage message={errorMessage(error)} /> : <Spinner />}
      </Page>
    );
  }
  const deviceId = pickInboxDevice(data.devices.nodes, lastInboxDevice());
  if (deviceId) return <Navigate to={deviceInboxPath(deviceId)} replace />;
  return (
    <Page title="Inbox" description="Your chats, live: reply as you would in WhatsApp Web.">
      <section className={styles.noDevice} aria-labelledby={titleId}>
        <div className={styles.noDeviceIcon}>
          <NewChatIcon width={28} height={28} />
        </div>
        <h2 id={titleId} className={styles.noDeviceTitle}>
          No device paired yet
        </h2>
        <p className={styles.noDeviceText}>
          The inbox shows the chats of your paired WhatsApp numbers. Pair one first: it takes a
          minute with the phone at hand.
        </p>
        <Link className={styles.noDeviceLink} to={paths.devices}>
          Go to Devices
        </Link>
      </section>
    </Page>
  );
}
