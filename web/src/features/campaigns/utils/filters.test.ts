import { describe, expect, it } from 'vitest';

import {
  filtersFromSearch,
  filtersKey,
  filtersToSearch,
  isFiltered,
  NO_CAMPAIGN_FILTERS,
  serverFilter,
} from './filters';

describe('campaign list filters', () => {
  it('reads the status and the search from the address', () => {
    expect(filtersFromSearch(new URLSearchParams('status=paused&q=promo'))).toEqual({
      status: 'PAUSED',
      search: 'promo',
    });
  });

  it('drops what it does not know', () => {
    expect(filtersFromSearch(new URLSearchParams('status=DRAFT&x=1'))).toEqual(NO_CAMPAIGN_FILTERS);
  });

  it('writes equal filters as equal links, without empty parts', () => {
    expect(filtersToSearch({ status: 'RUNNING', search: '  dec ' }).toString()).toBe(
      'status=RUNNING&q=dec',
    );
    expect(filtersKey(NO_CAMPAIGN_FILTERS)).toBe('');
    expect(isFiltered({ status: null, search: ' ' })).toBe(false);
    expect(isFiltered({ status: 'FAILED', search: '' })).toBe(true);
  });

  it('gives the server null for what is not filtered', () => {
    expect(serverFilter({ status: null, search: ' ' })).toEqual({ status: null, search: null });
    expect(serverFilter({ status: 'SCHEDULED', search: 'x' })).toEqual({
      status: 'SCHEDULED',
      search: 'x',
    });
  });
});
