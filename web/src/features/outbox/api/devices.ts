import { useQuery } from 'urql';

import { graphql } from '@/gql';

/** How many devices a device picker lists at once (a search finds the others). */
export const DEVICE_OPTIONS_SIZE = 50;

export const DeviceOptionsQuery = graphql(`
  query OutboxDeviceOptions($first: Int!, $after: String, $status: DeviceStatus, $search: String) {
    devices(first: $first, after: $after, status: $status, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        phone
        status
        createdAt
      }
    }
  }
`);

export const DeviceOptionQuery = graphql(`
  query OutboxDeviceOption($id: ID!) {
    device(id: $id) {
      id
      name
      phone
      status
      createdAt
    }
  }
`);

/**
 * The first devices (newest first) whose name or number contains `search`. The arguments are
 * those of the Devices screen's first page, so both read (and keep up to date) one cached list.
 */
export function useDeviceOptions(search: string) {
  return useQuery({
    query: DeviceOptionsQuery,
    variables: { first: DEVICE_OPTIONS_SIZE, after: null, status: null, search: search || null },
    requestPolicy: 'cache-and-network',
  });
}

/** One device by id (the chosen one, when it is not among the first listed). */
export function useDeviceOption(id: string | null) {
  return useQuery({
    query: DeviceOptionQuery,
    variables: { id: id ?? '' },
    pause: !id,
  });
}
