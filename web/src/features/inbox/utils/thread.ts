import { dayOf, formatDayLabel } from './time';

/** What ordering and grouping need of a message. */
export type ThreadMessage = { id: string; timestamp: string; fromMe: boolean };

function numericId(id: string): number {
  const n = Number(id);
  return Number.isFinite(n) ? n : 0;
}

/** Thread order, as the server pages it: by time, then by id (oldest first). */
export function compareMessages(a: ThreadMessage, b: ThreadMessage): number {
  const byTime = Date.parse(a.timestamp) - Date.parse(b.timestamp);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return numericId(a.id) - numericId(b.id);
}

/**
 * One thread from its pages (older pages and the newest one, which live messages join): each
 * message once (the last copy wins), oldest first.
 */
export function mergeMessages<M extends ThreadMessage>(pages: readonly (readonly M[])[]): M[] {
  const byId = new Map<string, M>();
  for (const page of pages) for (const message of page) byId.set(message.id, message);
  return [...byId.values()].sort(compareMessages);
}

export type DayGroup<M> = {
  /** `YYYY-MM-DD` in the viewer's time zone. */
  day: string;
  /** What the separator says: `Today`, `Yesterday`, a weekday or a date. */
  label: string;
  messages: {
    message: M;
    /** The first of a run from the same side (it gets the tail). */ first: boolean;
  }[];
};

/** The thread cut into days, each under its separator. */
export function groupByDay<M extends ThreadMessage>(
  messages: readonly M[],
  timeZone: string,
  now: number = Date.now(),
): DayGroup<M>[] {
  const groups: DayGroup<M>[] = [];
  let previous: M | undefined;
  for (const message of messages) {
    const day = dayOf(message.timestamp, timeZone);
    let group = groups[groups.length - 1];
    if (!group || group.day !== day) {
      group = { day, label: formatDayLabel(day, timeZone, now), messages: [] };
      groups.push(group);
      previous = undefined;
    }
    group.messages.push({ message, first: previous?.fromMe !== message.fromMe });
    previous = message;
  }
  return groups;
}

/** The highest message id among `ids` (ids grow with each new message); null for none. */
export function newestId(ids: readonly (string | null | undefined)[]): string | null {
  let best: string | null = null;
  for (const id of ids) {
    if (id && (best === null || numericId(id) > numericId(best))) best = id;
  }
  return best;
}
