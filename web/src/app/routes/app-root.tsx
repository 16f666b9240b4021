import { Suspense } from 'react';
import { Outlet } from 'react-router';

import { AppFrame } from '@/components/layouts/app-frame';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { useLogOut } from '@/features/auth/api/log-out';
import { useViewer, useViewerUpdates } from '@/features/auth/api/viewer';
import { errorMessage } from '@/lib/errors';

import { navEntries } from '../nav';

export function AppRoot() {
  const [{ data, error }] = useViewer();
  const [{ fetching: loggingOut }, logOut] = useLogOut();
  useViewerUpdates({ pause: !data });

  if (!data) {
    return error ? (
      <main style={{ padding: 32 }}>
        <ErrorMessage message={errorMessage(error)} />
      </main>
    ) : (
      <Spinner />
    );
  }

  return (
    <AppFrame
      navEntries={navEntries}
      userName={data.me.fullName}
      userEmail={data.me.email}
      onLogOut={() => void logOut()}
      loggingOut={loggingOut}
    >
      {/* Each screen is its own chunk: the frame stays while one loads. */}
      <Suspense fallback={<Spinner />}>
        <Outlet />
      </Suspense>
    </AppFrame>
  );
}
