import type { FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextField } from '@/components/ui/field';
import { env } from '@/config/env';
import { errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';

import { useReadableCountries, useSignUp } from '../api/sign-up';
import { browserTimeZone, countryOfTimeZone } from '../utils/browser-defaults';
import styles from './auth-form.module.css';

export function SignUpForm() {
  const [{ fetching, error }, signUp] = useSignUp();
  const readableCountries = useReadableCountries();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    // Times show in the browser's zone from the start, and national numbers (012-345 6789) are
    // read in its country; both can be changed in Settings.
    const timeZone = browserTimeZone();
    void signUp({
      email: formText(data, 'email').trim(),
      fullName: formText(data, 'fullName').trim(),
      password: formText(data, 'password'),
      timeZone,
      defaultCountry: countryOfTimeZone(timeZone, readableCountries),
    });
  };

  return (
    <form className={styles.form} onSubmit={onSubmit}>
      <ErrorMessage message={errorMessage(error)} />
      <TextField label="Email" name="email" type="email" autoComplete="email" required />
      <TextField label="Full name" name="fullName" autoComplete="name" required />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        minLength={env.passwordMinLength}
        hint={`At least ${env.passwordMinLength} characters.`}
        required
      />
      <Button type="submit" className={styles.submit} fullWidth busy={fetching}>
        Create account
      </Button>
    </form>
  );
}
