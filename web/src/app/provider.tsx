import { useState, type ReactNode } from 'react';
import { Provider as UrqlProvider } from 'urql';

import { createPublicClient } from '@/lib/public-client';

/**
 * Provides the logged-out screens' GraphQL client. The signed-in part of the app brings its own
 * (`signed-in.tsx`), loaded only once someone is logged in.
 */
export function AppProvider({ children }: { children: ReactNode }) {
  const [client] = useState(createPublicClient);
  return <UrqlProvider value={client}>{children}</UrqlProvider>;
}
