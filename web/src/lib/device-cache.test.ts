import {
  Client,
  makeResult,
  type Exchange,
  type Operation,
  type OperationResult,
} from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { describe, expect, it } from 'vitest';
import { filter, fromValue, makeSubject, mergeMap, pipe, subscribe } from 'wonka';

import { graphql } from '@/gql';

import { matchesDeviceFilter } from './device-cache';
import { cacheOptions } from './urql-cache';

const PageQuery = graphql(`
  query TestDevicePage($first: Int, $after: String, $status: DeviceStatus, $search: String) {
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

const EventsSubscription = graphql(`
  subscription TestDeviceEvents {
    deviceEvents {
      kind
      qrCode {
        code
        expiresAt
      }
      device {
        id
        name
        phone
        status
        createdAt
      }
    }
  }
`);

const DeleteMutation = graphql(`
  mutation TestDeleteDevice($id: ID!) {
    deleteDevice(id: $id) {
      deviceId
      chats
      messages
      leads
      outbox
    }
  }
`);

const QrQuery = graphql(`
  query TestDeviceQr($id: ID!) {
    device(id: $id) {
      id
      qrCode {
        code
        expiresAt
      }
    }
  }
`);

type Status = 'PAIRING' | 'ONLINE' | 'BANNED';
type TestDevice = { id: string; name: string; phone: string | null; status: Status; at: number };

const device = (id: string, at: number, status: Status = 'PAIRING', name = `Device ${id}`) => ({
  id,
  name,
  phone: null,
  status,
  at,
});

const node = ({ id, name, phone, status, at }: TestDevice) => ({
  __typename: 'Device' as const,
  id,
  name,
  phone,
  status,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString(),
});

type Variables = {
  first: number;
  after: string | null;
  status: Status | null;
  search: string | null;
};
const firstPage: Variables = { first: 50, after: null, status: null, search: null };

/**
 * The real cache behind a client whose "server" answers from `answers` and whose subscription
 * sends what `events.next` is given.
 */
function setUp() {
  const answers = new Map<string, Record<string, unknown>>();
  const events = makeSubject<Record<string, unknown>>();
  const server: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation: Operation) => operation.kind !== 'teardown'),
      mergeMap((operation: Operation) =>
        operation.kind === 'subscription'
          ? pipe(
              events.source,
              mergeMap((data) => fromValue<OperationResult>(makeResult(operation, { data }))),
            )
          : fromValue(
              makeResult(operation, {
                data: answers.get(`${operation.kind}:${JSON.stringify(operation.variables)}`),
              }),
            ),
      ),
    );
  const client = new Client({ url: '/graphql', exchanges: [cacheExchange(cacheOptions), server] });
  pipe(
    client.subscription(EventsSubscription, {}),
    subscribe(() => undefined),
  );

  const writePage = async (
    variables: Variables,
    devices: TestDevice[],
    { total = devices.length, next = null as string | null } = {},
  ) => {
    answers.set(`query:${JSON.stringify(variables)}`, {
      devices: {
        __typename: 'DeviceConnection',
        totalCount: total,
        pageInfo: { __typename: 'PageInfo', hasNextPage: next !== null, endCursor: next },
        nodes: devices.map(node),
      },
    });
    await client.query(PageQuery, variables).toPromise();
  };

  const readPage = (variables: Variables) => {
    const data = client.readQuery(PageQuery, variables)?.data;
    return { ids: data?.devices.nodes.map((n) => n.id), total: data?.devices.totalCount };
  };

  const deliver = (kind: string, d: TestDevice, qrCode: unknown = null) =>
    events.next({
      deviceEvents: { __typename: 'DeviceEvent', kind, qrCode, device: node(d) },
    });

  return { client, answers, writePage, readPage, deliver };
}

describe('device lists in the cache', () => {
  it('puts a new device first and counts it, once', async () => {
    const { writePage, readPage, deliver } = setUp();
    await writePage(firstPage, [device('b', 2), device('a', 1)]);

    deliver('STATUS', device('c', 3));
    deliver('QR_CODE', device('c', 3));

    expect(readPage(firstPage)).toEqual({ ids: ['c', 'b', 'a'], total: 3 });
  });

  it('slots a device it missed into place, and leaves older ones for “Load more”', async () => {
    const { writePage, readPage, deliver } = setUp();
    const secondPage = { ...firstPage, after: 'cursor-1' };
    await writePage(firstPage, [device('e', 50), device('d', 40)], { total: 5, next: 'cursor-1' });
    await writePage(secondPage, [device('c', 30), device('b', 20)], {
      total: 5,
      next: 'cursor-2',
    });

    deliver('STATUS', device('x', 45, 'ONLINE'));
    deliver('STATUS', device('y', 25, 'ONLINE'));
    deliver('STATUS', device('old', 10, 'ONLINE'));

    expect(readPage(firstPage)).toEqual({ ids: ['e', 'x', 'd'], total: 7 });
    expect(readPage(secondPage)).toEqual({ ids: ['c', 'y', 'b'], total: 7 });
  });

  it('only adds a device to the filtered lists it matches', async () => {
    const { writePage, readPage, deliver } = setUp();
    const online = { ...firstPage, status: 'ONLINE' as const };
    const sales = { ...firstPage, search: 'SALES' };
    await writePage(online, []);
    await writePage(sales, []);

    deliver('STATUS', device('p', 1, 'PAIRING', 'Support'));
    deliver('STATUS', device('s', 2, 'PAIRING', 'Sales 2'));

    expect(readPage(online)).toEqual({ ids: [], total: 0 });
    expect(readPage(sales)).toEqual({ ids: ['s'], total: 1 });

    deliver('STATUS', device('p', 1, 'ONLINE', 'Support'));
    expect(readPage(online)).toEqual({ ids: ['p'], total: 1 });
  });

  it('takes a deleted device out of every list and counts it out once', async () => {
    const { client, answers, writePage, readPage, deliver } = setUp();
    const banned = { ...firstPage, status: 'BANNED' as const };
    await writePage(firstPage, [device('c', 3), device('b', 2, 'BANNED')], {
      total: 10,
      next: 'cursor-1',
    });
    await writePage(banned, [device('b', 2, 'BANNED')], { total: 1 });

    answers.set('mutation:{"id":"b"}', {
      deleteDevice: {
        __typename: 'DeleteDevicePayload',
        deviceId: 'b',
        chats: 0,
        messages: 0,
        leads: 0,
        outbox: 0,
      },
    });
    await client.mutation(DeleteMutation, { id: 'b' }).toPromise();
    // The DELETED event names the same device again.
    deliver('DELETED', device('b', 2, 'BANNED'));

    expect(readPage(firstPage)).toEqual({ ids: ['c'], total: 9 });
    expect(readPage(banned)).toEqual({ ids: [], total: 0 });
    // Nor does a late status change bring it back.
    deliver('STATUS', device('b', 2, 'BANNED'));
    expect(readPage(firstPage)).toEqual({ ids: ['c'], total: 9 });
  });

  it('counts out a deleted device that was on a page not loaded yet', async () => {
    const { writePage, readPage, deliver } = setUp();
    await writePage(firstPage, [device('z', 9)], { total: 80, next: 'cursor-1' });
    deliver('DELETED', device('far', 1));
    expect(readPage(firstPage)).toEqual({ ids: ['z'], total: 79 });
  });

  it('keeps the current QR code on the device, and drops it once paired', async () => {
    const { client, answers, deliver } = setUp();
    // The pairing dialog has asked for the device.
    answers.set('query:{"id":"q"}', { device: { __typename: 'Device', id: 'q', qrCode: null } });
    await client.query(QrQuery, { id: 'q' }).toPromise();
    const qrCode = { __typename: 'QrCode', code: '2@abc', expiresAt: '2026-01-01T00:01:00Z' };
    deliver('QR_CODE', device('q', 1), qrCode);
    const read = () => client.readQuery(QrQuery, { id: 'q' })?.data?.device;
    expect(read()?.qrCode).toMatchObject({ code: '2@abc' });

    deliver('STATUS', device('q', 1, 'ONLINE'));
    expect(read()?.qrCode).toBeNull();
  });
});

describe('matchesDeviceFilter', () => {
  const d = { name: 'Sales Team', phone: '+60123456789', status: 'ONLINE' };

  it('matches name (any case) or phone, like the server', () => {
    expect(matchesDeviceFilter(d, {})).toBe(true);
    expect(matchesDeviceFilter(d, { search: ' team ' })).toBe(true);
    expect(matchesDeviceFilter(d, { search: '1234' })).toBe(true);
    expect(matchesDeviceFilter(d, { search: 'support' })).toBe(false);
    expect(matchesDeviceFilter(d, { search: 'sa%les' })).toBe(true);
  });

  it('matches the status', () => {
    expect(matchesDeviceFilter(d, { status: 'ONLINE' })).toBe(true);
    expect(matchesDeviceFilter(d, { status: 'BANNED' })).toBe(false);
  });
});
