import { Client, fetchExchange } from '@urql/core';

import { env } from '@/config/env';

/**
 * The client of the logged-out screens (log in, sign up): plain HTTP with no cache and no
 * WebSocket, so those screens load none of the signed-in app's machinery (graphcache,
 * graphql-ws). Signing in swaps in the full client (`createUrqlClient`).
 */
export function createPublicClient(): Client {
  return new Client({
    url: env.graphqlPath,
    preferGetMethod: false,
    requestPolicy: 'network-only',
    exchanges: [fetchExchange],
  });
}
