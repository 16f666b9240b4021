import type { Cache, CacheExchangeOpts } from '@urql/exchange-graphcache';

import { addDeviceToLists, applyDeviceEvent, removeDeviceFromLists } from './device-cache';
import { applyOutboxEvent, outboxResolvers, type OutboxEventData } from './outbox-cache';

function invalidateViewerField(cache: Cache, field: string) {
  const viewer = cache.resolve('Query', 'me');
  if (typeof viewer === 'string') cache.invalidate(viewer, field);
}

function idOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  return typeof value.id === 'string' ? value.id : null;
}

/** Normalised cache rules: which types have no identity, and what a mutation makes stale. */
export const cacheOptions: CacheExchangeOpts = {
  keys: {
    AuthPayload: () => null,
    CreatedApiToken: () => null,
    DeleteDevicePayload: () => null,
    DeviceConnection: () => null,
    DeviceEdge: () => null,
    DeviceEvent: () => null,
    DeviceStatusChange: () => null,
    OutboxEvent: () => null,
    OutboxMessageConnection: () => null,
    OutboxMessageEdge: () => null,
    PageInfo: () => null,
    PairingCode: () => null,
    QrCode: () => null,
    SendCounts: () => null,
  },
  resolvers: outboxResolvers,
  updates: {
    Mutation: {
      createApiToken: (_result, _args, cache) => invalidateViewerField(cache, 'apiTokens'),
      revokeApiToken: (_result, _args, cache) => invalidateViewerField(cache, 'apiTokens'),
      addDevice: (result, _args, cache) => {
        const id = idOf(result.addDevice);
        if (id) addDeviceToLists(cache, id);
      },
      deleteDevice: (result, args, cache) => {
        if (result.deleteDevice && typeof args.id === 'string') {
          removeDeviceFromLists(cache, args.id);
        }
      },
    },
    Subscription: {
      deviceEvents: (result, _args, cache) =>
        applyDeviceEvent(cache, result.deviceEvents as Parameters<typeof applyDeviceEvent>[1]),
      outboxEvents: (result, _args, cache) =>
        applyOutboxEvent(cache, result.outboxEvents as OutboxEventData | null),
    },
  },
};
