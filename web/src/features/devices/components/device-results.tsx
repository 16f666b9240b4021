import { useState } from 'react';

import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import type { DevicesPageQuery } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';

import { useDevicesPage, type DeviceFilters } from '../api/devices';
import { DeviceCard, type DeviceCardProps } from './device-card';
import styles from './devices.module.css';

type Connection = DevicesPageQuery['devices'];

type CardProps = Pick<DeviceCardProps, 'timeZone' | 'onAction'> & {
  reconnectingId: string | null;
};

export type DeviceResultsProps = CardProps & {
  filters: DeviceFilters;
  /** The first page, loaded by the screen (it shows the count). */
  firstPage: Connection;
};

/**
 * The grid of device cards: the first page, then each page "Load more" asked for. Every page is
 * its own cached query, so live updates reach all of them; remount (a new `key`) to start over.
 */
export function DeviceResults({ filters, firstPage, ...cardProps }: DeviceResultsProps) {
  const [cursors, setCursors] = useState<string[]>([]);
  const loadMore = (cursor: string) =>
    setCursors((current) => (current.includes(cursor) ? current : [...current, cursor]));

  return (
    <div className={styles.grid}>
      <Cards connection={firstPage} {...cardProps} />
      {cursors.length === 0 ? (
        <LoadMore connection={firstPage} onLoadMore={loadMore} />
      ) : (
        cursors.map((after, index) => (
          <MoreDevices
            key={after}
            filters={filters}
            after={after}
            isLast={index === cursors.length - 1}
            onLoadMore={loadMore}
            {...cardProps}
          />
        ))
      )}
    </div>
  );
}

function Cards({ connection, reconnectingId, ...props }: CardProps & { connection: Connection }) {
  return connection.nodes.map((device) => (
    <DeviceCard
      key={device.id}
      device={device}
      unreadChats={device.unreadChats}
      reconnecting={reconnectingId === device.id}
      {...props}
    />
  ));
}

function LoadMore({
  connection,
  onLoadMore,
}: {
  connection: Connection;
  onLoadMore: (cursor: string) => void;
}) {
  const { hasNextPage, endCursor } = connection.pageInfo;
  if (!hasNextPage || !endCursor) return null;
  return (
    <div className={styles.loadMore}>
      <Button variant="secondary" onClick={() => onLoadMore(endCursor)}>
        Load more
      </Button>
    </div>
  );
}

type MoreDevicesProps = CardProps & {
  filters: DeviceFilters;
  after: string;
  isLast: boolean;
  onLoadMore: (cursor: string) => void;
};

function MoreDevices({ filters, after, isLast, onLoadMore, ...cardProps }: MoreDevicesProps) {
  const [{ data, error }] = useDevicesPage(filters, after);
  if (!data) {
    return (
      <div className={styles.loadMore}>
        {error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : (
          <Spinner label="Loading more devices…" />
        )}
      </div>
    );
  }
  return (
    <>
      <Cards connection={data.devices} {...cardProps} />
      {isLast ? <LoadMore connection={data.devices} onLoadMore={onLoadMore} /> : null}
    </>
  );
}
