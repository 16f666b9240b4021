import { useState } from 'react';

import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { errorMessage } from '@/lib/errors';

import { useOptOutChat } from '../api/opt-out';
import styles from './inbox.module.css';

/** "Opt out" in the chat header: no device sends to the chat's phone again. */
export function OptOutButton({ phone, contactName }: { phone: string; contactName: string }) {
  const [{ fetching, error }, optOut] = useOptOutChat();
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState(false);
  if (done) {
    return (
      <span className={styles.optedOut} role="status">
        Opted out
      </span>
    );
  }
  return (
    <>
      <Button
        variant="ghost"
        size="small"
        className={styles.optOut}
        onClick={() => setAsking(true)}
      >
        Opt out
      </Button>
      <ConfirmDialog
        open={asking}
        title={`Opt out ${contactName}?`}
        confirmLabel="Opt out"
        variant="danger"
        busy={fetching}
        onConfirm={() =>
          void optOut({ phone, reason: 'Opted out from the inbox' }).then((result) => {
            if (result.data) {
              setAsking(false);
              setDone(true);
            }
          })
        }
        onCancel={() => setAsking(false)}
      >
        <p>
          Campaigns and sequences skip {phone} from now on, on every device. Replies you write here
          still go out. Remove it under Opt-outs to undo.
        </p>
        <ErrorMessage message={errorMessage(error)} />
      </ConfirmDialog>
    </>
  );
}
