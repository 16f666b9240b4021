import { pluralize } from '@/lib/format';

/** The pause between two sends: `5–15 s`, or `10 s` when both ends are the same. */
export function formatDelay(minSeconds: number, maxSeconds: number): string {
  return minSeconds === maxSeconds ? `${minSeconds} s` : `${minSeconds}–${maxSeconds} s`;
}

export function formatDailyCap(cap: number | null | undefined): string {
  return cap == null ? 'No cap' : `${pluralize(cap, 'message')} a day`;
}

export type RemovedCounts = { chats: number; messages: number; leads: number; outbox: number };

/** What a deletion took with it: `Removed: 12 chats, 240 messages, 30 leads, 500 outbox messages.` */
export function formatRemoved(counts: RemovedCounts): string {
  return `Removed: ${[
    pluralize(counts.chats, 'chat'),
    pluralize(counts.messages, 'message'),
    pluralize(counts.leads, 'lead'),
    pluralize(counts.outbox, 'outbox message'),
  ].join(', ')}.`;
}
