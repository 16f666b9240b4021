import { gql } from '@urql/core';
import { describe, expect, it, vi } from 'vitest';

import { createUrqlClient, resubscribingOnLag, websocketUrl } from './urql-client';

const MeQuery = gql`
  query Me {
    me {
      id
    }
  }
`;

function answer(body: unknown) {
  return vi.fn<typeof fetch>(() =>
    Promise.resolve(
      new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
    ),
  );
}

describe('createUrqlClient', () => {
  it('sends the token as a bearer token', async () => {
    const fetchMock = answer({ data: { me: { __typename: 'User', id: '1' } } });
    vi.stubGlobal('fetch', fetchMock);
    const { client, dispose } = createUrqlClient({ token: 'tok', onUnauthenticated: vi.fn() });

    await client.query(MeQuery, {}).toPromise();

    const init = fetchMock.mock.calls[0]?.[1];
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer tok');
    dispose();
  });

  it('sends the preflight header the server wants for uploads, with or without a token', async () => {
    const fetchMock = answer({ data: { me: { __typename: 'User', id: '1' } } });
    vi.stubGlobal('fetch', fetchMock);
    const { client, dispose } = createUrqlClient({ token: null, onUnauthenticated: vi.fn() });

    await client.query(MeQuery, {}).toPromise();

    const headers = new Headers(fetchMock.mock.calls[0]?.[1]?.headers);
    expect(headers.get('x-wafleet-csrf')).toBe('1');
    expect(headers.get('authorization')).toBeNull();
    dispose();
  });

  it('reports an UNAUTHENTICATED answer so the token can be dropped', async () => {
    vi.stubGlobal(
      'fetch',
      answer({
        data: null,
        errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }],
      }),
    );
    const onUnauthenticated = vi.fn();
    const { client, dispose } = createUrqlClient({ token: 'old', onUnauthenticated });

    const result = await client.query(MeQuery, {}).toPromise();

    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    dispose();
  });

  it('leaves other errors to the screen', async () => {
    vi.stubGlobal(
      'fetch',
      answer({ data: null, errors: [{ message: 'nope', extensions: { code: 'FORBIDDEN' } }] }),
    );
    const onUnauthenticated = vi.fn();
    const { client, dispose } = createUrqlClient({ token: 'tok', onUnauthenticated });

    await client.query(MeQuery, {}).toPromise();

    expect(onUnauthenticated).not.toHaveBeenCalled();
    dispose();
  });
});

describe('websocketUrl', () => {
  it('follows the page protocol and host', () => {
    expect(websocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe(
      'ws://127.0.0.1:8080/graphql/ws',
    );
    expect(websocketUrl({ protocol: 'https:', host: 'fleet.example.com' })).toBe(
      'wss://fleet.example.com/graphql/ws',
    );
  });
});

describe('resubscribingOnLag', () => {
  it('subscribes again when the server ends a subscription that fell behind', () => {
    const starts: { next: (v: { errors?: readonly unknown[] }) => void; complete: () => void }[] =
      [];
    const sink = { next: vi.fn(), error: vi.fn(), complete: vi.fn() };
    const { unsubscribe } = resubscribingOnLag((observer) => {
      starts.push(observer);
      return () => undefined;
    }, sink);
    starts[0]!.next({});
    starts[0]!.next({ errors: [{ message: 'behind', extensions: { code: 'CONFLICT' } }] });
    starts[0]!.complete();
    expect(starts).toHaveLength(2);
    expect(sink.next).toHaveBeenCalledTimes(1);
    expect(sink.complete).not.toHaveBeenCalled();
    starts[1]!.complete();
    expect(sink.complete).toHaveBeenCalledTimes(1);
    unsubscribe();
  });
});
