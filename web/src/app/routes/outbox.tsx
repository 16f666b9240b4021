import { useViewer } from '@/features/auth/api/viewer';
import { OutboxScreen } from '@/features/outbox/components/outbox-screen';

export function OutboxRoute() {
  const [{ data }] = useViewer();
  return <OutboxScreen timeZone={data?.me.timeZone ?? 'UTC'} />;
}
