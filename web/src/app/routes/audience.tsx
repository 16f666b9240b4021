import { useViewer } from '@/features/auth/api/viewer';
import { AudienceScreen } from '@/features/audience/components/audience-screen';
import { OptOutsScreen } from '@/features/audience/components/opt-outs-screen';

export function LeadsRoute() {
  return <AudienceScreen kind="leads" />;
}

export function AiLeadsRoute() {
  return <AudienceScreen kind="aiLeads" />;
}

export function OptOutsRoute() {
  const [{ data }] = useViewer();
  return <OptOutsScreen timeZone={data?.me.timeZone ?? 'UTC'} />;
}
