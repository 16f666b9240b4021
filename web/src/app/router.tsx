import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { createBrowserRouter, Outlet, RouterProvider } from 'react-router';

import { Spinner } from '@/components/ui/spinner';
import { paths } from '@/config/paths';

import { PublicOnly, RequireAuth } from './routes/guards';
import { NotFoundRoute } from './routes/not-found';
import { RouteError } from './routes/route-error';

/**
 * A screen loaded when it is first shown: each is its own chunk, so the log-in screen downloads
 * neither the signed-in app (graphcache, subscriptions) nor any other screen (the QR library
 * comes with Devices).
 */
function screen<M>(load: () => Promise<M>, pick: (module: M) => ComponentType): ReactNode {
  const Screen = lazy(() => load().then((module) => ({ default: pick(module) })));
  return <Screen />;
}

export function createAppRouter() {
  return createBrowserRouter([
    {
      errorElement: <RouteError />,
      element: (
        <Suspense fallback={<Spinner />}>
          <Outlet />
        </Suspense>
      ),
      children: [
        {
          element: <PublicOnly />,
          children: [
            {
              path: paths.login,
              element: screen(
                () => import('./routes/log-in'),
                (m) => m.LogInRoute,
              ),
            },
            {
              path: paths.signUp,
              element: screen(
                () => import('./routes/sign-up'),
                (m) => m.SignUpRoute,
              ),
            },
          ],
        },
        {
          element: <RequireAuth />,
          children: [
            {
              element: screen(
                () => import('./signed-in'),
                (m) => m.SignedIn,
              ),
              children: [
                {
                  index: true,
                  element: screen(
                    () => import('./routes/home'),
                    (m) => m.HomeRoute,
                  ),
                },
                {
                  path: paths.devices,
                  element: screen(
                    () => import('./routes/devices'),
                    (m) => m.DevicesRoute,
                  ),
                },
                {
                  path: paths.outbox,
                  element: screen(
                    () => import('./routes/outbox'),
                    (m) => m.OutboxRoute,
                  ),
                },
                {
                  path: paths.inbox,
                  element: screen(
                    () => import('./routes/inbox'),
                    (m) => m.InboxHomeRoute,
                  ),
                },
                {
                  path: paths.deviceInbox,
                  element: screen(
                    () => import('./routes/inbox'),
                    (m) => m.InboxRoute,
                  ),
                },
                {
                  path: paths.waiting,
                  element: screen(
                    () => import('./routes/inbox'),
                    (m) => m.WaitingRoute,
                  ),
                },
                {
                  path: paths.leads,
                  element: screen(
                    () => import('./routes/audience'),
                    (m) => m.LeadsRoute,
                  ),
                },
                {
                  path: paths.aiLeads,
                  element: screen(
                    () => import('./routes/audience'),
                    (m) => m.AiLeadsRoute,
                  ),
                },
                {
                  path: paths.optOuts,
                  element: screen(
                    () => import('./routes/audience'),
                    (m) => m.OptOutsRoute,
                  ),
                },
                {
                  path: paths.campaigns,
                  element: screen(
                    () => import('./routes/campaigns'),
                    (m) => m.CampaignsRoute,
                  ),
                },
                {
                  path: paths.campaign,
                  element: screen(
                    () => import('./routes/campaigns'),
                    (m) => m.CampaignRoute,
                  ),
                },
                {
                  path: paths.sequences,
                  element: screen(
                    () => import('./routes/sequences'),
                    (m) => m.SequencesRoute,
                  ),
                },
                {
                  path: paths.newSequence,
                  element: screen(
                    () => import('./routes/sequences'),
                    (m) => m.NewSequenceRoute,
                  ),
                },
                {
                  path: paths.sequence,
                  element: screen(
                    () => import('./routes/sequences'),
                    (m) => m.SequenceRoute,
                  ),
                },
                {
                  path: paths.editSequence,
                  element: screen(
                    () => import('./routes/sequences'),
                    (m) => m.EditSequenceRoute,
                  ),
                },
                {
                  path: paths.settings,
                  element: screen(
                    () => import('./routes/settings'),
                    (m) => m.SettingsRoute,
                  ),
                },
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
