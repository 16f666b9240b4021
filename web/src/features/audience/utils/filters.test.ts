import { describe, expect, it } from 'vitest';

import {
  aiLeadFilter,
  exportPath,
  isFiltered,
  leadFilter,
  NO_AUDIENCE_FILTERS,
  parseTags,
} from './filters';

describe('parseTags', () => {
  it('trims, drops empty tags and keeps each tag once', () => {
    expect(parseTags(' gym, Yoga ,, gym ,yoga, spa ')).toEqual(['gym', 'Yoga', 'spa']);
  });

  it('gives nothing for blank text', () => {
    expect(parseTags('  ,  ')).toEqual([]);
  });
});

describe('leadFilter', () => {
  it('sends tags as any-of or all-of', () => {
    const any = leadFilter({ ...NO_AUDIENCE_FILTERS, tags: ['a', 'b'] });
    expect(any.niches).toEqual(['a', 'b']);
    expect(any.allNiches).toBeUndefined();
    const all = leadFilter({ ...NO_AUDIENCE_FILTERS, tags: ['a', 'b'], tagMatch: 'all' });
    expect(all.allNiches).toEqual(['a', 'b']);
    expect(all.niches).toBeUndefined();
  });

  it('turns the opted-out choice into a boolean or nothing', () => {
    expect(leadFilter({ ...NO_AUDIENCE_FILTERS, optedOut: 'yes' }).optedOut).toBe(true);
    expect(leadFilter({ ...NO_AUDIENCE_FILTERS, optedOut: 'no' }).optedOut).toBe(false);
    expect(leadFilter(NO_AUDIENCE_FILTERS).optedOut).toBeNull();
  });

  it('sends blank search and trigger as nothing', () => {
    const filter = leadFilter({ ...NO_AUDIENCE_FILTERS, search: '  ', trigger: ' ' });
    expect(filter.search).toBeNull();
    expect(filter.trigger).toBeNull();
  });
});

describe('aiLeadFilter', () => {
  it('has no device but the AI status', () => {
    const filter = aiLeadFilter({ ...NO_AUDIENCE_FILTERS, deviceId: 'd1', status: 'SENT' });
    expect(filter).not.toHaveProperty('deviceId');
    expect(filter.status).toBe('SENT');
  });
});

describe('exportPath', () => {
  it('is the bare address without filters', () => {
    expect(exportPath('leads', NO_AUDIENCE_FILTERS)).toBe('/export/leads.csv');
    expect(exportPath('aiLeads', NO_AUDIENCE_FILTERS)).toBe('/export/ai-leads.csv');
  });

  it('carries the filter with tags joined by commas', () => {
    const path = exportPath('leads', {
      ...NO_AUDIENCE_FILTERS,
      deviceId: 'dev 1',
      tags: ['gym', 'spa'],
      tagMatch: 'all',
      targetStatus: 'CUSTOMER',
      optedOut: 'no',
      search: 'ana',
    });
    const url = new URL(path, 'http://x');
    expect(url.pathname).toBe('/export/leads.csv');
    expect(url.searchParams.get('deviceId')).toBe('dev 1');
    expect(url.searchParams.get('allNiches')).toBe('gym,spa');
    expect(url.searchParams.get('targetStatus')).toBe('CUSTOMER');
    expect(url.searchParams.get('optedOut')).toBe('false');
    expect(url.searchParams.get('search')).toBe('ana');
    expect(url.searchParams.has('niches')).toBe(false);
  });
});

describe('isFiltered', () => {
  it('is false for no filters and true for any one', () => {
    expect(isFiltered(NO_AUDIENCE_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_AUDIENCE_FILTERS, search: 'x' })).toBe(true);
    expect(isFiltered({ ...NO_AUDIENCE_FILTERS, optedOut: 'yes' })).toBe(true);
  });
});
