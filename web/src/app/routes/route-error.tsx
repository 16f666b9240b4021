import { isRouteErrorResponse, useRouteError } from 'react-router';

import { AuthLayout } from '@/components/layouts/auth-layout';
import { Button } from '@/components/ui/button';
import { INTERNAL_ERROR_MESSAGE } from '@/lib/errors';

export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : INTERNAL_ERROR_MESSAGE;
  return (
    <AuthLayout title="Something went wrong" subtitle={message}>
      <Button onClick={() => window.location.reload()}>Reload the page</Button>
    </AuthLayout>
  );
}
