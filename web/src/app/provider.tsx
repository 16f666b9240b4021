import { useMemo, type ReactNode } from 'react';
import { Provider as UrqlProvider } from 'urql';

import { clearToken, useToken } from '@/lib/auth-token';
import { createUrqlClient } from '@/lib/urql-client';

/** Provides the GraphQL client; a new one per token so no user ever sees another's cache. */
export function AppProvider({ children }: { children: ReactNode }) {
  const token = useToken();
  // The old client's WebSocket closes by itself once its last subscription has moved to the new
  // client (graphql-ws connects lazily), so nothing is disposed here; that also keeps StrictMode's
  // mount-unmount-mount from disposing a client that is still in use.
  const client = useMemo(
    () => createUrqlClient({ token, onUnauthenticated: clearToken }).client,
    [token],
  );

  return <UrqlProvider value={client}>{children}</UrqlProvider>;
}
