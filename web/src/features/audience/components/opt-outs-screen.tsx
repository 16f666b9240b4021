import { useCallback, useEffect, useState, type FormEvent } from 'react';

import { Page } from '@/components/layouts/page';
import { Button } from '@/components/ui/button';
import { ConfirmDialog, Dialog, DialogActions } from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextField } from '@/components/ui/field';
import { PlusIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import type { OptOutSource, OptOutsPageQuery } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';
import { formatDateTime, pluralize } from '@/lib/format';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { useOptOut, useOptOutsPage, useRemoveOptOut } from '../api/audience';
import { downloadCsv } from '../api/export';
import styles from './audience.module.css';
import { ImportDialog } from './import-dialog';

type Connection = OptOutsPageQuery['optOuts'];
type OptOutRow = Connection['nodes'][number];
type PageInfo = Connection['pageInfo'];

const SOURCE_LABELS: Record<OptOutSource, string> = {
  MANUAL: 'By hand',
  INBOUND: 'They asked',
  IMPORT: 'Imported',
};

export type OptOutsScreenProps = { timeZone: string };

/** The numbers nothing is sent to: search, add by hand, remove, import and export. */
export function OptOutsScreen({ timeZone }: OptOutsScreenProps) {
  const [searchText, setSearchText] = useState('');
  const search = useDebouncedValue(searchText.trim(), 300) || null;
  const [{ data, error }] = useOptOutsPage(search, null);
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const onExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const query = search ? `?${new URLSearchParams({ search }).toString()}` : '';
      await downloadCsv(`/export/opt-outs.csv${query}`, 'opt-outs.csv');
    } catch (failure) {
      setExportError(failure instanceof Error ? failure.message : 'The export failed.');
    } finally {
      setExporting(false);
    }
  };

  const total = data?.optOuts.totalCount ?? null;
  return (
    <Page
      title="Opt-outs"
      description={
        total === null
          ? 'Numbers nothing is sent to, from any device.'
          : `${pluralize(total, 'number')} nothing is sent to, from any device.`
      }
      actions={
        <div className={styles.actions}>
          <Button variant="secondary" onClick={() => setImporting(true)}>
            Import CSV
          </Button>
          <Button variant="secondary" onClick={() => void onExport()} busy={exporting}>
            Export CSV
          </Button>
          <Button onClick={() => setAdding(true)}>
            <PlusIcon width={18} height={18} />
            Add number
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
      <div className={styles.toolbar} role="search" aria-label="Opt-outs">
        <div className={styles.searchFilter}>
          <TextField
            label="Search"
            type="search"
            placeholder="Phone or reason"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
          />
        </div>
      </div>
      {data ? (
        data.optOuts.nodes.length === 0 ? (
          <EmptyState
            title={search ? undefined : 'No opt-outs'}
            actions={
              search ? null : (
                <Button variant="secondary" onClick={() => setAdding(true)}>
                  Add number
                </Button>
              )
            }
          >
            {search
              ? 'No opt-out matches the search.'
              : 'When someone asks not to be written to, their number goes here and every device skips it. Numbers land here when they reply STOP, when you opt them out from a list or a chat, or by import.'}
          </EmptyState>
        ) : (
          <OptOutResults
            key={search ?? ''}
            search={search}
            firstPage={data.optOuts}
            timeZone={timeZone}
            onRemove={setRemoving}
          />
        )
      ) : error ? (
        <ErrorMessage message={errorMessage(error)} />
      ) : (
        <Spinner />
      )}
      {adding ? (
        <AddOptOutDialog
          onClose={() => setAdding(false)}
          onAdded={(phone) => {
            setAdding(false);
            setNotice(`${phone} is opted out.`);
          }}
        />
      ) : null}
      {removing ? (
        <RemoveOptOutDialog
          phone={removing}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            setNotice(`${removing} can be written to again.`);
            setRemoving(null);
          }}
        />
      ) : null}
      {importing ? <ImportDialog kind="OPT_OUTS" onClose={() => setImporting(false)} /> : null}
    </Page>
  );
}

type OptOutResultsProps = {
  search: string | null;
  firstPage: Connection;
  timeZone: string;
  onRemove: (phone: string) => void;
};

function OptOutResults({ search, firstPage, timeZone, onRemove }: OptOutResultsProps) {
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
  return (
    <div className={styles.results}>
      <Table label="Opt-outs" className={styles.table}>
        <thead>
          <tr>
            <th scope="col">Phone</th>
            <th scope="col">Reason</th>
            <th scope="col">How</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <OptOutRows rows={firstPage.nodes} timeZone={timeZone} onRemove={onRemove} />
        {cursors.map((after) => (
          <MoreOptOuts
            key={after}
            search={search}
            after={after}
            timeZone={timeZone}
            onRemove={onRemove}
            onPageInfo={onPageInfo}
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

function MoreOptOuts({
  search,
  after,
  timeZone,
  onRemove,
  onPageInfo,
}: {
  search: string | null;
  after: string;
  timeZone: string;
  onRemove: (phone: string) => void;
  onPageInfo: (after: string, pageInfo: PageInfo) => void;
}) {
  const [{ data, error }] = useOptOutsPage(search, after);
  const pageInfo = data?.optOuts.pageInfo;
  useEffect(() => {
    if (pageInfo) onPageInfo(after, pageInfo);
  }, [after, pageInfo, onPageInfo]);
  if (!data) {
    return (
      <tbody>
        <tr>
          <td colSpan={5}>
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
  return <OptOutRows rows={data.optOuts.nodes} timeZone={timeZone} onRemove={onRemove} />;
}

function OptOutRows({
  rows,
  timeZone,
  onRemove,
}: {
  rows: readonly OptOutRow[];
  timeZone: string;
  onRemove: (phone: string) => void;
}) {
  return (
    <tbody>
      {rows.map((row) => (
        <tr key={row.phone} className={styles.row}>
          <td className={styles.nameCell} data-label="Phone">
            <span className={styles.name}>{row.phone}</span>
          </td>
          <td className={styles.tagsCell} data-label="Reason">
            {row.reason || <span className={styles.muted}>No reason given</span>}
          </td>
          <td className={styles.targetCell} data-label="How">
            {SOURCE_LABELS[row.source]}
          </td>
          <td className={styles.deviceCell} data-label="Since">
            {formatDateTime(row.createdAt, timeZone)}
          </td>
          <td className={styles.actionsCell}>
            <Button
              variant="ghost"
              size="small"
              onClick={() => onRemove(row.phone)}
              aria-label={`Remove the opt-out of ${row.phone}`}
            >
              Remove
            </Button>
          </td>
        </tr>
      ))}
    </tbody>
  );
}

function AddOptOutDialog({
  onClose,
  onAdded,
}: {
  onClose: () => void;
  onAdded: (phone: string) => void;
}) {
  const [{ fetching, error }, optOut] = useOptOut();
  const [phoneError, setPhoneError] = useState<string | null>(null);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const phone = formText(form, 'phone').trim();
    if (!phone) {
      setPhoneError('Enter the phone number.');
      return;
    }
    setPhoneError(null);
    const result = await optOut({ phone, reason: formText(form, 'reason').trim() || null });
    if (result.data) onAdded(result.data.optOut.phone);
  };
  return (
    <Dialog open title="Opt out a number" onClose={onClose} busy={fetching}>
      <form className={styles.form} onSubmit={(event) => void onSubmit(event)} noValidate>
        <TextField
          label="Phone number"
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          placeholder="+60 12-345 6789"
          hint="With the country code."
          error={phoneError}
        />
        <TextField label="Reason" name="reason" autoComplete="off" hint="Optional." />
        <ErrorMessage message={errorMessage(error)} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose} disabled={fetching}>
            Cancel
          </Button>
          <Button type="submit" busy={fetching}>
            Opt out
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function RemoveOptOutDialog({
  phone,
  onClose,
  onRemoved,
}: {
  phone: string;
  onClose: () => void;
  onRemoved: () => void;
}) {
  const [{ fetching, error }, removeOptOut] = useRemoveOptOut();
  return (
    <ConfirmDialog
      open
      title={`Remove the opt-out of ${phone}?`}
      confirmLabel="Remove"
      busy={fetching}
      onConfirm={() =>
        void removeOptOut({ phone }).then((result) => {
          if (result.data) onRemoved();
        })
      }
      onCancel={onClose}
    >
      <p>Campaigns and sequences may write to this number again.</p>
      <ErrorMessage message={errorMessage(error)} />
    </ConfirmDialog>
  );
}
