import { CombinedError, type Client } from '@urql/core';
import type { GraphQLError } from 'graphql';
import { vi } from 'vitest';
import { fromValue, never } from 'wonka';

/** A GraphQL error as the server sends it. */
export function gqlError(code: string, message = 'Server message.'): CombinedError {
  const error: Partial<GraphQLError> = { message, extensions: { code } };
  return new CombinedError({ graphQLErrors: [error] });
}

export function networkError(): CombinedError {
  return new CombinedError({ networkError: new Error('Failed to fetch') });
}

type MockResult = { data?: unknown; error?: CombinedError };

export type MockClientOptions = {
  /** What every query answers; queries never answer when left out. */
  query?: MockResult;
  /** What every mutation answers (or a function of the variables). */
  mutation?: MockResult | ((variables: Record<string, unknown>) => MockResult);
};

/** A client with canned answers; its subscriptions never send anything. */
export function mockClient({ query, mutation }: MockClientOptions = {}) {
  /** Every mutation sent, with its request (`variables`). */
  const mutations = vi.fn((request: { variables?: Record<string, unknown> }) => {
    const answer = typeof mutation === 'function' ? mutation(request.variables ?? {}) : mutation;
    return fromValue({ ...answer, stale: false, hasNext: false });
  });
  const client = {
    executeQuery: () => (query ? fromValue({ ...query, stale: false, hasNext: false }) : never),
    executeSubscription: () => never,
    executeMutation: mutations,
  } as unknown as Client;
  return Object.assign(client, { mutations });
}
