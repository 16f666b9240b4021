import { Badge } from '@/components/ui/badge';

import type { SequenceContactStatus, SequenceStatus } from '../utils/model';
import {
  contactStatusLabel,
  contactStatusTone,
  sequenceStatusLabel,
  sequenceStatusTone,
} from '../utils/status';

export function SequenceStatusBadge({ status }: { status: SequenceStatus }) {
  return <Badge tone={sequenceStatusTone(status)}>{sequenceStatusLabel(status)}</Badge>;
}

export function ContactStatusBadge({ status }: { status: SequenceContactStatus }) {
  return <Badge tone={contactStatusTone(status)}>{contactStatusLabel(status)}</Badge>;
}
