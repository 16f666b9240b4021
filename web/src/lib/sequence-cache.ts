import type { Cache, CacheExchangeOpts, UpdateResolver } from '@urql/exchange-graphcache';

import { graphql } from '@/gql';
import type { SequenceStatus } from '@/gql/graphql';

/**
 * Sequence types without an identity of their own. A sequence's progress is known by its
 * sequence, so each `sequenceProgress` event updates every screen showing that sequence.
 */
export const sequenceKeys: NonNullable<CacheExchangeOpts['keys']> = {
  SequenceContactConnection: () => null,
  SequenceContactEdge: () => null,
  SequenceProgress: (data) => (typeof data.sequenceId === 'string' ? data.sequenceId : null),
  SequenceStepProgress: () => null,
  SequenceTimelineEntry: () => null,
};

const SequenceStatusFragment = graphql(`
  fragment CachedSequenceStatus on Sequence {
    id
    status
  }
`);

/** Drops the cached list of sequences. */
export function invalidateSequenceList(cache: Cache) {
  cache.invalidate('Query', 'sequences');
}

/** Every cached page of one sequence's contacts (any status filter, any cursor). */
export function invalidateContacts(cache: Cache, sequenceId: string) {
  const entity = { __typename: 'Sequence', id: sequenceId };
  for (const field of cache.inspectFields(entity)) {
    if (field.fieldName === 'contacts') cache.invalidate(entity, 'contacts', field.arguments);
  }
}

/** The contacts of every cached sequence (a contact's result does not say its sequence). */
function invalidateAllContacts(cache: Cache) {
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'sequence') continue;
    const key = cache.resolve('Query', 'sequence', field.arguments);
    if (typeof key === 'string') {
      for (const inner of cache.inspectFields(key)) {
        if (inner.fieldName === 'contacts') cache.invalidate(key, 'contacts', inner.arguments);
      }
      cache.invalidate(key, 'progress');
    }
  }
}

const relist: UpdateResolver = (_result, _args, cache) => invalidateSequenceList(cache);

export const sequenceMutationUpdates: Record<string, UpdateResolver> = {
  createSequence: relist,
  updateSequence: relist,
  setSequenceStatus: relist,
  deleteSequence: (result, args, cache) => {
    if (result.deleteSequence && typeof args.id === 'string') {
      cache.invalidate({ __typename: 'Sequence', id: args.id });
    }
    invalidateSequenceList(cache);
  },
  enrollLeads: (_result, args, cache) => {
    if (typeof args.sequenceId === 'string') {
      invalidateContacts(cache, args.sequenceId);
      cache.invalidate({ __typename: 'Sequence', id: args.sequenceId }, 'progress');
    }
    invalidateSequenceList(cache);
  },
  removeSequenceContact: (_result, _args, cache) => invalidateAllContacts(cache),
  restartSequenceContact: (_result, _args, cache) => invalidateAllContacts(cache),
};

export type SequenceProgressEvent = { sequenceId?: unknown; status?: unknown };

/**
 * A progress event: the sequence follows its status (the list is read again when it changed),
 * and its contacts are read again, since their steps and statuses moved on.
 */
export function applySequenceProgress(cache: Cache, event: SequenceProgressEvent | null) {
  if (!event || typeof event.sequenceId !== 'string' || typeof event.status !== 'string') return;
  const id = event.sequenceId;
  const known = cache.resolve({ __typename: 'Sequence', id }, 'status');
  cache.writeFragment(SequenceStatusFragment, { id, status: event.status as SequenceStatus });
  if (typeof known === 'string' && known !== event.status) invalidateSequenceList(cache);
  invalidateContacts(cache, id);
}
