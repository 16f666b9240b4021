import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { gqlError, mockClient, type MockClientOptions } from '@/testing/graphql';

import { PairingDialog } from './pairing-dialog';

type DeviceFields = {
  status: string;
  phone?: string | null;
  statusReason?: string | null;
  qrExpired?: boolean;
  qrCode?: { code: string; expiresAt: string } | null;
};

function pairingDevice(fields: DeviceFields) {
  return {
    data: {
      device: {
        __typename: 'Device',
        id: 'dev-1',
        name: 'Sales 1',
        phone: null,
        statusReason: null,
        qrExpired: false,
        bannedUntil: null,
        qrCode: null,
        ...fields,
      },
    },
  };
}

function show(device: DeviceFields, mutation?: MockClientOptions['mutation']) {
  const client = mockClient({ query: pairingDevice(device), mutation });
  const onClose = vi.fn();
  render(
    <Provider value={client}>
      <PairingDialog deviceId="dev-1" timeZone="UTC" onClose={onClose} />
    </Provider>,
  );
  return { client, onClose, dialog: screen.getByRole('dialog') };
}

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

describe('PairingDialog', () => {
  it('shows the current QR code, its countdown and the steps', () => {
    const { dialog } = show({
      status: 'PAIRING',
      qrCode: { code: '2@abc,def,ghi,jkl,1', expiresAt: inSeconds(45) },
    });
    expect(dialog).toHaveAccessibleName('Link “Sales 1” to WhatsApp');
    expect(within(dialog).getByRole('img', { name: 'QR code to link “Sales 1”' })).toBeVisible();
    expect(dialog).toHaveTextContent(/Expires in 0:4[45]/);
    expect(dialog).toHaveTextContent('Linked devices');
  });

  it('offers a new QR code once they ran out, and waits for it', async () => {
    const { dialog, client } = show(
      {
        status: 'PAIRING',
        statusReason: 'The QR code expired. Ask for a new one.',
        qrExpired: true,
      },
      { data: { reconnectDevice: { __typename: 'Device', id: 'dev-1' } } },
    );
    expect(dialog).toHaveTextContent('The QR code expired.');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Get a new QR code' }));
    expect(client.mutations).toHaveBeenCalledWith(
      expect.objectContaining({ variables: { id: 'dev-1' } }),
      expect.anything(),
    );
    expect(await within(dialog).findByText('Getting a QR code…')).toBeVisible();
    expect(within(dialog).queryByRole('button', { name: 'Get a new QR code' })).toBeNull();
  });

  it('says in plain words that the server cannot reach WhatsApp, not that a code expired', () => {
    const { dialog } = show({
      status: 'PAIRING',
      statusReason:
        'The server cannot reach WhatsApp. Check that the machine running wafleet has internet access.',
    });
    expect(dialog).not.toHaveTextContent('expired');
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'No QR code: WhatsApp cannot be reached',
    );
    expect(within(dialog).getByRole('alert')).toHaveTextContent('has internet access');
    expect(within(dialog).getByRole('button', { name: 'Try again' })).toBeVisible();
  });

  it('says when the phone has linked the device, with its number', () => {
    const { dialog } = show({ status: 'ONLINE', phone: '+60123456789' });
    expect(dialog).toHaveAccessibleName('“Sales 1” is connected');
    expect(dialog).toHaveTextContent('+60123456789');
  });

  it('links by phone number with a code shown as ABCD-EFGH', async () => {
    const { dialog, client } = show(
      { status: 'PAIRING', qrCode: { code: '2@a,b,c,d,1', expiresAt: inSeconds(30) } },
      { data: { requestPairingCode: { code: 'RKNSMVQX', expiresAt: inSeconds(180) } } },
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Link with phone number instead' }),
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Get pairing code' }));
    expect(within(dialog).getByLabelText('Phone number')).toHaveAccessibleDescription(
      /Enter the phone number/,
    );
    expect(client.mutations).not.toHaveBeenCalled();

    await userEvent.type(within(dialog).getByLabelText('Phone number'), '+60 12-345 6789');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Get pairing code' }));

    expect(within(dialog).getByLabelText('Pairing code RKNS-MVQX')).toHaveTextContent('RKNS-MVQX');
    expect(dialog).toHaveTextContent('Link with phone number instead');
    expect(dialog).toHaveTextContent(/Expires in [23]:\d\d/);
    expect(client.mutations).toHaveBeenCalledWith(
      expect.objectContaining({ variables: { deviceId: 'dev-1', phone: '+60 12-345 6789' } }),
      expect.anything(),
    );
  });

  it('says in plain words why a pairing code was refused', async () => {
    const { dialog } = show(
      { status: 'PAIRING' },
      { error: gqlError('BAD_USER_INPUT', 'Include the country code, e.g. +60 12-345 6789.') },
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Link with phone number instead' }),
    );
    await userEvent.type(within(dialog).getByLabelText('Phone number'), '0123456789');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Get pairing code' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Include the country code, e.g. +60 12-345 6789.',
    );
  });
});
