import { useState } from 'react';
import { useNavigate } from 'react-router';

import { Page } from '@/components/layouts/page';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { MegaphoneIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import { campaignPath, paths } from '@/config/paths';
import { getFragmentData } from '@/gql';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';

import {
  CampaignContentFragment,
  CampaignCountsFragment,
  CampaignProgressFragment,
  CampaignRowFragment,
  useCampaign,
  useCampaignProgress,
} from '../api/campaigns';
import { useCampaignCommands, type CampaignCommand } from '../api/commands';
import { downloadRecipientsCsv } from '../api/export';
import type { CampaignCounts } from '../utils/model';
import { campaignActions, percent, statusReasonHeading } from '../utils/status';
import { campaignTiming, isLive, waitsForStart } from '../utils/timing';
import type { DialogMode } from '../utils/form';
import { AiDevicesCard, RedealLogCard } from './ai-campaign-sections';
import { CampaignDialog } from './campaign-dialog';
import styles from './campaigns.module.css';
import { CommandConfirm, type ConfirmedCommand } from './command-confirm';
import { CampaignProgressBar } from './progress-bar';
import { AiTag } from './kind-tag';
import { CampaignStatusBadge } from './status-badge';

export type CampaignDetailScreenProps = { campaignId: string; timeZone: string };

/** One campaign: its live progress overall and per device, the failures, and its controls. */
export function CampaignDetailScreen({ campaignId, timeZone }: CampaignDetailScreenProps) {
  const navigate = useNavigate();
  const [{ data, error, fetching }] = useCampaign(campaignId);
  const commands = useCampaignCommands();
  const [dialog, setDialog] = useState<DialogMode | null>(null);
  const [confirming, setConfirming] = useState<ConfirmedCommand | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const node = data?.campaign ?? null;
  const campaign = node ? getFragmentData(CampaignRowFragment, node) : null;
  const content = node ? getFragmentData(CampaignContentFragment, node) : null;
  const progress = campaign ? getFragmentData(CampaignProgressFragment, campaign.progress) : null;
  const status = progress?.status ?? campaign?.status ?? 'SCHEDULED';
  useCampaignProgress(campaignId, !campaign || !isLive(status));

  if (!node || !campaign || !content || !progress) {
    return (
      <Page title="Campaign">
        {error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : fetching || !data ? (
          <Spinner />
        ) : (
          <EmptyState
            icon={<MegaphoneIcon width={26} height={26} />}
            title="Campaign not found"
            action={{ label: 'All campaigns', to: paths.campaigns }}
          >
            It may have been deleted, or it belongs to another account.
          </EmptyState>
        )}
      </Page>
    );
  }

  const totals = getFragmentData(CampaignCountsFragment, progress.totals);
  const report = node.report;
  const pausedReason = progress.pausedReason ?? campaign.pausedReason;
  const reasonHeading = pausedReason ? statusReasonHeading(status) : null;
  const ai = content.kind === 'AI';
  const allowed = campaignActions(status);
  const target = { id: campaign.id, title: campaign.title };
  const busy = commands.running !== null;

  const run = (command: CampaignCommand, deviceId?: string) =>
    void commands.run(command, { ...target, deviceId });
  const confirm = async () => {
    if (!confirming) return;
    const done = await commands.run(confirming, target);
    if (!done) return;
    setConfirming(null);
    if (confirming === 'delete') void navigate(paths.campaigns);
  };
  const onExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      await downloadRecipientsCsv(campaign.id, campaign.title);
    } catch (failure) {
      setExportError(failure instanceof Error ? failure.message : 'The export failed.');
    } finally {
      setExporting(false);
    }
  };

  return (
    <Page
      title={campaign.title}
      description={
        <span className={styles.headline}>
          <CampaignStatusBadge status={status} />
          {ai ? <AiTag /> : null}
          <span>{campaignTiming({ ...campaign, status }, timeZone)}</span>
        </span>
      }
      actions={
        <div className={styles.actions}>
          {waitsForStart({ status, scheduledAt: campaign.scheduledAt }) ? (
            <Button
              onClick={() => run('start')}
              busy={commands.isRunning('start', campaign.id)}
              disabled={busy}
            >
              Start now
            </Button>
          ) : null}
          {allowed.pause ? (
            <Button
              variant="secondary"
              onClick={() => run('pause')}
              busy={commands.isRunning('pause', campaign.id)}
              disabled={busy}
            >
              Pause
            </Button>
          ) : null}
          {allowed.resume ? (
            <Button
              onClick={() => run('resume')}
              busy={commands.isRunning('resume', campaign.id)}
              disabled={busy}
            >
              Resume
            </Button>
          ) : null}
          {totals.failed > 0 ? (
            <Button
              variant="secondary"
              onClick={() => run('retry')}
              busy={commands.isRunning('retry', campaign.id)}
              disabled={busy}
            >
              Retry failed
            </Button>
          ) : null}
          {allowed.edit ? (
            <Button variant="secondary" onClick={() => setDialog('edit')} disabled={busy}>
              Edit
            </Button>
          ) : null}
          <Button variant="secondary" onClick={() => setDialog('clone')} disabled={busy}>
            Clone
          </Button>
          <Button variant="secondary" onClick={() => void onExport()} busy={exporting}>
            Export recipients CSV
          </Button>
          {allowed.cancel ? (
            <Button variant="danger" onClick={() => setConfirming('cancel')} disabled={busy}>
              Cancel campaign
            </Button>
          ) : null}
          {allowed.remove ? (
            <Button variant="ghost" onClick={() => setConfirming('delete')} disabled={busy}>
              Delete
            </Button>
          ) : null}
        </div>
      }
    >
      {reasonHeading ? (
        <div className={status === 'FAILED' ? styles.alert : styles.warning} role="status">
          <strong>{reasonHeading}:</strong> {pausedReason}
        </div>
      ) : null}
      {commands.notice ? (
        <div className={styles.notice} role="status">
          <p>{commands.notice}</p>
          <Button variant="ghost" size="small" onClick={commands.dismiss}>
            Dismiss
          </Button>
        </div>
      ) : null}
      {confirming ? null : <ErrorMessage message={commands.error} />}
      <ErrorMessage message={exportError} />

      <Card title="Progress">
        <div className={styles.progressCard}>
          <CampaignProgressBar counts={totals} label={`Progress of ${campaign.title}`} />
          <Counts counts={totals} label="Totals" />
          <dl className={styles.rates} aria-label="Rates">
            <div>
              <dt>Delivery rate</dt>
              <dd>{percent(report.deliveredRate)}</dd>
            </div>
            <div>
              <dt>Read rate</dt>
              <dd>{percent(report.readRate)}</dd>
            </div>
            <div>
              <dt>Reply rate</dt>
              <dd>{percent(report.replyRate)}</dd>
            </div>
          </dl>
          <p className={styles.muted}>Rates are shares of the messages sent.</p>
        </div>
      </Card>

      {ai ? (
        <AiDevicesCard
          status={status}
          devices={progress.aiDevices}
          perDeviceLimit={content.perDeviceLimit}
        />
      ) : null}

      <Card
        title={ai ? 'Messages per device' : 'Devices'}
        description={
          ai
            ? 'What became of the messages each device sent.'
            : 'Each lead gets the message from the device that owns it.'
        }
      >
        {progress.devices.length === 0 ? (
          <p className={styles.muted}>
            {status === 'SCHEDULED'
              ? 'The devices show here once the campaign starts.'
              : ai
                ? 'No message has gone out.'
                : 'No device had leads to send to.'}
          </p>
        ) : (
          <Table label="Progress per device" className={styles.deviceTable}>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Queued</th>
                <th scope="col">Sent</th>
                <th scope="col">Delivered</th>
                <th scope="col">Read</th>
                <th scope="col">Replied</th>
                <th scope="col">Failed</th>
                <th scope="col">Skipped</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {progress.devices.map((device) => {
                const counts = getFragmentData(CampaignCountsFragment, device.counts);
                return (
                  <tr key={device.deviceId} className={styles.deviceRow}>
                    <th scope="row" data-label="Device">
                      {device.deviceName}
                    </th>
                    <td data-label="Queued">{counts.pending + counts.queued}</td>
                    <td data-label="Sent">{counts.sent}</td>
                    <td data-label="Delivered">{counts.delivered}</td>
                    <td data-label="Read">{counts.read}</td>
                    <td data-label="Replied">{counts.replied}</td>
                    <td data-label="Failed">{counts.failed}</td>
                    <td data-label="Skipped">{counts.skipped}</td>
                    <td className={styles.deviceActions}>
                      {counts.failed > 0 ? (
                        <Button
                          size="small"
                          variant="secondary"
                          onClick={() => run('retry', device.deviceId)}
                          busy={commands.isRunning('retry', campaign.id, device.deviceId)}
                          disabled={busy}
                          aria-label={`Retry failed on ${device.deviceName}`}
                        >
                          Retry failed
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>

      {ai ? (
        <RedealLogCard
          campaignId={campaign.id}
          status={status}
          devices={progress.aiDevices}
          timeZone={timeZone}
        />
      ) : null}

      {report.failures.length > 0 ? (
        <Card title="Why messages failed">
          <ul className={styles.failures} aria-label="Failure reasons">
            {report.failures.map((failure) => (
              <li key={failure.reason}>
                <span>{failure.reason}</span>
                <strong>{pluralize(failure.count, 'message')}</strong>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}

      <Card title="Message">
        <p className={styles.template}>{content.message || '(No text: the image alone.)'}</p>
        {content.hasImage ? (
          <p className={styles.muted}>With an image; the text is its caption.</p>
        ) : null}
        <p className={styles.muted}>
          {content.niches.length
            ? `${ai ? 'AI leads' : 'Leads'} tagged ${content.niches.join(', ')}`
            : ai
              ? 'The whole AI lead pool'
              : 'All leads'}
          {content.targetStatus === 'ALL'
            ? ''
            : ` · ${content.targetStatus === 'PROSPECT' ? 'prospects' : 'customers'} only`}
          {' · '}
          {content.deviceIds.length
            ? pluralize(content.deviceIds.length, 'chosen device')
            : ai
              ? 'all online devices'
              : 'all devices'}
          {ai && content.perDeviceLimit
            ? ` · at most ${pluralize(content.perDeviceLimit, 'lead')} per device`
            : ''}
          {content.sendWindow
            ? ` · between ${content.sendWindow.from} and ${content.sendWindow.to}`
            : ''}
          {` · ${content.minDelaySeconds}–${content.maxDelaySeconds} s between messages`}
        </p>
      </Card>

      {dialog ? (
        <CampaignDialog
          mode={dialog}
          campaignId={campaign.id}
          timeZone={timeZone}
          onClose={() => setDialog(null)}
          onSaved={(id) => {
            setDialog(null);
            if (id !== campaign.id) void navigate(campaignPath(id));
          }}
        />
      ) : null}
      {confirming ? (
        <CommandConfirm
          command={confirming}
          title={campaign.title}
          busy={busy}
          error={commands.error}
          onConfirm={() => void confirm()}
          onClose={() => setConfirming(null)}
        />
      ) : null}
    </Page>
  );
}

function Counts({ counts, label }: { counts: CampaignCounts; label: string }) {
  const entries: [string, number][] = [
    ['Recipients', counts.total],
    ['Waiting', counts.pending + counts.queued],
    ['Sent', counts.sent],
    ['Delivered', counts.delivered],
    ['Read', counts.read],
    ['Replied', counts.replied],
    ['Failed', counts.failed],
    ['Skipped', counts.skipped],
    ['Cancelled', counts.cancelled],
  ];
  return (
    <dl className={styles.counts} aria-label={label}>
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value.toLocaleString('en-US')}</dd>
        </div>
      ))}
    </dl>
  );
}
