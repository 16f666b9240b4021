import {
  Client,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
  type ExecutionResult,
} from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { createClient as createWsClient } from 'graphql-ws';

import { env } from '@/config/env';

import { batchExchange } from './batch-exchange';
import { hasErrorCode } from './errors';
import { isOutboxEventsOperation, latestOutboxEvents } from './outbox-cache';
import { notifyReconnected } from './realtime';
import { cacheOptions } from './urql-cache';

export type UrqlClientOptions = {
  /** The session or API token sent with every request, if logged in. */
  token: string | null;
  /** Called when the server says the token is no longer valid. */
  onUnauthenticated: () => void;
};

export type UrqlClient = {
  client: Client;
  dispose: () => void;
};

type Sink<V> = { next: (value: V) => void; error: (error: unknown) => void; complete: () => void };
type WithErrors = { errors?: readonly unknown[] };

function fellBehind(error: unknown): boolean {
  const extensions = (error as { extensions?: { code?: unknown } } | null)?.extensions;
  return extensions?.code === 'CONFLICT';
}

/**
 * Follows a subscription and, when the server ends it because it fell behind the live updates
 * (an error with code CONFLICT), subscribes again and tells live screens to reload what they
 * show: the missed events are gone, the state is not.
 */
export function resubscribingOnLag<V extends WithErrors>(
  start: (observer: Sink<V>) => () => void,
  sink: Sink<V>,
): { unsubscribe: () => void } {
  let stop: () => void = () => undefined;
  let stopped = false;
  const run = () => {
    let lagged = false;
    stop = start({
      next(value) {
        if (value.errors?.some(fellBehind)) {
          lagged = true;
          return;
        }
        sink.next(value);
      },
      error: (error) => sink.error(error),
      complete() {
        if (lagged && !stopped) {
          notifyReconnected();
          run();
        } else {
          sink.complete();
        }
      },
    });
  };
  run();
  return {
    unsubscribe() {
      stopped = true;
      stop();
    },
  };
}

/**
 * Sent with every HTTP request. The server takes uploads (multipart) only with it: a custom
 * header needs a CORS preflight, which no other site's page gets, so no foreign form can post.
 */
export const PREFLIGHT_HEADER = { 'x-wafleet-csrf': '1' } as const;

/** The server closes a socket with this code when its token is revoked, logged out or expired. */
export const TOKEN_ENDED_CLOSE_CODE = 4403;

function isCloseEvent(event: unknown): event is { code: number } {
  return typeof event === 'object' && event !== null && 'code' in event;
}

export function websocketUrl(location: Pick<Location, 'protocol' | 'host'> = window.location) {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}${env.graphqlWsPath}`;
}

/**
 * The app's one GraphQL client: HTTP for queries and mutations, graphql-ws for subscriptions.
 * A new client is made for each token so that nothing cached for one user is shown to another.
 */
export function createUrqlClient({ token, onUnauthenticated }: UrqlClientOptions): UrqlClient {
  const authorization = token ? `Bearer ${token}` : null;

  const wsClient = createWsClient({
    url: websocketUrl(),
    lazy: true,
    retryAttempts: 5,
    connectionParams: () => (authorization ? { authorization } : {}),
    on: {
      connected: (_socket, _payload, wasRetry) => {
        if (wasRetry) notifyReconnected();
      },
      closed: (event) => {
        if (isCloseEvent(event) && event.code === TOKEN_ENDED_CLOSE_CODE) onUnauthenticated();
      },
    },
  });

  const client = new Client({
    url: env.graphqlPath,
    preferGetMethod: false,
    fetchOptions: () => ({
      headers: authorization ? { ...PREFLIGHT_HEADER, authorization } : { ...PREFLIGHT_HEADER },
    }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (hasErrorCode(error, 'UNAUTHENTICATED')) onUnauthenticated();
        },
      }),
      cacheExchange(cacheOptions),
      // Outbox events come by the hundred a second during a campaign: a few batches a second
      // reach the cache, each with the newest state of every row it touches.
      batchExchange({ batches: isOutboxEventsOperation, merge: latestOutboxEvents }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              return resubscribingOnLag<ExecutionResult>(
                (observer) => wsClient.subscribe(input, observer),
                sink,
              );
            },
          };
        },
      }),
    ],
  });

  const dispose = () => {
    // dispose() waits for a pending connection and rejects when that connection failed
    // (say, the server refused the token); there is nothing left to clean up then.
    Promise.resolve(wsClient.dispose()).catch(() => undefined);
  };

  return { client, dispose };
}
