import { useMemo, useState } from 'react';

import { Page } from '@/components/layouts/page';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { PlusIcon, UsersIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { useAudiencePage, useNiches, type AudienceRow } from '../api/audience';
import { downloadCsv } from '../api/export';
import {
  exportPath,
  filtersKey,
  isFiltered,
  NO_AUDIENCE_FILTERS,
  type AudienceFilters as Filters,
  type AudienceKind,
} from '../utils/filters';
import { AiLeadStatsPanel } from './ai-lead-stats';
import { AudienceFilters } from './audience-filters';
import { AudienceResults } from './audience-results';
import styles from './audience.module.css';
import { BulkDialog, type BulkAction } from './bulk-dialogs';
import { ImportDialog } from './import-dialog';
import { LeadFormDialog } from './lead-form-dialog';

export type AudienceScreenProps = { kind: AudienceKind };

type Editing = { row: AudienceRow | null } | null;

/** The Leads and the AI Leads screens: one table, filters, bulk actions, import and export. */
export function AudienceScreen({ kind }: AudienceScreenProps) {
  const [typed, setFilters] = useState<Filters>(NO_AUDIENCE_FILTERS);
  // The list follows the filters once typing pauses, not at every key.
  const filters = useDebouncedValue(typed, 300);
  const { page, error } = useAudiencePage(kind, filters, null);
  const [{ data: nicheData }] = useNiches();
  const [selected, setSelected] = useState<ReadonlyMap<string, AudienceRow>>(new Map());
  const [editing, setEditing] = useState<Editing>(null);
  const [bulk, setBulk] = useState<BulkAction | null>(null);
  const [importing, setImporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const knownTags = useMemo(
    () =>
      (nicheData?.niches ?? [])
        .filter((niche) => (kind === 'leads' ? niche.leads : niche.aiLeads) > 0)
        .map((niche) => niche.tag),
    [nicheData, kind],
  );

  const changeFilters = (next: Filters) => {
    setFilters(next);
    setSelected(new Map());
  };
  const onSelect = (rows: readonly AudienceRow[], on: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      for (const row of rows) {
        if (on) next.set(row.id, row);
        else next.delete(row.id);
      }
      return next;
    });
  const done = (message: string) => {
    setNotice(message);
    setEditing(null);
    setBulk(null);
    setSelected(new Map());
  };
  const onExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      await downloadCsv(exportPath(kind, filters), kind === 'leads' ? 'leads.csv' : 'ai-leads.csv');
    } catch (failure) {
      setExportError(failure instanceof Error ? failure.message : 'The export failed.');
    } finally {
      setExporting(false);
    }
  };

  const noun = kind === 'leads' ? 'lead' : 'AI lead';
  const filtered = isFiltered(filters);
  const nothingYet = !!page && !filtered && page.totalCount === 0;
  const description =
    page === null
      ? kind === 'leads'
        ? 'The people each device talks to.'
        : 'Leads dealt over your devices by campaigns.'
      : filtered
        ? `${pluralize(page.totalCount, noun)} ${page.totalCount === 1 ? 'matches' : 'match'} these filters.`
        : `${pluralize(page.totalCount, noun)}.`;

  return (
    <Page
      title={kind === 'leads' ? 'Leads' : 'AI leads'}
      description={description}
      actions={
        <div className={styles.actions}>
          <Button variant="secondary" onClick={() => setImporting(true)}>
            Import CSV
          </Button>
          <Button variant="secondary" onClick={() => void onExport()} busy={exporting}>
            Export CSV
          </Button>
          <Button onClick={() => setEditing({ row: null })}>
            <PlusIcon width={18} height={18} />
            New {noun}
          </Button>
        </div>
      }
    >
      {notice ? (
        <div className={styles.notice} role="status">
          <p>{notice}</p>
          <Button variant="ghost" size="small" onClick={() => setNotice(null)}>
            Dismiss
          </Button>
        </div>
      ) : null}
      <ErrorMessage message={exportError} />
      {kind === 'aiLeads' ? <AiLeadStatsPanel /> : null}

      {nothingYet ? (
        <EmptyState
          icon={<UsersIcon width={26} height={26} />}
          title={kind === 'leads' ? 'No leads yet' : 'No AI leads yet'}
          actions={
            <div className={styles.actions}>
              <Button onClick={() => setImporting(true)}>Import CSV</Button>
              <Button variant="secondary" onClick={() => setEditing({ row: null })}>
                New {noun}
              </Button>
            </div>
          }
        >
          {kind === 'leads'
            ? 'Leads are the people a device writes to: import a CSV of names, phones and tags, or add one by hand. Campaigns and sequences pick them by tag.'
            : 'AI leads are a shared pool that campaigns deal over your devices. Import a CSV of names, phones and tags, or add one by hand.'}
        </EmptyState>
      ) : (
        <>
          <AudienceFilters
            kind={kind}
            value={typed}
            onChange={changeFilters}
            knownTags={knownTags}
          />
          {selected.size > 0 ? (
            <div className={styles.selection} role="region" aria-label="Selected rows">
              <p>{pluralize(selected.size, 'row')} selected</p>
              <div className={styles.actions}>
                <Button size="small" variant="secondary" onClick={() => setBulk('retag')}>
                  Retag
                </Button>
                {kind === 'leads' ? (
                  <Button size="small" variant="secondary" onClick={() => setBulk('move')}>
                    Move to device
                  </Button>
                ) : null}
                {kind === 'leads' ? (
                  <Button size="small" variant="secondary" onClick={() => setBulk('enroll')}>
                    Add to sequence…
                  </Button>
                ) : null}
                <Button size="small" variant="secondary" onClick={() => setBulk('optOut')}>
                  Opt out
                </Button>
                <Button size="small" variant="danger" onClick={() => setBulk('delete')}>
                  Delete
                </Button>
                <Button size="small" variant="ghost" onClick={() => setSelected(new Map())}>
                  Clear selection
                </Button>
              </div>
            </div>
          ) : null}
          {page ? (
            page.rows.length === 0 ? (
              <EmptyState
                actions={
                  <Button variant="secondary" onClick={() => changeFilters(NO_AUDIENCE_FILTERS)}>
                    Show all
                  </Button>
                }
              >
                Nothing matches these filters.
              </EmptyState>
            ) : (
              <AudienceResults
                key={filtersKey(filters)}
                kind={kind}
                filters={filters}
                firstPage={page}
                selected={selected}
                onSelect={onSelect}
                onEdit={(row) => setEditing({ row })}
              />
            )
          ) : error ? (
            <ErrorMessage message={errorMessage(error)} />
          ) : (
            <Spinner />
          )}
        </>
      )}

      {editing ? (
        <LeadFormDialog
          kind={kind}
          row={editing.row}
          defaultDeviceId={filters.deviceId}
          onClose={() => setEditing(null)}
          onSaved={done}
        />
      ) : null}
      {bulk ? (
        <BulkDialog
          kind={kind}
          action={bulk}
          rows={[...selected.values()]}
          onClose={() => setBulk(null)}
          onDone={done}
        />
      ) : null}
      {importing ? (
        <ImportDialog
          kind={kind === 'leads' ? 'LEADS' : 'AI_LEADS'}
          defaultDeviceId={filters.deviceId}
          onClose={() => setImporting(false)}
        />
      ) : null}
    </Page>
  );
}
