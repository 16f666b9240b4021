import type { Cache, CacheExchangeOpts } from '@urql/exchange-graphcache';

/** Audience types without an identity of their own (an opt-out is known by its phone). */
export const audienceKeys: NonNullable<CacheExchangeOpts['keys']> = {
  AiLeadConnection: () => null,
  AiLeadEdge: () => null,
  AiLeadStats: () => null,
  AiLeadStatusCount: () => null,
  ImportRejection: () => null,
  LeadConnection: () => null,
  LeadEdge: () => null,
  NicheCount: () => null,
  OptOut: (data) => (typeof data.phone === 'string' ? data.phone : null),
  OptOutConnection: () => null,
  OptOutEdge: () => null,
};

/** Which lists a change makes stale, by what it changed. */
const LISTS = {
  leads: ['leads', 'niches'],
  aiLeads: ['aiLeads', 'aiLeadStats', 'niches'],
  optOuts: ['optOuts', 'leads', 'aiLeads', 'aiLeadStats'],
} as const;

/** Drops every cached page of the named lists (any filter, any cursor): shown ones read again. */
export function invalidateLists(cache: Cache, what: keyof typeof LISTS) {
  const names = new Set<string>(LISTS[what]);
  for (const field of cache.inspectFields('Query')) {
    if (names.has(field.fieldName)) cache.invalidate('Query', field.fieldName, field.arguments);
  }
}

const KIND_LISTS: Record<string, keyof typeof LISTS> = {
  LEADS: 'leads',
  AI_LEADS: 'aiLeads',
  OPT_OUTS: 'optOuts',
};

type Updates = NonNullable<NonNullable<CacheExchangeOpts['updates']>['Mutation']>;

export const audienceMutationUpdates: Updates = {
  createLead: (_result, _args, cache) => invalidateLists(cache, 'leads'),
  updateLead: (_result, _args, cache) => invalidateLists(cache, 'leads'),
  deleteLeads: (_result, _args, cache) => invalidateLists(cache, 'leads'),
  retagLeads: (_result, _args, cache) => invalidateLists(cache, 'leads'),
  moveLeads: (_result, _args, cache) => invalidateLists(cache, 'leads'),
  createAiLead: (_result, _args, cache) => invalidateLists(cache, 'aiLeads'),
  updateAiLead: (_result, _args, cache) => invalidateLists(cache, 'aiLeads'),
  deleteAiLeads: (_result, _args, cache) => invalidateLists(cache, 'aiLeads'),
  retagAiLeads: (_result, _args, cache) => invalidateLists(cache, 'aiLeads'),
  optOut: (_result, _args, cache) => invalidateLists(cache, 'optOuts'),
  removeOptOut: (_result, _args, cache) => invalidateLists(cache, 'optOuts'),
};

/** An import shows its rows once it is done (every batch would reload the list too often). */
export function applyImportProgress(
  cache: Cache,
  job: { kind?: unknown; status?: unknown } | null,
) {
  if (!job || job.status === 'RUNNING' || typeof job.kind !== 'string') return;
  const what = KIND_LISTS[job.kind];
  if (what) invalidateLists(cache, what);
}
