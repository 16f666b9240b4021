import type { CombinedError } from '@urql/core';
import { useState } from 'react';

import { errorMessage } from '@/lib/errors';

import type { SequenceStatus } from '../utils/model';
import { useDeleteSequence, useSetSequenceStatus } from './sequences';

/** What a button on a sequence does (editing opens the editor instead). */
export type SequenceCommand = 'activate' | 'pause' | 'resume' | 'delete';

/** The status a command sets; null for delete. */
export function commandStatus(command: SequenceCommand): SequenceStatus | null {
  switch (command) {
    case 'activate':
    case 'resume':
      return 'ACTIVE';
    case 'pause':
      return 'PAUSED';
    case 'delete':
      return null;
  }
}

/** The sentence shown once a command went through. */
export function commandDone(command: SequenceCommand, name: string): string {
  switch (command) {
    case 'activate':
      return `“${name}” is active: leads with its trigger code are enrolled.`;
    case 'pause':
      return `“${name}” is paused: its contacts wait where they are until you resume it.`;
    case 'resume':
      return `“${name}” goes on: steps that came due are sent within their windows.`;
    case 'delete':
      return `“${name}” is deleted.`;
  }
}

/**
 * Runs the commands on sequences, one at a time: which is running, and the last outcome as a
 * sentence (a notice, or the server's reason for refusing).
 */
export function useSequenceCommands() {
  const [, setStatus] = useSetSequenceStatus();
  const [, remove] = useDeleteSequence();
  const [running, setRunning] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (
    command: SequenceCommand,
    target: { id: string; name: string },
  ): Promise<boolean> => {
    setRunning(`${command}:${target.id}`);
    setError(null);
    setNotice(null);
    const status = commandStatus(command);
    let failure: CombinedError | undefined;
    if (status) failure = (await setStatus({ id: target.id, status })).error;
    else failure = (await remove({ id: target.id })).error;
    setRunning(null);
    if (failure) {
      setError(errorMessage(failure));
      return false;
    }
    setNotice(commandDone(command, target.name));
    return true;
  };

  return {
    run,
    running,
    isRunning: (command: SequenceCommand, id: string) => running === `${command}:${id}`,
    notice,
    error,
    dismiss: () => {
      setNotice(null);
      setError(null);
    },
  };
}

/** The command a status button runs for a sequence in `status`. */
export function statusButton(status: SequenceStatus): { command: SequenceCommand; label: string } {
  switch (status) {
    case 'DRAFT':
      return { command: 'activate', label: 'Activate' };
    case 'ACTIVE':
      return { command: 'pause', label: 'Pause' };
    case 'PAUSED':
      return { command: 'resume', label: 'Resume' };
  }
}
