import type { Cache, CacheExchangeOpts } from '@urql/exchange-graphcache';

import {
  applyImportProgress,
  audienceKeys,
  audienceMutationUpdates,
  invalidateLists,
} from './audience-cache';
import {
  applyCampaignProgress,
  campaignKeys,
  campaignMutationUpdates,
  type CampaignProgressEvent,
} from './campaign-cache';
import { addDeviceToLists, applyDeviceEvent, removeDeviceFromLists } from './device-cache';
import {
  addMessageToThreads,
  inboxKeys,
  inboxResolvers,
  placeChatInLists,
  rememberMessageStatus,
} from './inbox-cache';
import { applyOutboxEvent, outboxResolvers, type OutboxEventData } from './outbox-cache';
import {
  applySequenceProgress,
  sequenceKeys,
  sequenceMutationUpdates,
  type SequenceProgressEvent,
} from './sequence-cache';

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
    ...inboxKeys,
    ...audienceKeys,
    ...campaignKeys,
    ...sequenceKeys,
  },
  resolvers: { ...outboxResolvers, ...inboxResolvers },
  updates: {
    Mutation: {
      ...audienceMutationUpdates,
      ...campaignMutationUpdates,
      ...sequenceMutationUpdates,
      createApiToken: (_result, _args, cache) => invalidateViewerField(cache, 'apiTokens'),
      revokeApiToken: (_result, _args, cache) => invalidateViewerField(cache, 'apiTokens'),
      addDevice: (result, _args, cache) => {
        const id = idOf(result.addDevice);
        if (id) addDeviceToLists(cache, id);
      },
      deleteDevice: (result, args, cache) => {
        if (result.deleteDevice && typeof args.id === 'string') {
          removeDeviceFromLists(cache, args.id);
          // The device's leads went with it.
          invalidateLists(cache, 'leads');
        }
      },
      // The inbox shows a sent message in its thread at once (PENDING).
      sendMessage: (result, args, cache) => {
        const input = args.input as { deviceId?: unknown } | undefined;
        if (typeof input?.deviceId === 'string') {
          addMessageToThreads(cache, input.deviceId, result.sendMessage as { id?: unknown });
        }
      },
    },
    Subscription: {
      campaignProgress: (result, _args, cache) =>
        applyCampaignProgress(cache, result.campaignProgress as CampaignProgressEvent | null),
      sequenceProgress: (result, _args, cache) =>
        applySequenceProgress(cache, result.sequenceProgress as SequenceProgressEvent | null),
      importProgress: (result, _args, cache) =>
        applyImportProgress(cache, result.importProgress as { kind?: unknown } | null),
      deviceEvents: (result, _args, cache) =>
        applyDeviceEvent(cache, result.deviceEvents as Parameters<typeof applyDeviceEvent>[1]),
      outboxEvents: (result, _args, cache) =>
        applyOutboxEvent(cache, result.outboxEvents as OutboxEventData | null),
      messageAdded: (result, args, cache) => {
        if (typeof args.deviceId === 'string') {
          addMessageToThreads(cache, args.deviceId, result.messageAdded as { id?: unknown });
        }
      },
      messageUpdated: (result, _args, cache) =>
        rememberMessageStatus(cache, result.messageUpdated as { id?: unknown }),
      chatUpdated: (result, args, cache) => {
        if (typeof args.deviceId === 'string') {
          placeChatInLists(cache, args.deviceId, result.chatUpdated as { id?: unknown });
        }
      },
    },
  },
};
