import { useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { Page } from '@/components/layouts/page';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { PlusIcon, StepsIcon } from '@/components/ui/icons';
import { MenuButton, type MenuItem } from '@/components/ui/menu';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import { editSequencePath, paths, sequencePath } from '@/config/paths';
import { getFragmentData } from '@/gql';
import type { SequencesQuery } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';

import { statusButton, useSequenceCommands, type SequenceCommand } from '../api/commands';
import {
  SequenceProgressFragment,
  SequenceRowFragment,
  useSequenceProgress,
  useSequences,
} from '../api/sequences';
import { DeleteConfirm } from './delete-confirm';
import styles from './sequences.module.css';
import { SequenceStatusBadge } from './status-badge';

type Node = SequencesQuery['sequences'][number];
type Target = { id: string; name: string };

/** The drip sequences: a list with live progress and their controls. */
export function SequencesScreen() {
  const navigate = useNavigate();
  const [{ data, error }] = useSequences();
  const commands = useSequenceCommands();
  const [deleting, setDeleting] = useState<Target | null>(null);
  const sequences = data?.sequences;
  const names = new Map(
    (sequences ?? []).map((node) => {
      const row = getFragmentData(SequenceRowFragment, node);
      return [row.id, row.name] as const;
    }),
  );

  const onCommand = (command: SequenceCommand, target: Target) => {
    if (command === 'delete') setDeleting(target);
    else void commands.run(command, target);
  };
  const confirmDelete = async () => {
    if (!deleting) return;
    if (await commands.run('delete', deleting)) setDeleting(null);
  };

  return (
    <Page
      title="Sequences"
      description="Drip messages: a lead with the trigger code gets each step in turn, from its own device."
      actions={
        <Button onClick={() => void navigate(paths.newSequence)}>
          <PlusIcon width={18} height={18} />
          New sequence
        </Button>
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

      {!sequences ? (
        error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : (
          <Spinner />
        )
      ) : sequences.length === 0 ? (
        <EmptyState
          icon={<StepsIcon width={26} height={26} />}
          title="No sequences yet"
          action={{ label: 'New sequence', to: paths.newSequence }}
        >
          A sequence sends a few messages over days to each lead whose trigger code it names, and
          stops when the lead replies so that a person takes over.
        </EmptyState>
      ) : (
        <div className={styles.results}>
          <Table label="Sequences" className={styles.table}>
            <thead>
              <tr>
                <th scope="col">Sequence</th>
                <th scope="col">Status</th>
                <th scope="col">Steps</th>
                <th scope="col">Progress</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sequences.map((node) => (
                <SequenceRow
                  key={node.id}
                  node={node}
                  nextName={names}
                  busy={commands.running}
                  onCommand={onCommand}
                />
              ))}
            </tbody>
          </Table>
        </div>
      )}

      {deleting ? (
        <DeleteConfirm
          name={deleting.name}
          busy={commands.running !== null}
          error={commands.error}
          onConfirm={() => void confirmDelete()}
          onClose={() => setDeleting(null)}
        />
      ) : null}
    </Page>
  );
}

type RowProps = {
  node: Node;
  nextName: ReadonlyMap<string, string>;
  busy: string | null;
  onCommand: (command: SequenceCommand, target: Target) => void;
};

function SequenceRow({ node, nextName, busy, onCommand }: RowProps) {
  const navigate = useNavigate();
  const sequence = getFragmentData(SequenceRowFragment, node);
  const progress = getFragmentData(SequenceProgressFragment, sequence.progress);
  // The progress carries the newest status; the sequence's may lag behind it for a moment.
  const status = progress.status;
  useSequenceProgress(sequence.id, status === 'DRAFT');
  const target = { id: sequence.id, name: sequence.name };
  const working = busy !== null && busy.split(':')[1] === sequence.id;
  const toggle = statusButton(status);
  const next = sequence.nextSequenceId ? nextName.get(sequence.nextSequenceId) : undefined;
  const items: MenuItem[] = [
    { label: toggle.label, onSelect: () => onCommand(toggle.command, target), disabled: working },
    { label: 'Edit', onSelect: () => void navigate(editSequencePath(sequence.id)) },
    {
      label: 'Delete',
      onSelect: () => onCommand('delete', target),
      variant: 'danger',
      disabled: working,
    },
  ];

  return (
    <tr className={styles.row}>
      <td className={styles.titleCell} data-label="Sequence">
        <div className={styles.stack}>
          <Link className={styles.title} to={sequencePath(sequence.id)}>
            {sequence.name}
          </Link>
          <span className={styles.muted}>
            Trigger <code className={styles.code}>{sequence.trigger}</code>
            {next ? ` · then ${next}` : ''}
          </span>
        </div>
      </td>
      <td className={styles.statusCell} data-label="Status">
        <SequenceStatusBadge status={status} />
      </td>
      <td className={styles.stepsCell} data-label="Steps">
        {pluralize(sequence.steps.length, 'step')}
      </td>
      <td className={styles.progressCell} data-label="Progress">
        <span className={styles.summary}>
          {progress.active.toLocaleString('en-US')} active ·{' '}
          {progress.completed.toLocaleString('en-US')} completed ·{' '}
          {progress.replied.toLocaleString('en-US')} replied
        </span>
      </td>
      <td className={styles.actionsCell}>
        <MenuButton label={`Actions for ${sequence.name}`} items={items} />
      </td>
    </tr>
  );
}
