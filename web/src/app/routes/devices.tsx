import { useViewer } from '@/features/auth/api/viewer';
import { DevicesScreen } from '@/features/devices/components/devices-screen';

export function DevicesRoute() {
  const [{ data }] = useViewer();
  return <DevicesScreen timeZone={data?.me.timeZone ?? 'UTC'} />;
}
