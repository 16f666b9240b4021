import { useParams } from 'react-router';

import { useViewer } from '@/features/auth/api/viewer';
import { InboxHome } from '@/features/inbox/components/inbox-home';
import { InboxScreen } from '@/features/inbox/components/inbox-screen';
import { WaitingScreen } from '@/features/inbox/components/waiting-screen';

/** `/inbox`: the inbox of the device used last, or the first online one. */
export function InboxHomeRoute() {
  return <InboxHome />;
}

/** `/devices/:deviceId/inbox` (`?chat=<jid>` for the open chat). */
export function InboxRoute() {
  const [{ data }] = useViewer();
  const { deviceId = '' } = useParams();
  return <InboxScreen key={deviceId} deviceId={deviceId} timeZone={data?.me.timeZone ?? 'UTC'} />;
}

/** `/waiting`: the chats of every device that wait for an answer. */
export function WaitingRoute() {
  const [{ data }] = useViewer();
  return <WaitingScreen timeZone={data?.me.timeZone ?? 'UTC'} />;
}
