import { CombinedError, type Client } from '@urql/core';
import type { GraphQLError } from 'graphql';
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

/** A client whose every mutation answers with `mutation` and whose queries never answer. */
export function mockClient({ mutation }: { mutation?: MockResult } = {}): Client {
  return {
    executeQuery: () => never,
    executeSubscription: () => never,
    executeMutation: () => fromValue({ ...mutation, stale: false, hasNext: false }),
  } as unknown as Client;
}
