import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import { errorMessage } from '@/lib/errors';
import { formatDateTime, pluralize } from '@/lib/format';

import { useCampaignPreview } from '../api/campaigns';
import { sampleText } from '../utils/form';
import type { CampaignInputFields } from '../utils/model';
import { distinctTextsLabel } from '../utils/template';
import { formatDuration } from '../utils/timing';
import styles from './campaigns.module.css';

export type CampaignPreviewPanelProps = {
  /** The campaign as it would be sent; null while the form is incomplete. */
  input: CampaignInputFields | null;
  timeZone: string;
};

/** Who the campaign would reach, from which device and by when, and what they would read. */
export function CampaignPreviewPanel({ input, timeZone }: CampaignPreviewPanelProps) {
  const [{ data, error, fetching }] = useCampaignPreview(input);
  const preview = input ? data?.campaignPreview : undefined;

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
        <p>
          <strong>{distinctTextsLabel(preview.distinctTexts)}</strong>
        </p>
        {preview.samples.length > 0 ? (
          <ul className={styles.samples} aria-label="Samples">
            {preview.samples.map((sample, index) => (
              <li key={index}>{sampleText(sample)}</li>
            ))}
          </ul>
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
