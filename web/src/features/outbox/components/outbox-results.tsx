import { useCallback, useEffect, useState } from 'react';

import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import type { OutboxFilterInput, OutboxPageQuery } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';

import { useOutboxPage } from '../api/outbox';
import styles from './outbox.module.css';
import { OutboxRow } from './outbox-row';

type Connection = OutboxPageQuery['outbox'];
type PageInfo = Connection['pageInfo'];

export type OutboxResultsProps = {
  filter: OutboxFilterInput;
  /** The first page, loaded by the screen (it shows the count and the newest row). */
  firstPage: Connection;
  timeZone: string;
};

const COLUMNS = ['Created', 'Device', 'To', 'Message', 'Source', 'Status', 'Attempts'];

/**
 * The table of messages: the first page, then each page "Load more" asked for. Every page is
 * its own cached query, so live updates reach all of them; remount (a new `key`) to start over.
 */
export function OutboxResults({ filter, firstPage, timeZone }: OutboxResultsProps) {
  const [cursors, setCursors] = useState<string[]>([]);
  // What each page loaded so far says about the next one, by its cursor.
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
      <Table label="Outbox messages" className={styles.table}>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column} scope="col" className={styles[`column${column}`]}>
                {column}
              </th>
            ))}
            <th scope="col" className={styles.columnActions}>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {firstPage.nodes.map((message) => (
            <OutboxRow key={message.id} message={message} timeZone={timeZone} />
          ))}
        </tbody>
        {cursors.map((after) => (
          <MoreMessages
            key={after}
            filter={filter}
            after={after}
            timeZone={timeZone}
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

type MoreMessagesProps = {
  filter: OutboxFilterInput;
  after: string;
  timeZone: string;
  onPageInfo: (after: string, pageInfo: PageInfo) => void;
};

/** One more page of rows, in a body of its own. */
function MoreMessages({ filter, after, timeZone, onPageInfo }: MoreMessagesProps) {
  const [{ data, error }] = useOutboxPage(filter, after);
  const pageInfo = data?.outbox.pageInfo;
  useEffect(() => {
    if (pageInfo) onPageInfo(after, pageInfo);
  }, [after, pageInfo, onPageInfo]);

  if (!data) {
    return (
      <tbody>
        <tr>
          <td colSpan={COLUMNS.length + 1} className={styles.pageStatus}>
            {error ? (
              <ErrorMessage message={errorMessage(error)} />
            ) : (
              <Spinner label="Loading more messages…" />
            )}
          </td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody>
      {data.outbox.nodes.map((message) => (
        <OutboxRow key={message.id} message={message} timeZone={timeZone} />
      ))}
    </tbody>
  );
}
