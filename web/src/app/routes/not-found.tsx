import { Link } from 'react-router';

import { AuthLayout } from '@/components/layouts/auth-layout';
import { paths } from '@/config/paths';

export function NotFoundRoute() {
  return (
    <AuthLayout title="Page not found" subtitle="There is nothing at this address.">
      <Link to={paths.home}>Go to the dashboard</Link>
    </AuthLayout>
  );
}
