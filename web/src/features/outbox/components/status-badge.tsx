import { Badge } from '@/components/ui/badge';
import { DoubleTickIcon, TickIcon } from '@/components/ui/icons';
import type { OutboxStatus } from '@/gql/graphql';

import { statusLabel, statusTicks, statusTone } from '../utils/status';
import styles from './outbox.module.css';

/** A message's status, with WhatsApp's check marks once it is out. */
export function StatusBadge({ status }: { status: OutboxStatus }) {
  const ticks = statusTicks(status);
  const icon =
    ticks === 'sent' ? (
      <TickIcon />
    ) : ticks === 'delivered' ? (
      <DoubleTickIcon />
    ) : ticks === 'read' ? (
      <DoubleTickIcon className={styles.readTicks} />
    ) : undefined;
  return (
    <Badge tone={statusTone(status)} icon={icon}>
      {statusLabel(status)}
    </Badge>
  );
}
