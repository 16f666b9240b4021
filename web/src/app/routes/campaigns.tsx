import { useParams } from 'react-router';

import { useViewer } from '@/features/auth/api/viewer';
import { CampaignDetailScreen } from '@/features/campaigns/components/campaign-detail-screen';
import { CampaignsScreen } from '@/features/campaigns/components/campaigns-screen';

export function CampaignsRoute() {
  const [{ data }] = useViewer();
  return <CampaignsScreen timeZone={data?.me.timeZone ?? 'UTC'} />;
}

export function CampaignRoute() {
  const { campaignId = '' } = useParams();
  const [{ data }] = useViewer();
  // A new page per campaign: nothing of the previous one's state carries over.
  return (
    <CampaignDetailScreen
      key={campaignId}
      campaignId={campaignId}
      timeZone={data?.me.timeZone ?? 'UTC'}
    />
  );
}
