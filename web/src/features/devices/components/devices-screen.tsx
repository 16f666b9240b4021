import { useCallback, useState } from 'react';

import { Page } from '@/components/layouts/page';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextField } from '@/components/ui/field';
import { DevicesIcon, PlusIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import type { DeviceCardFragment, DeviceStatus } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { useDeviceEvents, useDevicesPage, type DeviceFilters } from '../api/devices';
import { useReconnectDevice } from '../api/manage';
import { DEVICE_STATUSES, statusLabel } from '../utils/status';
import { AddDeviceDialog } from './add-device-dialog';
import { DeleteDeviceDialog } from './delete-device-dialog';
import type { DeviceAction } from './device-card';
import { DeviceResults } from './device-results';
import styles from './devices.module.css';
import { EditDeviceDialog } from './edit-device-dialog';
import { LogOutDeviceDialog } from './log-out-device-dialog';
import { PairingDialog } from './pairing-dialog';

type OpenDialog =
  | { kind: 'add' }
  | { kind: 'pair'; deviceId: string }
  | { kind: 'edit' | 'logOut' | 'delete'; device: DeviceCardFragment }
  | null;

const statusOptions = [
  { value: '', label: 'All statuses' },
  ...DEVICE_STATUSES.map((status) => ({ value: status, label: statusLabel(status) })),
];

function isStatus(value: string): value is DeviceStatus {
  return (DEVICE_STATUSES as readonly string[]).includes(value);
}

export type DevicesScreenProps = {
  /** The viewer's time zone, for every time shown. */
  timeZone: string;
};

export function DevicesScreen({ timeZone }: DevicesScreenProps) {
  useDeviceEvents();
  const [searchText, setSearchText] = useState('');
  const search = useDebouncedValue(searchText.trim(), 300);
  const [status, setStatus] = useState<DeviceStatus | null>(null);
  const filters: DeviceFilters = { search, status };
  const filtered = search !== '' || status !== null;

  const [{ data, error }] = useDevicesPage(filters, null);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reconnectState, reconnect] = useReconnectDevice();
  const [reconnectingId, setReconnectingId] = useState<string | null>(null);

  const closeDialog = useCallback(() => setDialog(null), []);

  const onAction = useCallback(
    (action: DeviceAction, device: DeviceCardFragment) => {
      setNotice(null);
      switch (action) {
        case 'pair':
          setDialog({ kind: 'pair', deviceId: device.id });
          break;
        case 'reconnect':
          setReconnectingId(device.id);
          void reconnect({ id: device.id }).then((result) => {
            setReconnectingId(null);
            // A logged-out device starts pairing again: show its new QR code.
            if (result.data?.reconnectDevice && device.status === 'LOGGED_OUT') {
              setDialog({ kind: 'pair', deviceId: device.id });
            }
          });
          break;
        default:
          setDialog({ kind: action, device });
      }
    },
    [reconnect],
  );

  const clearFilters = () => {
    setSearchText('');
    setStatus(null);
  };

  const total = data?.devices.totalCount ?? 0;
  const noDevicesYet = !!data && !filtered && searchText.trim() === '' && total === 0;

  let description = 'Your WhatsApp numbers linked to wafleet, live.';
  if (noDevicesYet) description = 'Link your WhatsApp numbers to run them all from here.';
  else if (data && filtered) {
    description = `${pluralize(total, 'device')} ${total === 1 ? 'matches' : 'match'} your search.`;
  } else if (data) {
    description = `${pluralize(total, 'device')} · live status of each linked WhatsApp number.`;
  }

  return (
    <Page
      title="Devices"
      description={description}
      actions={
        <Button onClick={() => setDialog({ kind: 'add' })}>
          <PlusIcon width={18} height={18} />
          Add device
        </Button>
      }
    >
      {notice ? (
        <div className={styles.notice} role="status">
          <p className={styles.noticeText}>{notice}</p>
          <Button variant="ghost" size="small" onClick={() => setNotice(null)}>
            Dismiss
          </Button>
        </div>
      ) : null}
      <ErrorMessage message={errorMessage(reconnectState.error)} />

      {noDevicesYet ? (
        <NoDevicesYet onAdd={() => setDialog({ kind: 'add' })} />
      ) : (
        <>
          <div className={styles.toolbar} role="search" aria-label="Devices">
            <div className={styles.search}>
              <TextField
                label="Search"
                type="search"
                placeholder="Name or phone number"
                value={searchText}
                onChange={(event) => setSearchText(event.target.value)}
              />
            </div>
            <div className={styles.statusFilter}>
              <SelectField
                label="Status"
                options={statusOptions}
                value={status ?? ''}
                onChange={(event) =>
                  setStatus(isStatus(event.target.value) ? event.target.value : null)
                }
              />
            </div>
          </div>

          {data ? (
            total === 0 ? (
              <EmptyState
                actions={
                  <Button variant="secondary" onClick={clearFilters}>
                    Show all devices
                  </Button>
                }
              >
                No devices match your search.
              </EmptyState>
            ) : (
              <DeviceResults
                key={`${status ?? ''}\u0000${search}`}
                filters={filters}
                firstPage={data.devices}
                timeZone={timeZone}
                onAction={onAction}
                reconnectingId={reconnectingId}
              />
            )
          ) : error ? (
            <ErrorMessage message={errorMessage(error)} />
          ) : (
            <Spinner />
          )}
        </>
      )}

      {dialog?.kind === 'add' ? (
        <AddDeviceDialog timeZone={timeZone} onClose={closeDialog} />
      ) : null}
      {dialog?.kind === 'pair' ? (
        <PairingDialog deviceId={dialog.deviceId} timeZone={timeZone} onClose={closeDialog} />
      ) : null}
      {dialog?.kind === 'edit' ? (
        <EditDeviceDialog device={dialog.device} onClose={closeDialog} />
      ) : null}
      {dialog?.kind === 'logOut' ? (
        <LogOutDeviceDialog device={dialog.device} onClose={closeDialog} />
      ) : null}
      {dialog?.kind === 'delete' ? (
        <DeleteDeviceDialog
          device={dialog.device}
          onCancel={closeDialog}
          onDeleted={(summary) => {
            setDialog(null);
            setNotice(summary);
          }}
        />
      ) : null}
    </Page>
  );
}

function NoDevicesYet({ onAdd }: { onAdd: () => void }) {
  return (
    <EmptyState
      icon={<DevicesIcon width={28} height={28} />}
      title="No devices yet"
      actions={
        <Button onClick={onAdd}>
          <PlusIcon width={18} height={18} />
          Add your first device
        </Button>
      }
    >
      A device is one of your WhatsApp numbers, linked to wafleet the way WhatsApp Web is linked to
      a phone. Once linked, wafleet keeps it online, shows its chats and sends messages from it at a
      human pace. Have the phone with that number at hand: you link it by scanning a QR code.
    </EmptyState>
  );
}
