import type { Cache, FieldInfo, Resolver } from '@urql/exchange-graphcache';

/**
 * How the inbox's cached lists follow live changes. A chat and a message are normalised (by
 * `id`), so new fields (unread count, last message, a message's status) reach every list on their
 * own; here, lists gain their new members and keep their order:
 *
 * - `chats(deviceId, …)`, newest first: a changed chat moves to its place (usually the top), a
 *   new one joins the lists whose search it matches.
 * - `messages(deviceId, chatJid, …)` without `before` (the newest page, oldest first): a new
 *   message joins it in order, once, whether it came from `messageAdded` or `sendMessage`.
 * - a message's status never steps back when an answer older than a status event arrives last
 *   (the PENDING answer of `sendMessage` after the SENT event).
 */

/** How old a chat's last message may be for the chat list (the server's default window). */
export const INBOX_DAYS = 30;

export const inboxKeys = {
  ChatConnection: () => null,
  ChatEdge: () => null,
  MessageConnection: () => null,
  MessageEdge: () => null,
  WaitingChat: () => null,
  WaitingChatConnection: () => null,
  WaitingChatEdge: () => null,
};

function fieldsNamed(cache: Cache, name: string): FieldInfo[] {
  return cache.inspectFields('Query').filter((field) => field.fieldName === name);
}

function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function nodesOf(cache: Cache, connection: string): string[] {
  const nodes: unknown = cache.resolve(connection, 'nodes');
  if (!Array.isArray(nodes)) return [];
  return (nodes as unknown[]).filter((key): key is string => typeof key === 'string');
}

function connectionOf(cache: Cache, field: FieldInfo): string | null {
  return asString(cache.resolve('Query', field.fieldKey));
}

function numeric(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : 0;
}

// Messages -----------------------------------------------------------------------------------

/** Thread order: by time, then by id. */
function messageBefore(cache: Cache, a: string, b: string): boolean {
  const [at, bt] = [a, b].map((key) => Date.parse(asString(cache.resolve(key, 'timestamp')) ?? ''));
  if (at !== bt && !Number.isNaN(at) && !Number.isNaN(bt)) return at! < bt!;
  return numeric(cache.resolve(a, 'id')) < numeric(cache.resolve(b, 'id'));
}

/** A new message of `deviceId` (already written to the cache): into its chat's newest page. */
export function addMessageToThreads(
  cache: Cache,
  deviceId: string,
  message: { id?: unknown; chatJid?: unknown } | null | undefined,
) {
  const id = asString(message?.id);
  const chatJid = asString(message?.chatJid);
  if (!id || !chatJid) return;
  const key = cache.keyOfEntity({ __typename: 'Message', id });
  if (!key) return;
  for (const field of fieldsNamed(cache, 'messages')) {
    const args = field.arguments ?? {};
    if (args.deviceId !== deviceId || args.chatJid !== chatJid || args.before != null) continue;
    const connection = connectionOf(cache, field);
    if (!connection) continue;
    const nodes = nodesOf(cache, connection);
    if (nodes.includes(key)) continue;
    let at = nodes.length;
    while (at > 0 && messageBefore(cache, key, nodes[at - 1]!)) at -= 1;
    cache.link(connection, 'nodes', [...nodes.slice(0, at), key, ...nodes.slice(at)]);
  }
}

// The latest status event of each message, per cache (one cache per logged-in user).
const MAX_REMEMBERED = 5_000;
const statusesByCache = new WeakMap<object, Map<string, string>>();

function latestStatuses(cache: Cache): Map<string, string> {
  let statuses = statusesByCache.get(cache);
  if (!statuses) {
    statuses = new Map();
    statusesByCache.set(cache, statuses);
  }
  return statuses;
}

/** Remembers the status a `messageUpdated` event brought. */
export function rememberMessageStatus(
  cache: Cache,
  message: { id?: unknown; status?: unknown } | null | undefined,
) {
  const id = asString(message?.id);
  const status = asString(message?.status);
  if (!id || !status) return;
  const statuses = latestStatuses(cache);
  statuses.delete(id);
  statuses.set(id, status);
  if (statuses.size > MAX_REMEMBERED) {
    const oldest = statuses.keys().next().value;
    if (oldest !== undefined) statuses.delete(oldest);
  }
}

// The order a message of ours moves in. FAILED may still become PENDING again (a retry).
const progress: Record<string, number> = { PENDING: 0, FAILED: 1, SENT: 2, DELIVERED: 3, READ: 4 };

/** A message's status: as stored, unless a status event got further than that. */
const liveMessageStatus: Resolver = (parent, _args, cache, info) => {
  const stored = parent.status;
  if (typeof stored !== 'string') return stored;
  const id = cache.resolve(info.parentKey, 'id');
  const event = typeof id === 'string' ? latestStatuses(cache).get(id) : undefined;
  if (!event) return stored;
  return (progress[event] ?? 0) > (progress[stored] ?? 0) ? event : stored;
};

export const inboxResolvers = {
  Message: { status: liveMessageStatus },
};

// Chats --------------------------------------------------------------------------------------

type ChatFacts = { name: string | null; jid: string; at: number };

function chatFacts(cache: Cache, key: string): ChatFacts {
  return {
    name: asString(cache.resolve(key, 'name')),
    jid: asString(cache.resolve(key, 'jid')) ?? '',
    at: Date.parse(asString(cache.resolve(key, 'lastMessageAt')) ?? '') || 0,
  };
}

/**
 * Whether the changed chat `a` goes above `b`: newest first, as the server lists chats. Times
 * are whole seconds, so on a tie the chat that just changed goes first (a new message puts its
 * chat on top, even when another chat got one within the same second).
 */
function chatBefore(a: ChatFacts, b: ChatFacts): boolean {
  return a.at >= b.at;
}

/** Whether the server would list `chat` for `search` (mirrors its search). */
export function matchesChatSearch(
  chat: { name?: string | null; jid: string },
  search: string | null | undefined,
): boolean {
  const term = (search ?? '').trim().toLowerCase().replace(/[%_]/g, '');
  if (!term) return true;
  return (chat.name ?? '').toLowerCase().includes(term) || chat.jid.toLowerCase().includes(term);
}

type ChatPage = { connection: string; after: string | null; nodes: string[]; hasNext: boolean };

/** The cached chat lists of a device, each as its pages in order. */
function chatLists(cache: Cache, deviceId: string): { search: string | null; pages: ChatPage[] }[] {
  const groups = new Map<string, { search: string | null; pages: ChatPage[] }>();
  for (const field of fieldsNamed(cache, 'chats')) {
    const args = field.arguments ?? {};
    if (args.deviceId !== deviceId) continue;
    const connection = connectionOf(cache, field);
    if (!connection) continue;
    const pageInfo = asString(cache.resolve(connection, 'pageInfo'));
    const page: ChatPage = {
      connection,
      after: asString(args.after),
      nodes: nodesOf(cache, connection),
      hasNext: pageInfo ? cache.resolve(pageInfo, 'hasNextPage') === true : false,
    };
    const search = asString(args.search);
    const key = JSON.stringify([args.first ?? null, search]);
    const group = groups.get(key) ?? { search, pages: [] };
    group.pages.push(page);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ search, pages }) => {
    const ordered: ChatPage[] = [];
    let next = pages.find((page) => page.after === null);
    while (next && !ordered.includes(next)) {
      ordered.push(next);
      const endCursor = asString(
        cache.resolve(asString(cache.resolve(next.connection, 'pageInfo')) ?? '', 'endCursor'),
      );
      next = endCursor ? pages.find((page) => page.after === endCursor) : undefined;
    }
    return { search, pages: ordered };
  });
}

/**
 * A changed (or new) chat of `deviceId`, already written to the cache: moved to its place in
 * each cached list whose search it matches (a new message puts it on top). A chat older than
 * everything loaded waits for "Load more"; one outside the recent window is left out.
 */
export function placeChatInLists(
  cache: Cache,
  deviceId: string,
  chat: { id?: unknown } | null | undefined,
  now: number = Date.now(),
) {
  const id = asString(chat?.id);
  if (!id) return;
  const key = cache.keyOfEntity({ __typename: 'Chat', id });
  if (!key) return;
  const facts = chatFacts(cache, key);
  const recent = facts.at >= now - INBOX_DAYS * 24 * 60 * 60 * 1000;
  for (const { search, pages } of chatLists(cache, deviceId)) {
    const wanted = recent && matchesChatSearch(facts, search);
    const target = wanted
      ? pages.find((page) => {
          const others = page.nodes.filter((node) => node !== key);
          const last = others[others.length - 1];
          return !page.hasNext || (last !== undefined && chatBefore(facts, chatFacts(cache, last)));
        })
      : undefined;
    for (const page of pages) {
      const others = page.nodes.filter((node) => node !== key);
      let nodes = others;
      if (page === target) {
        const at = others.findIndex((node) => chatBefore(facts, chatFacts(cache, node)));
        const position = at === -1 ? others.length : at;
        nodes = [...others.slice(0, position), key, ...others.slice(position)];
      }
      const unchanged =
        nodes.length === page.nodes.length && nodes.every((node, i) => node === page.nodes[i]);
      if (!unchanged) cache.link(page.connection, 'nodes', nodes);
    }
  }
}
