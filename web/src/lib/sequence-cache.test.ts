import type { Cache } from '@urql/exchange-graphcache';
import { describe, expect, it, vi } from 'vitest';

import { applySequenceProgress, sequenceKeys, sequenceMutationUpdates } from './sequence-cache';

function fakeCache(status: string | null = 'ACTIVE') {
  const invalidate = vi.fn<(entity: unknown, field?: string, args?: unknown) => void>();
  const writeFragment = vi.fn();
  const cache = {
    inspectFields: (entity: unknown) =>
      entity === 'Query'
        ? [{ fieldName: 'sequence', fieldKey: 'q', arguments: { id: 's1' } }]
        : [
            { fieldName: 'contacts', fieldKey: 'a', arguments: { first: 25 } },
            { fieldName: 'contacts', fieldKey: 'b', arguments: { first: 25, status: 'REPLIED' } },
            { fieldName: 'name', fieldKey: 'name', arguments: null },
          ],
    invalidate,
    writeFragment,
    resolve: (entity: unknown, field: string) =>
      entity === 'Query' && field === 'sequence' ? 'Sequence:s1' : status,
  } as unknown as Cache;
  return { cache, invalidate, writeFragment };
}

const fields = (invalidate: ReturnType<typeof fakeCache>['invalidate']) =>
  invalidate.mock.calls.map(([, field]) => field);

describe('sequence cache', () => {
  it('knows a progress by its sequence', () => {
    expect(
      sequenceKeys.SequenceProgress?.({ __typename: 'SequenceProgress', sequenceId: '7' }),
    ).toBe('7');
    expect(sequenceKeys.SequenceStepProgress?.({ __typename: 'SequenceStepProgress' })).toBeNull();
  });

  it('reads the contacts again on each progress event, and the list when the status moved', () => {
    const same = fakeCache('ACTIVE');
    applySequenceProgress(same.cache, { sequenceId: 's1', status: 'ACTIVE' });
    expect(same.writeFragment).toHaveBeenCalledTimes(1);
    expect(fields(same.invalidate)).toEqual(['contacts', 'contacts']);

    const moved = fakeCache('DRAFT');
    applySequenceProgress(moved.cache, { sequenceId: 's1', status: 'ACTIVE' });
    expect(fields(moved.invalidate)).toEqual(['sequences', 'contacts', 'contacts']);
  });

  it('refreshes the sequence’s contacts and progress after leads are enrolled', () => {
    const { cache, invalidate } = fakeCache();
    sequenceMutationUpdates.enrollLeads?.(
      { enrollLeads: 2 },
      { sequenceId: 's1', leadIds: ['l1', 'l2'] },
      cache,
      {} as never,
    );
    expect(fields(invalidate)).toEqual(['contacts', 'contacts', 'progress', 'sequences']);
  });

  it('refreshes the contacts of cached sequences after a contact is removed', () => {
    const { cache, invalidate } = fakeCache();
    sequenceMutationUpdates.removeSequenceContact?.({}, { id: 'c1' }, cache, {} as never);
    expect(fields(invalidate)).toEqual(['contacts', 'contacts', 'progress']);
  });

  it('forgets a deleted sequence and reloads the list', () => {
    const { cache, invalidate } = fakeCache();
    sequenceMutationUpdates.deleteSequence?.(
      { deleteSequence: true },
      { id: 's1' },
      cache,
      {} as never,
    );
    expect(invalidate.mock.calls).toEqual([
      [{ __typename: 'Sequence', id: 's1' }],
      ['Query', 'sequences'],
    ]);
  });
});
