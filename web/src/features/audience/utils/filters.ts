import type { AiLeadFilter, AiLeadStatus, LeadFilter, LeadTargetStatus } from '@/gql/graphql';

/** Which list a screen shows: a device's leads, or the AI leads dealt over devices. */
export type AudienceKind = 'leads' | 'aiLeads';

export type OptedOutChoice = 'any' | 'yes' | 'no';

/** What the filter bar holds (the same state for both lists; each uses the parts it has). */
export type AudienceFilters = {
  deviceId: string | null;
  tags: readonly string[];
  /** Rows with any of the tags, or with all of them. */
  tagMatch: 'any' | 'all';
  targetStatus: LeadTargetStatus | null;
  trigger: string;
  status: AiLeadStatus | null;
  optedOut: OptedOutChoice;
  search: string;
};

export const NO_AUDIENCE_FILTERS: AudienceFilters = {
  deviceId: null,
  tags: [],
  tagMatch: 'any',
  targetStatus: null,
  trigger: '',
  status: null,
  optedOut: 'any',
  search: '',
};

export const TARGET_STATUSES: readonly LeadTargetStatus[] = ['PROSPECT', 'CUSTOMER'];
export const AI_LEAD_STATUSES: readonly AiLeadStatus[] = ['PENDING', 'ASSIGNED', 'SENT', 'FAILED'];

export function targetStatusLabel(status: LeadTargetStatus): string {
  return status === 'PROSPECT' ? 'Prospect' : 'Customer';
}

export function aiLeadStatusLabel(status: AiLeadStatus): string {
  const labels: Record<AiLeadStatus, string> = {
    PENDING: 'Pending',
    ASSIGNED: 'Assigned',
    SENT: 'Sent',
    FAILED: 'Failed',
  };
  return labels[status];
}

export function isTargetStatus(value: string): value is LeadTargetStatus {
  return (TARGET_STATUSES as readonly string[]).includes(value);
}

export function isAiLeadStatus(value: string): value is AiLeadStatus {
  return (AI_LEAD_STATUSES as readonly string[]).includes(value);
}

/** Tags typed as `a, b,c`: trimmed, empty ones dropped, each once (the first spelling kept). */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const part of text.split(',')) {
    const tag = part.trim();
    const key = tag.toLowerCase();
    if (tag && !seen.has(key)) {
      seen.add(key);
      tags.push(tag);
    }
  }
  return tags;
}

function optedOutValue(choice: OptedOutChoice): boolean | null {
  return choice === 'any' ? null : choice === 'yes';
}

function tagParts(filters: AudienceFilters) {
  if (filters.tags.length === 0) return {};
  return filters.tagMatch === 'all'
    ? { allNiches: [...filters.tags] }
    : { niches: [...filters.tags] };
}

export function leadFilter(filters: AudienceFilters): LeadFilter {
  return {
    deviceId: filters.deviceId,
    ...tagParts(filters),
    targetStatus: filters.targetStatus,
    trigger: filters.trigger.trim() || null,
    search: filters.search.trim() || null,
    optedOut: optedOutValue(filters.optedOut),
  };
}

export function aiLeadFilter(filters: AudienceFilters): AiLeadFilter {
  return {
    ...tagParts(filters),
    targetStatus: filters.targetStatus,
    status: filters.status,
    search: filters.search.trim() || null,
    optedOut: optedOutValue(filters.optedOut),
  };
}

/**
 * The export's address for what the list shows: the filter as query parameters (tags joined by
 * commas), the same meaning as the GraphQL filter.
 */
export function exportPath(kind: AudienceKind, filters: AudienceFilters): string {
  const filter: Record<string, string | number | boolean | readonly string[] | null | undefined> =
    kind === 'leads' ? leadFilter(filters) : aiLeadFilter(filters);
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) {
    if (value === null || value === undefined) continue;
    params.set(name, typeof value === 'object' ? value.join(',') : String(value));
  }
  const query = params.toString();
  const base = kind === 'leads' ? '/export/leads.csv' : '/export/ai-leads.csv';
  return query ? `${base}?${query}` : base;
}

export function isFiltered(filters: AudienceFilters): boolean {
  return (
    filters.deviceId !== null ||
    filters.tags.length > 0 ||
    filters.targetStatus !== null ||
    filters.trigger.trim() !== '' ||
    filters.status !== null ||
    filters.optedOut !== 'any' ||
    filters.search.trim() !== ''
  );
}

/** A stable key for the filters, to start the list over when they change. */
export function filtersKey(filters: AudienceFilters): string {
  return JSON.stringify(filters);
}
