import type { CombinedError } from '@urql/core';
import { useState } from 'react';

import { errorMessage } from '@/lib/errors';

import {
  useCancelCampaign,
  useDeleteCampaign,
  usePauseCampaign,
  useResumeCampaign,
  useRetryFailed,
} from './campaigns';

/** What a button on a campaign does (editing and cloning open the dialog instead). */
export type CampaignCommand = 'start' | 'pause' | 'resume' | 'cancel' | 'delete' | 'retry';

/** The sentence shown once a command went through. */
export function commandDone(command: CampaignCommand, title: string, retried = 0): string {
  switch (command) {
    case 'start':
      return `“${title}” starts now.`;
    case 'pause':
      return `“${title}” is paused: nothing more goes out until you resume it.`;
    case 'resume':
      return `“${title}” goes on sending.`;
    case 'cancel':
      return `“${title}” is cancelled: its unsent messages will not go out.`;
    case 'delete':
      return `“${title}” is deleted.`;
    case 'retry':
      return retried === 0
        ? 'No failed messages to send again.'
        : `${retried.toLocaleString('en-US')} failed ${retried === 1 ? 'message goes' : 'messages go'} out again.`;
  }
}

export type CommandTarget = { id: string; title: string; deviceId?: string | null };

/**
 * Runs the commands on campaigns, one at a time: which is running, and the last outcome as a
 * sentence (a notice, or the server's reason for refusing).
 */
export function useCampaignCommands() {
  const [, pause] = usePauseCampaign();
  const [, resume] = useResumeCampaign();
  const [, cancel] = useCancelCampaign();
  const [, remove] = useDeleteCampaign();
  const [, retry] = useRetryFailed();
  const [running, setRunning] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (command: CampaignCommand, target: CommandTarget): Promise<boolean> => {
    const key = `${command}:${target.id}:${target.deviceId ?? ''}`;
    setRunning(key);
    setError(null);
    setNotice(null);
    let failure: CombinedError | undefined;
    let retried = 0;
    const id = target.id;
    switch (command) {
      case 'pause':
        failure = (await pause({ id })).error;
        break;
      // A copy waiting for a time starts the way a paused campaign resumes.
      case 'start':
      case 'resume':
        failure = (await resume({ id })).error;
        break;
      case 'cancel':
        failure = (await cancel({ id })).error;
        break;
      case 'delete':
        failure = (await remove({ id })).error;
        break;
      case 'retry': {
        const result = await retry({ campaignId: id, deviceId: target.deviceId ?? null });
        failure = result.error;
        retried = result.data?.retryFailed ?? 0;
        break;
      }
    }
    setRunning(null);
    if (failure) {
      setError(errorMessage(failure));
      return false;
    }
    setNotice(commandDone(command, target.title, retried));
    return true;
  };

  return {
    run,
    /** `command:campaignId:deviceId` of the command on its way, if any. */
    running,
    isRunning: (command: CampaignCommand, id: string, deviceId?: string | null) =>
      running === `${command}:${id}:${deviceId ?? ''}`,
    notice,
    error,
    dismiss: () => {
      setNotice(null);
      setError(null);
    },
  };
}
