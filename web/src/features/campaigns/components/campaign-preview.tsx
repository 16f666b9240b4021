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
        {preview.devices.length > 0 ? (
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
                  <td>
                    {device.etaSeconds === null || !device.finishesAt
                      ? 'Never: no open hours'
                      : `${formatDateTime(device.finishesAt, timeZone)} (${formatDuration(device.etaSeconds)})`}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
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
