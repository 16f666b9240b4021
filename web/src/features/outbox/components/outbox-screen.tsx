import { useCallback, useMemo, useState } from 'react';

import { Page } from '@/components/layouts/page';
import { DevicePicker } from '@/components/device-picker/device-picker';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextField } from '@/components/ui/field';
import { OutboxIcon, PlusIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import type { OutboxStatus } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';
import type { OutboxEventData } from '@/lib/outbox-cache';
import { useOnReconnected } from '@/lib/realtime';

import { useOutboxEvents, useOutboxPage, useOutboxSummary, useThrottled } from '../api/outbox';
import {
  compareIds,
  eventJoinsView,
  filtersKey,
  isFiltered,
  NO_FILTERS,
  serverFilter,
  toggleStatus,
} from '../utils/filters';
import { isMessageSource, MESSAGE_SOURCES, QUEUED_EXPLANATION, sourceLabel } from '../utils/status';
import { useAddressFilters } from '../utils/use-address-filters';
import { NewMessageDialog, type SentMessage } from './new-message-dialog';
import styles from './outbox.module.css';
import { OutboxResults } from './outbox-results';
import { StatusFilter } from './status-filter';

const sourceOptions = [
  { value: '', label: 'All sources' },
  ...MESSAGE_SOURCES.map((source) => ({ value: source, label: sourceLabel(source) })),
];

export type OutboxScreenProps = {
  /** The viewer's time zone, for every time and day shown or picked. */
  timeZone: string;
};

export function OutboxScreen({ timeZone }: OutboxScreenProps) {
  const [filters, setFilters] = useAddressFilters();
  const key = filtersKey(filters);
  const filter = useMemo(() => serverFilter(filters, timeZone), [filters, timeZone]);
  const summaryFilter = useMemo(
    () => serverFilter({ ...filters, statuses: [] }, timeZone),
    [filters, timeZone],
  );

  const [{ data, error }, reexecute] = useOutboxPage(filter, null);
  const { counts, refresh: refreshCounts } = useOutboxSummary(summaryFilter);
  const [generation, setGeneration] = useState(0);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Messages newer than the list that belong in it, by the filters they arrived under.
  const [arrived, setArrived] = useState<{ key: string; ids: ReadonlySet<string> }>({
    key,
    ids: new Set(),
  });

  /** Starts the list over from the newest message (the pages loaded so far are dropped). */
  const reload = useCallback(() => {
    setGeneration((value) => value + 1);
    setArrived((current) => ({ key: current.key, ids: new Set() }));
    reexecute({ requestPolicy: 'network-only' });
    refreshCounts();
  }, [reexecute, refreshCounts]);
  const reloadSoon = useThrottled(reload, 1000);
  // Events missed while the live connection was down: start over.
  useOnReconnected(reload);

  const newestId = data?.outbox.nodes[0]?.id ?? null;
  const empty = !!data && data.outbox.nodes.length === 0;
  const onEvents = (events: OutboxEventData[]) => {
    refreshCounts();
    const joining = events.filter((event) => eventJoinsView(event, filters, timeZone, newestId));
    if (joining.length === 0) return;
    // Nothing on screen to keep in place: show them straight away.
    if (empty) {
      reloadSoon();
      return;
    }
    setArrived((current) => {
      const ids = new Set(current.key === key ? current.ids : []);
      for (const event of joining) ids.add(event.id);
      return { key, ids };
    });
  };
  useOutboxEvents(onEvents, () => {
    reexecute({ requestPolicy: 'network-only' });
    refreshCounts();
  });
  const arrivedCount =
    arrived.key === key && newestId !== null
      ? [...arrived.ids].filter((id) => compareIds(id, newestId) > 0).length
      : 0;

  const onSent = (sent: SentMessage) => {
    setDialogOpen(false);
    setNotice(`Your message to ${sent.phone} is in the outbox.`);
    reload();
  };

  const filtered = isFiltered(filters);
  const total = useMemo(() => {
    if (counts) {
      return filters.statuses.length > 0
        ? filters.statuses.reduce((sum, status) => sum + counts[status], 0)
        : counts.all;
    }
    return data?.outbox.totalCount ?? null;
  }, [counts, data, filters.statuses]);
  const nothingSentYet = !!data && !filtered && data.outbox.totalCount === 0;

  let description = 'Every message wafleet sends, live.';
  if (nothingSentYet) description = 'Every message wafleet sends appears here first.';
  else if (total !== null && filtered) {
    description = `${pluralize(total, 'message')} ${total === 1 ? 'matches' : 'match'} these filters.`;
  } else if (total !== null) {
    description = `${pluralize(total, 'message')} · every message wafleet sends, live.`;
  }

  const toggle = (status: OutboxStatus) =>
    setFilters({ ...filters, statuses: toggleStatus(filters.statuses, status) });

  return (
    <Page
      title="Outbox"
      description={description}
      actions={
        <Button onClick={() => setDialogOpen(true)}>
          <PlusIcon width={18} height={18} />
          New message
        </Button>
      }
    >
      {notice ? (
        <div className={styles.notice} role="status">
          <p className={styles.noticeText}>{notice}</p>
          <Button variant="ghost" size="small" onClick={() => setNotice(null)}>
            Dismiss
          </Button>
        </div>
      ) : null}

      {nothingSentYet ? (
        <NothingSentYet onNew={() => setDialogOpen(true)} />
      ) : (
        <>
          <div className={styles.filters}>
            <StatusFilter
              value={filters.statuses}
              counts={counts}
              onToggle={toggle}
              onClear={() => setFilters({ ...filters, statuses: [] })}
            />
            <div className={styles.toolbar} role="search" aria-label="Outbox">
              <div className={styles.deviceFilter}>
                <DevicePicker
                  allLabel="All devices"
                  value={filters.deviceId}
                  onChange={(deviceId) => setFilters({ ...filters, deviceId })}
                />
              </div>
              <div className={styles.sourceFilter}>
                <SelectField
                  label="Source"
                  options={sourceOptions}
                  value={filters.source ?? ''}
                  onChange={(event) =>
                    setFilters({
                      ...filters,
                      source: isMessageSource(event.target.value) ? event.target.value : null,
                    })
                  }
                />
              </div>
              <div className={styles.dayFilter}>
                <TextField
                  label="From"
                  type="date"
                  value={filters.from ?? ''}
                  max={filters.to ?? undefined}
                  onChange={(event) => setFilters({ ...filters, from: event.target.value || null })}
                />
              </div>
              <div className={styles.dayFilter}>
                <TextField
                  label="To"
                  type="date"
                  value={filters.to ?? ''}
                  min={filters.from ?? undefined}
                  onChange={(event) => setFilters({ ...filters, to: event.target.value || null })}
                />
              </div>
              {filtered ? (
                <Button
                  variant="ghost"
                  className={styles.clear}
                  onClick={() => setFilters(NO_FILTERS)}
                >
                  Clear filters
                </Button>
              ) : null}
            </div>
            {filters.campaignId ? (
              <p className={styles.campaign}>
                Only the messages of one campaign.{' '}
                <Button
                  variant="ghost"
                  size="small"
                  onClick={() => setFilters({ ...filters, campaignId: null })}
                >
                  Show every campaign
                </Button>
              </p>
            ) : null}
          </div>

          {arrivedCount > 0 ? (
            <div className={styles.arrived} role="status">
              <p className={styles.noticeText}>
                {pluralize(arrivedCount, 'new message')} since the list was loaded.
              </p>
              <Button size="small" onClick={reload}>
                Show
              </Button>
            </div>
          ) : null}
          {counts && counts.QUEUED > 0 ? (
            <p className={styles.queuedNote}>{QUEUED_EXPLANATION}</p>
          ) : null}

          {data ? (
            data.outbox.nodes.length === 0 ? (
              <EmptyState
                actions={
                  <Button variant="secondary" onClick={() => setFilters(NO_FILTERS)}>
                    Show all messages
                  </Button>
                }
              >
                No messages match these filters.
              </EmptyState>
            ) : (
              <OutboxResults
                key={`${key}\u0000${generation}`}
                filter={filter}
                firstPage={data.outbox}
                timeZone={timeZone}
              />
            )
          ) : error ? (
            <ErrorMessage message={errorMessage(error)} />
          ) : (
            <Spinner />
          )}
        </>
      )}

      {dialogOpen ? (
        <NewMessageDialog
          defaultDeviceId={filters.deviceId}
          onClose={() => setDialogOpen(false)}
          onSent={onSent}
        />
      ) : null}
    </Page>
  );
}

function NothingSentYet({ onNew }: { onNew: () => void }) {
  return (
    <EmptyState
      icon={<OutboxIcon width={26} height={26} />}
      title="Nothing sent yet"
      actions={
        <Button onClick={onNew}>
          <PlusIcon width={18} height={18} />
          New message
        </Button>
      }
    >
      Every message wafleet sends — inbox replies, campaigns, sequences — appears here first, then
      follows along live: queued, sent, delivered, read. Devices send one message at a time with a
      human-like pause, so a message may wait a little before it goes out. If a send fails, you see
      why and can try again.
    </EmptyState>
  );
}
