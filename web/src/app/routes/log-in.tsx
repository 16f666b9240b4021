import { Link } from 'react-router';

import { AuthLayout } from '@/components/layouts/auth-layout';
import { paths } from '@/config/paths';
import { LogInForm } from '@/features/auth/components/log-in-form';

export function LogInRoute() {
  return (
    <AuthLayout
      title="Log in"
      subtitle="Welcome back. Log in to manage your WhatsApp fleet."
      footer={
        <>
          New to wafleet? <Link to={paths.signUp}>Create an account</Link>
        </>
      }
    >
      <LogInForm />
    </AuthLayout>
  );
}
