import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextField } from '@/components/ui/field';
import { errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';

import { useChangePassword, useLogOutOtherSessions } from '../api/security';
import styles from './settings.module.css';

/** "1 other session", "3 other sessions". */
export function otherSessions(count: number) {
  return count === 1 ? '1 other session' : `${count} other sessions`;
}

export function SecurityCard() {
  const [changeState, changePassword] = useChangePassword();
  const [logOutState, logOutOthers] = useLogOutOtherSessions();
  const [changed, setChanged] = useState<string | null>(null);
  const [loggedOut, setLoggedOut] = useState<string | null>(null);

  const onChange = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setChanged(null);
    setLoggedOut(null);
    const form = event.currentTarget;
    const data = new FormData(form);
    const result = await changePassword({
      input: {
        currentPassword: formText(data, 'currentPassword'),
        newPassword: formText(data, 'newPassword'),
      },
    });
    if (result.data) {
      const ended = result.data.changePassword;
      setChanged(
        ended > 0 ? `Password changed. ${otherSessions(ended)} logged out.` : 'Password changed.',
      );
      form.reset();
    }
  };

  const onLogOutOthers = async () => {
    setLoggedOut(null);
    setChanged(null);
    const result = await logOutOthers({});
    if (result.data) {
      const ended = result.data.logOutOtherSessions;
      setLoggedOut(
        ended > 0 ? `${otherSessions(ended)} logged out.` : 'There were no other sessions.',
      );
    }
  };

  return (
    <Card
      title="Password and sessions"
      description="Change your password, or end your sessions in other browsers and on other devices."
    >
      <form
        className={styles.form}
        onSubmit={(event) => void onChange(event)}
        onChange={() => setChanged(null)}
      >
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters, hard to guess, not your email."
          minLength={10}
          required
        />
        <div className={styles.formFooter}>
          <Button type="submit" busy={changeState.fetching}>
            Change password
          </Button>
          {changed ? (
            <p className={styles.saved} role="status">
              {changed}
            </p>
          ) : null}
        </div>
        <ErrorMessage className={styles.fullRow} message={errorMessage(changeState.error)} />
      </form>

      <div className={styles.sessions}>
        <p className={styles.sessionsText}>
          Logged in somewhere you no longer use? End every session except this one. API tokens keep
          working.
        </p>
        <div className={styles.formFooter}>
          <Button
            variant="secondary"
            busy={logOutState.fetching}
            onClick={() => void onLogOutOthers()}
          >
            Log out other sessions
          </Button>
          {loggedOut ? (
            <p className={styles.saved} role="status">
              {loggedOut}
            </p>
          ) : null}
        </div>
        <ErrorMessage message={errorMessage(logOutState.error)} />
      </div>
    </Card>
  );
}
