import type { Cache, CacheExchangeOpts } from '@urql/exchange-graphcache';

function invalidateViewerField(cache: Cache, field: string) {
  const viewer = cache.resolve('Query', 'me');
  if (typeof viewer === 'string') cache.invalidate(viewer, field);
}

/** Normalised cache rules: which types have no identity, and what a mutation makes stale. */
export const cacheOptions: CacheExchangeOpts = {
  keys: {
    AuthPayload: () => null,
    CreatedApiToken: () => null,
  },
  updates: {
    Mutation: {
      createApiToken: (_result, _args, cache) => invalidateViewerField(cache, 'apiTokens'),
      revokeApiToken: (_result, _args, cache) => invalidateViewerField(cache, 'apiTokens'),
    },
  },
};
