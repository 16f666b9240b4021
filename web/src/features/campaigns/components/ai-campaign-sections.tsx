import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import type { CampaignProgressFieldsFragment, CampaignRedealsQuery } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { asSentence, formatDateTime, pluralize } from '@/lib/format';

import { useCampaignRedeals } from '../api/campaigns';
import type { CampaignStatus } from '../utils/model';
import { aiDeviceStatusLabel, aiDeviceStatusTone } from '../utils/status';
import styles from './campaigns.module.css';

export type AiDevice = CampaignProgressFieldsFragment['aiDevices'][number];

type Redeal = NonNullable<CampaignRedealsQuery['campaign']>['redeals']['entries'][number];

/**
 * What the live progress says about an AI campaign's devices that may have moved leads: each
 * change (a device offline, failed, at its limit, leads dealt or given back) reads the log again.
 */
export function redealMoment(status: CampaignStatus, devices: readonly AiDevice[]): string {
  return [
    status,
    ...devices.map(
      (device) => `${device.deviceId}:${device.online}:${device.status}:${device.dealt}`,
    ),
  ].join('|');
}

export type AiDevicesCardProps = {
  status: CampaignStatus;
  devices: readonly AiDevice[];
  perDeviceLimit: number | null;
};

/** An AI campaign's devices, live: online or not, their status there, and the leads they got. */
export function AiDevicesCard({ status, devices, perDeviceLimit }: AiDevicesCardProps) {
  const description = perDeviceLimit
    ? `The AI lead pool dealt over your online devices, at most ${pluralize(perDeviceLimit, 'lead')} each.`
    : 'The AI lead pool dealt over your online devices.';
  return (
    <Card title="Devices" description={description}>
      {devices.length === 0 ? (
        <p className={styles.muted}>
          {status === 'SCHEDULED'
            ? 'The devices show here once the campaign starts.'
            : status === 'FAILED'
              ? 'No device took part: none was online when it started.'
              : 'No device took part.'}
        </p>
      ) : (
        <Table label="Leads dealt per device" className={`${styles.deviceTable} ${styles.aiTable}`}>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Connection</th>
              <th scope="col">Status</th>
              <th scope="col">Dealt</th>
              <th scope="col">Sent</th>
              <th scope="col">Failed</th>
              <th scope="col">Room</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((device) => (
              <tr key={device.deviceId} className={styles.deviceRow}>
                <th scope="row" data-label="Device">
                  {device.deviceName}
                </th>
                <td data-label="Connection" className={styles.aiConnection}>
                  {device.online ? 'Online' : <span className={styles.offline}>Offline</span>}
                </td>
                <td data-label="Status" className={styles.aiStatus}>
                  <span className={styles.aiStatusBody}>
                    <Badge tone={aiDeviceStatusTone(device.status)}>
                      {aiDeviceStatusLabel(device.status)}
                    </Badge>
                    {device.status === 'FAILED' && device.reason ? (
                      <span className={styles.reason}>{asSentence(device.reason)}</span>
                    ) : null}
                  </span>
                </td>
                <td data-label="Dealt">{device.dealt}</td>
                <td data-label="Sent">{device.sent}</td>
                <td data-label="Failed">{device.failed}</td>
                <td data-label="Room">{device.room ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

export type RedealLogCardProps = {
  campaignId: string;
  status: CampaignStatus;
  devices: readonly AiDevice[];
  timeZone: string;
};

/** The leads an AI campaign took back from a device, why, and the device each went to next. */
export function RedealLogCard({ campaignId, status, devices, timeZone }: RedealLogCardProps) {
  const { data, error } = useCampaignRedeals(campaignId, redealMoment(status, devices));
  const log = data?.campaign?.redeals;
  const names = new Map(devices.map((device) => [device.deviceId, device.deviceName]));
  const deviceName = (id: string) => names.get(id) ?? 'A removed device';

  let description =
    'Leads taken back from a device (gone offline, failing, or the campaign cancelled) and where they went next.';
  if (log && log.total > 0) {
    description = `${pluralize(log.total, 'lead')} taken back from a device and dealt again`;
    if (log.total > log.entries.length) description += ` · the newest ${log.entries.length} shown`;
    description += '.';
  }

  let body;
  if (!log) {
    body = error ? <ErrorMessage message={errorMessage(error)} /> : <Spinner />;
  } else if (log.entries.length === 0) {
    body = <p className={styles.muted}>No lead has been taken back from a device.</p>;
  } else {
    body = (
      <ul className={styles.redeals} aria-label="Re-deals">
        {log.entries.map((entry, index) => (
          <RedealEntry
            key={`${entry.leadId}-${entry.at ?? index}`}
            entry={entry}
            deviceName={deviceName}
            timeZone={timeZone}
          />
        ))}
      </ul>
    );
  }
  return (
    <Card title="Re-deal log" description={description}>
      {body}
    </Card>
  );
}

function RedealEntry({
  entry,
  deviceName,
  timeZone,
}: {
  entry: Redeal;
  deviceName: (id: string) => string;
  timeZone: string;
}) {
  const name = entry.leadName ?? entry.leadPhone ?? 'A lead';
  return (
    <li>
      <span className={styles.redealLead}>
        <strong>{name}</strong>
        {entry.leadName && entry.leadPhone ? (
          <span className={styles.muted}> {entry.leadPhone}</span>
        ) : null}
      </span>
      <span className={styles.redealRoute}>
        {deviceName(entry.fromDeviceId)} <span aria-hidden="true">→</span>
        <span className="visually-hidden">to</span>{' '}
        {entry.toDeviceId ? (
          deviceName(entry.toDeviceId)
        ) : (
          <em className={styles.waiting}>waiting in the pool</em>
        )}
      </span>
      <span className={styles.muted}>
        {asSentence(entry.reason) ?? 'Taken back.'}
        {entry.at ? (
          <>
            {' · '}
            <time dateTime={entry.at}>{formatDateTime(entry.at, timeZone)}</time>
          </>
        ) : null}
      </span>
    </li>
  );
}
