import type { MessageStatus } from '@/gql/graphql';

/** How a message of ours shows where it is: the icon and what it means in words. */
export type Ticks = {
  icon: 'clock' | 'tick' | 'double' | 'failed';
  /** The words for screen readers (and the tooltip). */
  label: string;
  /** Blue double ticks once the contact read it; red when it was not sent. */
  tone: 'grey' | 'blue' | 'red';
};

const ticks: Record<MessageStatus, Ticks> = {
  PENDING: { icon: 'clock', label: 'Pending', tone: 'grey' },
  SENT: { icon: 'tick', label: 'Sent', tone: 'grey' },
  DELIVERED: { icon: 'double', label: 'Delivered', tone: 'grey' },
  READ: { icon: 'double', label: 'Read', tone: 'blue' },
  FAILED: { icon: 'failed', label: 'Not sent', tone: 'red' },
};

/** The ticks of a message we sent; null for received messages (they have no status). */
export function messageTicks(status: MessageStatus | null | undefined): Ticks | null {
  return status ? (ticks[status] ?? null) : null;
}
