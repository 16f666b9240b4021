import { Navigate, Outlet, useLocation } from 'react-router';

import { paths } from '@/config/paths';
import { useToken } from '@/lib/auth-token';

type FromState = { from?: { pathname?: string; search?: string } } | null;

/** Screens for logged-in users; everyone else goes to the login screen. */
export function RequireAuth() {
  const token = useToken();
  const location = useLocation();
  if (!token) return <Navigate to={paths.login} replace state={{ from: location }} />;
  return <Outlet />;
}

/** The login and sign-up screens; a logged-in user goes back where they were headed, or home. */
export function PublicOnly() {
  const token = useToken();
  const location = useLocation();
  if (token) {
    const from = (location.state as FromState)?.from;
    const target = from?.pathname ? `${from.pathname}${from.search ?? ''}` : paths.home;
    return <Navigate to={target} replace />;
  }
  return <Outlet />;
}
