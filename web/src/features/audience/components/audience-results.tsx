import { useCallback, useEffect, useState } from 'react';

import { Button } from '@/components/ui/button';
import { Badge } from '@/components/ui/badge';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import { errorMessage } from '@/lib/errors';

import { useAudiencePage, type AudiencePage, type AudienceRow } from '../api/audience';
import {
  aiLeadStatusLabel,
  targetStatusLabel,
  type AudienceFilters,
  type AudienceKind,
} from '../utils/filters';
import styles from './audience.module.css';
import { TagChips } from './tag-chips';

type PageInfo = AudiencePage['pageInfo'];

export type AudienceResultsProps = {
  kind: AudienceKind;
  filters: AudienceFilters;
  firstPage: AudiencePage;
  selected: ReadonlyMap<string, AudienceRow>;
  onSelect: (rows: readonly AudienceRow[], on: boolean) => void;
  onEdit: (row: AudienceRow) => void;
};

/**
 * The table of leads (or AI leads): the first page, then each page "Load more" asked for, each
 * its own cached query. Remount (a new `key`) to start over.
 */
export function AudienceResults(props: AudienceResultsProps) {
  const { kind, filters, firstPage } = props;
  const [cursors, setCursors] = useState<string[]>([]);
  const [pageInfos, setPageInfos] = useState<Record<string, PageInfo>>({});
  const onPageInfo = useCallback(
    (after: string, pageInfo: PageInfo) =>
      setPageInfos((current) =>
        current[after]?.endCursor === pageInfo.endCursor &&
        current[after]?.hasNextPage === pageInfo.hasNextPage
          ? current
          : { ...current, [after]: pageInfo },
      ),
    [],
  );
  const lastCursor = cursors[cursors.length - 1];
  const last = lastCursor === undefined ? firstPage.pageInfo : pageInfos[lastCursor];
  const next = last?.hasNextPage && last.endCursor ? last.endCursor : null;
  const allOnFirstPage =
    firstPage.rows.length > 0 && firstPage.rows.every((row) => props.selected.has(row.id));

  return (
    <div className={styles.results}>
      <Table label={kind === 'leads' ? 'Leads' : 'AI leads'} className={styles.table}>
        <thead>
          <tr>
            <th scope="col" className={styles.columnSelect}>
              <input
                type="checkbox"
                aria-label="Select the rows shown first"
                checked={allOnFirstPage}
                onChange={(event) => props.onSelect(firstPage.rows, event.target.checked)}
              />
            </th>
            <th scope="col">Name</th>
            <th scope="col">Phone</th>
            <th scope="col">Tags</th>
            <th scope="col">Target</th>
            <th scope="col">{kind === 'leads' ? 'Device' : 'Status'}</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {firstPage.rows.map((row) => (
            <AudienceTableRow key={row.id} row={row} {...props} />
          ))}
        </tbody>
        {cursors.map((after) => (
          <MoreRows
            key={after}
            after={after}
            kind={kind}
            filters={filters}
            onPageInfo={onPageInfo}
            rowProps={props}
          />
        ))}
      </Table>
      {next ? (
        <div className={styles.loadMore}>
          <Button
            variant="secondary"
            onClick={() =>
              setCursors((current) => (current.includes(next) ? current : [...current, next]))
            }
          >
            Load more
          </Button>
        </div>
      ) : null}
    </div>
  );
}

type MoreRowsProps = {
  kind: AudienceKind;
  filters: AudienceFilters;
  after: string;
  onPageInfo: (after: string, pageInfo: PageInfo) => void;
  rowProps: AudienceResultsProps;
};

function MoreRows({ kind, filters, after, onPageInfo, rowProps }: MoreRowsProps) {
  const { page, error } = useAudiencePage(kind, filters, after);
  const pageInfo = page?.pageInfo;
  useEffect(() => {
    if (pageInfo) onPageInfo(after, pageInfo);
  }, [after, pageInfo, onPageInfo]);
  if (!page) {
    return (
      <tbody>
        <tr>
          <td colSpan={7}>
            {error ? (
              <ErrorMessage message={errorMessage(error)} />
            ) : (
              <Spinner label="Loading more…" />
            )}
          </td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody>
      {page.rows.map((row) => (
        <AudienceTableRow key={row.id} row={row} {...rowProps} />
      ))}
    </tbody>
  );
}

type RowProps = AudienceResultsProps & { row: AudienceRow };

function AudienceTableRow({ row, kind, selected, onSelect, onEdit }: RowProps) {
  const label = row.name || row.phone;
  return (
    <tr className={styles.row}>
      <td className={styles.selectCell}>
        <input
          type="checkbox"
          aria-label={`Select ${label}`}
          checked={selected.has(row.id)}
          onChange={(event) => onSelect([row], event.target.checked)}
        />
      </td>
      <td className={styles.nameCell} data-label="Name">
        <div className={styles.stack}>
          <span className={styles.name}>{row.name || '—'}</span>
          {row.optedOut ? <Badge tone="danger">Opted out</Badge> : null}
          {row.notes ? <span className={styles.notes}>{row.notes}</span> : null}
        </div>
      </td>
      <td className={styles.phoneCell} data-label="Phone">
        {row.phone}
      </td>
      <td className={styles.tagsCell} data-label="Tags">
        <div className={styles.stack}>
          <TagChips tags={row.niches} />
          {row.triggers.length > 0 ? (
            <span className={styles.muted}>Triggers: {row.triggers.join(', ')}</span>
          ) : null}
        </div>
      </td>
      <td className={styles.targetCell} data-label="Target">
        {targetStatusLabel(row.targetStatus)}
      </td>
      <td className={styles.deviceCell} data-label={kind === 'leads' ? 'Device' : 'Status'}>
        {kind === 'leads' ? (
          row.deviceName
        ) : (
          <>
            {row.status ? aiLeadStatusLabel(row.status) : null}
            {row.deviceName ? <span className={styles.muted}> · {row.deviceName}</span> : null}
          </>
        )}
      </td>
      <td className={styles.actionsCell}>
        <Button
          variant="ghost"
          size="small"
          onClick={() => onEdit(row)}
          aria-label={`Edit ${label}`}
        >
          Edit
        </Button>
      </td>
    </tr>
  );
}
