import { Navigate } from 'react-router';

import { Page } from '@/components/layouts/page';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { deviceInboxPath, paths } from '@/config/paths';
import { errorMessage } from '@/lib/errors';

import { useInboxDevice, useInboxDeviceChoices } from '../api/devices';
import { lastInboxDevice, pickInboxDevice } from '../utils/last-device';
import { NewChatIcon } from './inbox-icons';

/**
 * The Inbox entry of the navigation: opens the inbox of the device used last (or the newest
 * online one); explains what to do when no device is paired yet.
 */
export function InboxHome() {
  const remembered = lastInboxDevice();
  const last = useInboxDevice(remembered);
  const choices = useInboxDeviceChoices();
  const error = choices.error ?? last.error;
  if (!choices.loaded || (remembered && !last.loaded && !last.error)) {
    return (
      <Page title="Inbox">
        {error ? <ErrorMessage message={errorMessage(error)} /> : <Spinner />}
      </Page>
    );
  }
  const candidates = last.device ? [last.device, ...choices.devices] : choices.devices;
  const deviceId = pickInboxDevice(candidates, remembered);
  if (deviceId) return <Navigate to={deviceInboxPath(deviceId)} replace />;
  return (
    <Page title="Inbox" description="Your chats, live: reply as you would in WhatsApp Web.">
      <EmptyState
        icon={<NewChatIcon width={28} height={28} />}
        title="No device paired yet"
        action={{ label: 'Go to Devices', to: paths.devices }}
      >
        The inbox shows the chats of your paired WhatsApp numbers. Pair one first: it takes a minute
        with the phone at hand.
      </EmptyState>
    </Page>
  );
}
