import type { CampaignFilter } from '@/gql/graphql';

import type { CampaignStatus } from './model';
import { isCampaignStatus } from './status';

/** What the Campaigns list shows, as kept in its address (`?status=RUNNING&q=promo`). */
export type CampaignListFilters = {
  status: CampaignStatus | null;
  search: string;
};

export const NO_CAMPAIGN_FILTERS: CampaignListFilters = { status: null, search: '' };

/** The filters a query string asks for; anything unknown is left out. */
export function filtersFromSearch(params: URLSearchParams): CampaignListFilters {
  const status = params.get('status')?.trim().toUpperCase() ?? '';
  return {
    status: isCampaignStatus(status) ? status : null,
    search: (params.get('q') ?? '').slice(0, 200),
  };
}

/** The query string for `filters`, in one fixed order so equal filters give equal links. */
export function filtersToSearch(filters: CampaignListFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  const search = filters.search.trim();
  if (search) params.set('q', search);
  return params;
}

/** A stable key for the filters (to start the list over when they change). */
export function filtersKey(filters: CampaignListFilters): string {
  return filtersToSearch(filters).toString();
}

export function isFiltered(filters: CampaignListFilters): boolean {
  return filtersKey(filters) !== '';
}

/** The filters as the server takes them. */
export function serverFilter(filters: CampaignListFilters): CampaignFilter {
  return { status: filters.status, search: filters.search.trim() || null };
}
