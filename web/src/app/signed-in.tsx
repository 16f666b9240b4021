import { useMemo } from 'react';
import { Provider as UrqlProvider } from 'urql';

import { clearToken, useToken } from '@/lib/auth-token';
import { createUrqlClient } from '@/lib/urql-client';

import { AppRoot } from './routes/app-root';

/**
 * Everything behind the login, loaded as one chunk after logging in: the live GraphQL client
 * (normalised cache, subscriptions) and the app frame. A new client per token, so no user ever
 * sees another's cache.
 */
export function SignedIn() {
  const token = useToken();
  // The old client's WebSocket closes by itself once its last subscription has moved to the new
  // client (graphql-ws connects lazily), so nothing is disposed here; that also keeps StrictMode's
  // mount-unmount-mount from disposing a client that is still in use.
  const client = useMemo(
    () => createUrqlClient({ token, onUnauthenticated: clearToken }).client,
    [token],
  );
  return (
    <UrqlProvider value={client}>
      <AppRoot />
    </UrqlProvider>
  );
}
