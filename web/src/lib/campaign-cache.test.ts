import type { Cache } from '@urql/exchange-graphcache';
import { describe, expect, it, vi } from 'vitest';

import {
  applyCampaignProgress,
  campaignKeys,
  campaignMutationUpdates,
  invalidateCampaignLists,
} from './campaign-cache';

function fakeCache(status: string | null = 'RUNNING') {
  const invalidate = vi.fn<(entity: unknown, field?: string, args?: unknown) => void>();
  const writeFragment = vi.fn();
  const cache = {
    inspectFields: () => [
      { fieldName: 'campaigns', fieldKey: 'a', arguments: { first: 50 } },
      { fieldName: 'campaigns', fieldKey: 'b', arguments: { first: 50, after: 'c1' } },
      { fieldName: 'leads', fieldKey: 'c', arguments: { first: 50 } },
    ],
    invalidate,
    writeFragment,
    resolve: () => status,
  } as unknown as Cache;
  return { cache, invalidate, writeFragment };
}

describe('campaign cache', () => {
  it('knows a progress by its campaign', () => {
    expect(
      campaignKeys.CampaignProgress?.({ __typename: 'CampaignProgress', campaignId: '7' }),
    ).toBe('7');
    expect(campaignKeys.CampaignCounts?.({ __typename: 'CampaignCounts' })).toBeNull();
    // An AI campaign's devices and re-deals live inside their campaign's progress and log.
    for (const type of ['AiCampaignDevice', 'AiRedeal', 'AiRedealLog']) {
      expect(campaignKeys[type]?.({ __typename: type })).toBeNull();
    }
  });

  it('drops every page of the campaigns list and nothing else', () => {
    const { cache, invalidate } = fakeCache();
    invalidateCampaignLists(cache);
    expect(invalidate.mock.calls.map(([, field]) => field)).toEqual(['campaigns', 'campaigns']);
  });

  it('forgets a deleted campaign and reloads the lists', () => {
    const { cache, invalidate } = fakeCache();
    campaignMutationUpdates.deleteCampaign?.(
      { deleteCampaign: true },
      { id: '3' },
      cache,
      {} as never,
    );
    expect(invalidate.mock.calls[0]).toEqual([{ __typename: 'Campaign', id: '3' }]);
    expect(invalidate).toHaveBeenCalledTimes(3);
  });

  it('follows the status of a progress event, reloading lists only when it changes', () => {
    const running = fakeCache('RUNNING');
    applyCampaignProgress(running.cache, { campaignId: '3', status: 'RUNNING' });
    expect(running.writeFragment).toHaveBeenCalledTimes(1);
    expect(running.invalidate).not.toHaveBeenCalled();

    const done = fakeCache('RUNNING');
    applyCampaignProgress(done.cache, { campaignId: '3', status: 'COMPLETED', pausedReason: null });
    expect(done.writeFragment.mock.calls[0]?.[1]).toEqual({
      id: '3',
      status: 'COMPLETED',
      pausedReason: null,
    });
    expect(done.invalidate.mock.calls.map(([entity, field]) => [entity, field])).toEqual([
      ['Query', 'campaigns'],
      ['Query', 'campaigns'],
      [{ __typename: 'Campaign', id: '3' }, 'report'],
    ]);
  });

  it('ignores an event without a campaign', () => {
    const { cache, writeFragment } = fakeCache();
    applyCampaignProgress(cache, null);
    applyCampaignProgress(cache, { status: 'RUNNING' });
    expect(writeFragment).not.toHaveBeenCalled();
  });
});
