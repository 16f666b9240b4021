import { createBrowserRouter, RouterProvider } from 'react-router';

import { paths } from '@/config/paths';

import { AppRoot } from './routes/app-root';
import { DevicesRoute } from './routes/devices';
import { PublicOnly, RequireAuth } from './routes/guards';
import { HomeRoute } from './routes/home';
import { InboxHomeRoute, InboxRoute } from './routes/inbox';
import { LogInRoute } from './routes/log-in';
import { NotFoundRoute } from './routes/not-found';
import { OutboxRoute } from './routes/outbox';
import { RouteError } from './routes/route-error';
import { SettingsRoute } from './routes/settings';
import { SignUpRoute } from './routes/sign-up';

export function createAppRouter() {
  return createBrowserRouter([
    {
      errorElement: <RouteError />,
      children: [
        {
          element: <PublicOnly />,
          children: [
            { path: paths.login, element: <LogInRoute /> },
            { path: paths.signUp, element: <SignUpRoute /> },
          ],
        },
        {
          element: <RequireAuth />,
          children: [
            {
              element: <AppRoot />,
              children: [
                { index: true, element: <HomeRoute /> },
                { path: paths.devices, element: <DevicesRoute /> },
                { path: paths.outbox, element: <OutboxRoute /> },
                { path: paths.inbox, element: <InboxHomeRoute /> },
                { path: paths.deviceInbox, element: <InboxRoute /> },
                { path: paths.settings, element: <SettingsRoute /> },
              ],
            },
          ],
        },
        { path: '*', element: <NotFoundRoute /> },
      ],
    },
  ]);
}

const router = createAppRouter();

export function AppRouter() {
  return <RouterProvider router={router} />;
}
