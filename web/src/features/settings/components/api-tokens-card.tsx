import { useCallback, useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextField } from '@/components/ui/field';
import { Table } from '@/components/ui/table';
import { getFragmentData, type FragmentType } from '@/gql';
import { env } from '@/config/env';
import { errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';
import { formatDateTime } from '@/lib/format';

import { ApiTokenItemFragment, useCreateApiToken, useRevokeApiToken } from '../api/api-tokens';
import { NewTokenNotice } from './new-token-notice';
import styles from './settings.module.css';

export type ApiTokensCardProps = {
  tokens: readonly FragmentType<typeof ApiTokenItemFragment>[];
  timeZone: string;
};

type Target = { id: string; name: string };

export function ApiTokensCard(props: ApiTokensCardProps) {
  const tokens = getFragmentData(ApiTokenItemFragment, props.tokens);
  const [createState, createApiToken] = useCreateApiToken();
  const [revokeState, revokeApiToken] = useRevokeApiToken();
  const [created, setCreated] = useState<{ id: string; name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<Target | null>(null);

  const onCreate = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = formText(new FormData(form), 'name').trim();
    const result = await createApiToken({ name });
    if (result.data) {
      const { token, apiToken } = result.data.createApiToken;
      const item = getFragmentData(ApiTokenItemFragment, apiToken);
      setCreated({ id: item.id, name: item.name, token });
      form.reset();
    }
  };

  const onConfirmRevoke = async () => {
    if (!revoking) return;
    const result = await revokeApiToken({ id: revoking.id });
    if (result.error) return;
    // A revoked token is of no use: its "copy it now" panel goes with it.
    if (created?.id === revoking.id) setCreated(null);
    setRevoking(null);
  };

  const cancelRevoke = useCallback(() => setRevoking(null), []);

  return (
    <Card
      title="API tokens"
      description="Tokens let scripts and other apps use the wafleet GraphQL API as you."
    >
      {created ? (
        <NewTokenNotice name={created.name} token={created.token} onDone={() => setCreated(null)} />
      ) : null}

      <form className={styles.createRow} onSubmit={(event) => void onCreate(event)}>
        <TextField label="Token name" name="name" placeholder="e.g. CRM sync" required />
        <Button type="submit" busy={createState.fetching}>
          Create token
        </Button>
      </form>
      <ErrorMessage message={errorMessage(createState.error)} />
      <TokenUsage />

      {tokens.length === 0 ? (
        <p className={styles.empty}>No API tokens yet.</p>
      ) : (
        <Table label="API tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td className={styles.tokenName}>{token.name}</td>
                <td>{formatDateTime(token.createdAt, props.timeZone)}</td>
                <td className={token.lastUsedAt ? undefined : styles.muted}>
                  {token.lastUsedAt ? formatDateTime(token.lastUsedAt, props.timeZone) : 'Never'}
                </td>
                <td>
                  <Button
                    variant="secondary"
                    size="small"
                    onClick={() => setRevoking({ id: token.id, name: token.name })}
                  >
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        variant="danger"
        busy={revokeState.fetching}
        onConfirm={() => void onConfirmRevoke()}
        onCancel={cancelRevoke}
      >
        <p>Scripts and apps using this token stop working at once. This cannot be undone.</p>
        <ErrorMessage message={errorMessage(revokeState.error)} />
      </ConfirmDialog>
    </Card>
  );
}

/** How a script uses a token: the header, the endpoint, where the schema is. */
function TokenUsage() {
  const endpoint = `${window.location.origin}${env.graphqlPath}`;
  return (
    <details className={styles.usage}>
      <summary>How to use a token</summary>
      <p>
        Send it in the <code>Authorization: Bearer &lt;token&gt;</code> header of a GraphQL request
        (a <code>POST</code> with a JSON body) to <code>{endpoint}</code>. Subscriptions go over
        graphql-ws at <code>{env.graphqlWsPath}</code>, with{' '}
        <code>{'{"authorization": "Bearer <token>"}'}</code> as the connection payload.
      </p>
      <pre className={styles.example} tabIndex={0} aria-label="Example request with curl">
        {`curl ${endpoint} \\
  -H 'Authorization: Bearer <token>' \\
  -H 'Content-Type: application/json' \\
  -d '{"query": "{ me { email } }"}'`}
      </pre>
      <p>
        Every query, mutation and field is described in the schema: open{' '}
        <a href={env.graphqlPath} target="_blank" rel="noopener noreferrer">
          GraphiQL at {env.graphqlPath}
        </a>{' '}
        and its documentation explorer, or read <code>schema.graphql</code> in the repository.
      </p>
    </details>
  );
}
