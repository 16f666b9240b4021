import { useEffect, useMemo, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { pipe, subscribe } from 'wonka';

import { getFragmentData, graphql } from '@/gql';
import type {
  DevicePickerPageQuery as PageResult,
  DeviceSummaryFragment as DeviceSummary,
} from '@/gql/graphql';
import { DeviceSummaryFragment } from '@/lib/device-summary';

export type { DeviceSummary };

/** How many devices one page of the picker's list brings (the next comes on scrolling). */
export const PICKER_PAGE_SIZE = 20;

export const DevicePickerPageQuery = graphql(`
  query DevicePickerPage($first: Int!, $after: String, $search: String) {
    devices(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        ...DeviceSummary
      }
    }
  }
`);

export const DevicePickerDeviceQuery = graphql(`
  query DevicePickerDevice($id: ID!) {
    device(id: $id) {
      id
      ...DeviceSummary
    }
  }
`);

type Page = {
  devices: DeviceSummary[];
  endCursor: string | null;
  hasNextPage: boolean;
};

function toPage(data: PageResult | undefined): Page | null {
  if (!data) return null;
  return {
    devices: getFragmentData(DeviceSummaryFragment, data.devices.nodes),
    endCursor: data.devices.pageInfo.endCursor ?? null,
    hasNextPage: data.devices.pageInfo.hasNextPage,
  };
}

export type DevicePages = {
  /** The devices loaded so far, newest first. */
  devices: DeviceSummary[];
  /** How many match in all (null while the first page loads). */
  total: number | null;
  /** Whether a further page exists or is on its way. */
  hasMore: boolean;
  loading: boolean;
  /** Asks for the next page (no-op while one is loading or there is none). */
  loadMore: () => void;
  error: boolean;
};

/**
 * The devices whose name or number contains `search`, a page at a time, searched by the server
 * (an account may have thousands). `pause` while the list is closed.
 */
export function useDevicePages(search: string, pause: boolean): DevicePages {
  const [first] = useQuery({
    query: DevicePickerPageQuery,
    variables: { first: PICKER_PAGE_SIZE, after: null, search: search || null },
    requestPolicy: 'cache-and-network',
    pause,
  });
  const client = useClient();
  // The pages after the first, for this search: cursors asked for, and what came back.
  const [more, setMore] = useState<{ search: string; cursors: string[] }>({ search, cursors: [] });
  const [pages, setPages] = useState<Record<string, Page>>({});
  const cursors = useMemo(() => (more.search === search ? more.cursors : []), [more, search]);

  useEffect(() => {
    if (pause) return;
    const subscriptions = cursors.map((after) =>
      pipe(
        client.query(DevicePickerPageQuery, {
          first: PICKER_PAGE_SIZE,
          after,
          search: search || null,
        }),
        subscribe((result) => {
          const page = toPage(result.data);
          if (page) setPages((current) => ({ ...current, [`${search}\u0000${after}`]: page }));
        }),
      ),
    );
    return () => subscriptions.forEach((subscription) => subscription.unsubscribe());
  }, [client, search, cursors, pause]);

  const firstPage = toPage(first.data);
  const loaded: Page[] = firstPage ? [firstPage] : [];
  for (const after of cursors) {
    const page = pages[`${search}\u0000${after}`];
    if (!page) break;
    loaded.push(page);
  }
  const last = loaded[loaded.length - 1];
  const waiting = !firstPage || loaded.length < cursors.length + 1;
  const seen = new Set<string>();
  const devices = loaded
    .flatMap((page) => page.devices)
    .filter((device) => !seen.has(device.id) && !!seen.add(device.id));

  return {
    devices,
    total: first.data?.devices.totalCount ?? null,
    hasMore: waiting || !!last?.hasNextPage,
    loading: waiting && !first.error,
    error: !!first.error,
    loadMore: () => {
      if (waiting || !last?.hasNextPage || !last.endCursor) return;
      const cursor = last.endCursor;
      setMore({ search, cursors: [...cursors, cursor] });
    },
  };
}

/** One device by id: the chosen one, shown whether or not it is on a loaded page. */
export function useDeviceById(id: string | null) {
  const [{ data, fetching }] = useQuery({
    query: DevicePickerDeviceQuery,
    variables: { id: id ?? '' },
    pause: !id,
  });
  // A paused query keeps its last answer: without an id there is no device.
  const answer = id ? data : undefined;
  return {
    device: answer?.device ? getFragmentData(DeviceSummaryFragment, answer.device) : null,
    loading: !!id && fetching && !answer,
    missing: !!answer && !answer.device,
  };
}
