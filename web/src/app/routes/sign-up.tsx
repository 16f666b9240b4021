import { Link } from 'react-router';

import { AuthLayout } from '@/components/layouts/auth-layout';
import { paths } from '@/config/paths';
import { SignUpForm } from '@/features/auth/components/sign-up-form';

export function SignUpRoute() {
  return (
    <AuthLayout
      title="Create your account"
      subtitle="Run all your WhatsApp devices from one dashboard."
      footer={
        <>
          Already have an account? <Link to={paths.login}>Log in</Link>
        </>
      }
    >
      <SignUpForm />
    </AuthLayout>
  );
}
