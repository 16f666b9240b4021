import type { Cache } from '@urql/exchange-graphcache';
import { describe, expect, it, vi } from 'vitest';

import { applyImportProgress, audienceKeys, invalidateLists } from './audience-cache';

function fakeCache(fields: { fieldName: string; arguments: Record<string, unknown> | null }[]) {
  const invalidate = vi.fn<(entity: string, field: string, args?: unknown) => void>();
  const cache = {
    inspectFields: () => fields.map((field) => ({ ...field, fieldKey: field.fieldName })),
    invalidate,
  } as unknown as Cache;
  return { cache, invalidate };
}

const FIELDS = [
  { fieldName: 'leads', arguments: { first: 50, after: null } },
  { fieldName: 'leads', arguments: { first: 50, after: 'c1' } },
  { fieldName: 'aiLeads', arguments: { first: 50 } },
  { fieldName: 'niches', arguments: null },
  { fieldName: 'optOuts', arguments: { first: 50 } },
  { fieldName: 'devices', arguments: { first: 20 } },
];

describe('invalidateLists', () => {
  it('drops every page of the leads and the tag counts after a change to leads', () => {
    const { cache, invalidate } = fakeCache(FIELDS);
    invalidateLists(cache, 'leads');
    expect(invalidate.mock.calls.map(([, field]) => field)).toEqual(['leads', 'leads', 'niches']);
  });

  it('drops both lists and the opt-outs after an opt-out (their optedOut flags change)', () => {
    const { cache, invalidate } = fakeCache(FIELDS);
    invalidateLists(cache, 'optOuts');
    expect(invalidate.mock.calls.map(([, field]) => field).sort()).toEqual(
      ['aiLeads', 'leads', 'leads', 'optOuts'].sort(),
    );
  });
});

describe('applyImportProgress', () => {
  it('leaves the lists alone while the import runs and reloads them when it ends', () => {
    const { cache, invalidate } = fakeCache(FIELDS);
    applyImportProgress(cache, { kind: 'AI_LEADS', status: 'RUNNING' });
    expect(invalidate).not.toHaveBeenCalled();
    applyImportProgress(cache, { kind: 'AI_LEADS', status: 'DONE' });
    expect(invalidate.mock.calls.map(([, field]) => field)).toEqual(['aiLeads', 'niches']);
  });
});

describe('audienceKeys', () => {
  it('knows an opt-out by its phone', () => {
    expect(audienceKeys.OptOut?.({ __typename: 'OptOut', phone: '+601' })).toBe('+601');
  });
});
