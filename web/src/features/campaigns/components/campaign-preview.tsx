import type { CombinedError } from '@urql/core';

import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import type { CampaignPreviewQuery } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { formatDateTime, pluralize } from '@/lib/format';

import { sampleText } from '../utils/form';
import type { CampaignInputFields } from '../utils/model';
import { distinctTextsLabel } from '@/components/template-editor/template';
import { formatDuration } from '../utils/timing';
import styles from './campaigns.module.css';

type Preview = CampaignPreviewQuery['campaignPreview'];

export type CampaignPreviewPanelProps = {
  /** The campaign as it would be sent; null while the form is incomplete. */
  input: CampaignInputFields | null;
  /** `campaignPreview`'s answer for `input`, once there. */
  preview: Preview | undefined;
  error: CombinedError | undefined;
  fetching: boolean;
  timeZone: string;
};

/** Who the campaign would reach, from which device and by when, and what they would read. */
export function CampaignPreviewPanel({
  input,
  preview,
  error,
  fetching,
  timeZone,
}: CampaignPreviewPanelProps) {
  let body;
  if (!input) {
    body = (
      <p className={styles.muted}>The preview shows once the message and settings are complete.</p>
    );
  } else if (error && !preview) {
    body = <ErrorMessage message={errorMessage(error)} />;
  } else if (!preview) {
    body = <Spinner label="Working out the preview…" />;
  } else if (input.kind === 'AI') {
    body = (
      <>
        <p className={styles.previewSummary}>{aiPreviewSummary(preview)}</p>
        <dl className={styles.counts} aria-label="Audience">
          <div>
            <dt>Matching leads</dt>
            <dd>{(preview.leads + preview.leftPending).toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Would be sent</dt>
            <dd>{preview.leads.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Stay in the pool</dt>
            <dd>{preview.leftPending.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Devices online</dt>
            <dd>{preview.onlineDevices.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Opted out</dt>
            <dd>{preview.optedOut.toLocaleString('en-US')}</dd>
          </div>
        </dl>
        {preview.onlineDevices === 0 ? (
          <p className={styles.reason}>
            No device is online: started now, the campaign would fail. Connect a device first.
          </p>
        ) : preview.leftPending > 0 ? (
          <p className={styles.muted}>
            Every device gets at most {pluralize(input.perDeviceLimit ?? 0, 'lead')}; the leads no
            device has room for stay in the pool for a later campaign.
          </p>
        ) : null}
        {preview.optedOut > 0 ? (
          <p className={styles.muted}>Opted-out leads are skipped; they get nothing.</p>
        ) : null}
        <DeviceSpread preview={preview} timeZone={timeZone} ai />
      </>
    );
  } else {
    body = (
      <>
        <dl className={styles.counts} aria-label="Audience">
          <div>
            <dt>Matching leads</dt>
            <dd>{preview.leads.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Opted out</dt>
            <dd>{preview.optedOut.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>On offline devices</dt>
            <dd>{preview.onOfflineDevices.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>In other running campaigns</dt>
            <dd>{preview.inOtherRunningCampaigns.toLocaleString('en-US')}</dd>
          </div>
        </dl>
        {preview.optedOut > 0 ? (
          <p className={styles.muted}>Opted-out leads are skipped; they get nothing.</p>
        ) : null}
        <DeviceSpread preview={preview} timeZone={timeZone} ai={false} />
      </>
    );
  }

  return (
    <section className={styles.preview} aria-label="Preview" aria-busy={fetching || undefined}>
      <h3 className={styles.subheading}>Preview</h3>
      {body}
    </section>
  );
}

/** "20 leads match · 5 devices online · 5 stay in the pool (no room)": an AI preview in a line. */
export function aiPreviewSummary(
  preview: Pick<Preview, 'leads' | 'leftPending' | 'onlineDevices'>,
): string {
  const matching = preview.leads + preview.leftPending;
  const left =
    preview.leftPending > 0
      ? `${preview.leftPending.toLocaleString('en-US')} stay in the pool (no room)`
      : 'every one has room';
  return [
    `${pluralize(matching, 'lead')} ${matching === 1 ? 'matches' : 'match'}`,
    `${pluralize(preview.onlineDevices, 'device')} online`,
    `${preview.leads.toLocaleString('en-US')} would be sent`,
    left,
  ].join(' · ');
}

/**
 * The leads each device would get and when it would be done: a broadcast's from the devices that
 * own them, an AI campaign's the even spread over the online devices (offline ones get none).
 */
function DeviceSpread({
  preview,
  timeZone,
  ai,
}: {
  preview: Preview;
  timeZone: string;
  ai: boolean;
}) {
  if (preview.devices.length === 0) {
    return ai ? <p className={styles.muted}>You have no device to deal the leads to.</p> : null;
  }
  return (
    <Table label="Leads per device" className={styles.previewTable}>
      <thead>
        <tr>
          <th scope="col">Device</th>
          <th scope="col">Leads</th>
          <th scope="col">Done by</th>
        </tr>
      </thead>
      <tbody>
        {preview.devices.map((device) => (
          <tr key={device.deviceId}>
            <th scope="row">
              {device.deviceName}
              {device.online ? null : <span className={styles.offline}> · offline</span>}
            </th>
            <td>{pluralize(device.leads, 'lead')}</td>
            <td>{doneBy(device, ai, timeZone)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function doneBy(device: Preview['devices'][number], ai: boolean, timeZone: string): string {
  if (device.leads === 0) return ai && !device.online ? 'Nothing: offline' : 'Nothing to send';
  if (device.etaSeconds === null || !device.finishesAt) return 'Never: no open hours';
  return `${formatDateTime(device.finishesAt, timeZone)} (${formatDuration(device.etaSeconds)})`;
}

/** What a few leads would read, under the template as it is typed (or why not yet). */
export function PreviewSamples({
  input,
  preview,
}: {
  input: unknown;
  preview: Preview | undefined;
}) {
  if (!input) return null;
  if (!preview) return <p className={styles.muted}>Rendering samples…</p>;
  return (
    <div className={styles.samplesBox}>
      <p className={styles.muted}>
        As some of your leads would read it · {distinctTextsLabel(preview.distinctTexts)}
      </p>
      {preview.samples.length > 0 ? (
        <ul className={styles.samples} aria-label="Samples">
          {preview.samples.map((sample, index) => (
            <li key={index}>{sampleText(sample)}</li>
          ))}
        </ul>
      ) : (
        <p className={styles.muted}>No lead matches, so there is nothing to show.</p>
      )}
    </div>
  );
}
