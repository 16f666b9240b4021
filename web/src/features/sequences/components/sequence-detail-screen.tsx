import { useState } from 'react';
import { useNavigate } from 'react-router';

import { Page } from '@/components/layouts/page';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { StepsIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import { editSequencePath, paths } from '@/config/paths';
import { getFragmentData } from '@/gql';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';

import { statusButton, useSequenceCommands } from '../api/commands';
import {
  SequenceContentFragment,
  SequenceProgressFragment,
  SequenceRowFragment,
  useSequence,
  useSequenceProgress,
} from '../api/sequences';
import { delayLabel } from '../utils/delay';
import { ContactsTable } from './contacts-table';
import { DeleteConfirm } from './delete-confirm';
import styles from './sequences.module.css';
import { SequenceStatusBadge } from './status-badge';

export type SequenceDetailScreenProps = { sequenceId: string };

/** One sequence: its controls, live progress overall and per step, and its contacts. */
export function SequenceDetailScreen({ sequenceId }: SequenceDetailScreenProps) {
  const navigate = useNavigate();
  const [{ data, error, fetching }] = useSequence(sequenceId);
  const commands = useSequenceCommands();
  const [deleting, setDeleting] = useState(false);

  const node = data?.sequence ?? null;
  const row = node ? getFragmentData(SequenceRowFragment, node) : null;
  const content = node ? getFragmentData(SequenceContentFragment, node) : null;
  const progress = row ? getFragmentData(SequenceProgressFragment, row.progress) : null;
  const status = progress?.status ?? row?.status ?? 'DRAFT';
  useSequenceProgress(sequenceId, !row || status === 'DRAFT');

  if (!node || !row || !content || !progress) {
    return (
      <Page title="Sequence">
        {error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : fetching || !data ? (
          <Spinner />
        ) : (
          <EmptyState
            icon={<StepsIcon width={26} height={26} />}
            title="Sequence not found"
            action={{ label: 'All sequences', to: paths.sequences }}
          >
            It may have been deleted, or it belongs to another account.
          </EmptyState>
        )}
      </Page>
    );
  }

  const target = { id: row.id, name: row.name };
  const busy = commands.running !== null;
  const toggle = statusButton(status);
  const steps = [...content.steps].sort((a, b) => a.position - b.position);
  const stepProgress = new Map(progress.steps.map((step) => [step.position, step]));
  const confirmDelete = async () => {
    if (await commands.run('delete', target)) {
      setDeleting(false);
      void navigate(paths.sequences);
    }
  };

  const totals: [string, number][] = [
    ['Enrolled', progress.enrolled],
    ['Active', progress.active],
    ['Completed', progress.completed],
    ['Replied', progress.replied],
    ['Opted out', progress.optedOut],
    ['Failed', progress.failed],
    ['Removed', progress.removed],
  ];

  return (
    <Page
      title={row.name}
      description={
        <span className={styles.headline}>
          <SequenceStatusBadge status={status} />
          <span>
            Trigger <code className={styles.code}>{content.trigger}</code> ·{' '}
            {pluralize(steps.length, 'step')} ·{' '}
            {content.stopOnReply ? 'stops on a reply' : 'goes on after a reply'}
            {node.nextSequence ? ` · then ${node.nextSequence.name}` : ''}
          </span>
        </span>
      }
      actions={
        <div className={styles.actions}>
          <Button
            variant={toggle.command === 'pause' ? 'secondary' : 'primary'}
            onClick={() => void commands.run(toggle.command, target)}
            busy={commands.isRunning(toggle.command, row.id)}
            disabled={busy}
          >
            {toggle.label}
          </Button>
          <Button
            variant="secondary"
            onClick={() => void navigate(editSequencePath(row.id))}
            disabled={busy}
          >
            Edit
          </Button>
          <Button variant="ghost" onClick={() => setDeleting(true)} disabled={busy}>
            Delete
          </Button>
        </div>
      }
    >
      {commands.notice ? (
        <div className={styles.notice} role="status">
          <p>{commands.notice}</p>
          <Button variant="ghost" size="small" onClick={commands.dismiss}>
            Dismiss
          </Button>
        </div>
      ) : null}
      {deleting ? null : <ErrorMessage message={commands.error} />}

      <Card title="Progress">
        <div className={styles.progressCard}>
          <dl className={styles.counts} aria-label="Totals">
            {totals.map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value.toLocaleString('en-US')}</dd>
              </div>
            ))}
          </dl>
          <Table label="Progress per step" className={styles.stepTable}>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Waits</th>
                <th scope="col">Waiting</th>
                <th scope="col">Sent</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {steps.map((step) => {
                const counts = stepProgress.get(step.position);
                return (
                  <tr key={step.id} className={styles.stepRow}>
                    <th scope="row" data-label="Step">
                      <div className={styles.stack}>
                        <span>Step {step.position + 1}</span>
                        <span className={styles.stepText}>
                          {step.message || '(No text: the image alone.)'}
                        </span>
                      </div>
                    </th>
                    <td data-label="Waits">{delayLabel(step.delayMinutes)}</td>
                    <td data-label="Waiting">{counts?.waiting ?? 0}</td>
                    <td data-label="Sent">{counts?.sent ?? 0}</td>
                    <td data-label="Failed">{counts?.failed ?? 0}</td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </div>
      </Card>

      <Card
        title="Contacts"
        description="Each contact gets its steps from the device that owns the lead; times are the lead’s own."
      >
        <ContactsTable sequenceId={row.id} stepCount={steps.length} />
      </Card>

      {deleting ? (
        <DeleteConfirm
          name={row.name}
          busy={busy}
          error={commands.error}
          onConfirm={() => void confirmDelete()}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </Page>
  );
}
