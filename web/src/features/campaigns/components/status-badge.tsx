import { Badge } from '@/components/ui/badge';

import type { CampaignStatus } from '../utils/model';
import { campaignStatusLabel, campaignStatusTone } from '../utils/status';

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return <Badge tone={campaignStatusTone(status)}>{campaignStatusLabel(status)}</Badge>;
}
