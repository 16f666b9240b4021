import type { FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextField } from '@/components/ui/field';
import { errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';

import { useLogIn } from '../api/log-in';
import styles from './auth-form.module.css';

export const WRONG_CREDENTIALS_MESSAGE = 'Wrong email or password.';

export function LogInForm() {
  const [{ fetching, error }, logIn] = useLogIn();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    void logIn({
      email: formText(data, 'email').trim(),
      password: formText(data, 'password'),
    });
  };

  return (
    <form className={styles.form} onSubmit={onSubmit}>
      <ErrorMessage message={errorMessage(error, { UNAUTHENTICATED: WRONG_CREDENTIALS_MESSAGE })} />
      <TextField label="Email" name="email" type="email" autoComplete="email" required />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
      />
      <Button type="submit" className={styles.submit} fullWidth busy={fetching}>
        Log in
      </Button>
    </form>
  );
}
