import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { gqlError, mockClient, type MockClientOptions } from '@/testing/graphql';

import { NewMessageDialog } from './new-message-dialog';

const devices = {
  devices: {
    __typename: 'DeviceConnection',
    totalCount: 2,
    pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
    nodes: [
      {
        __typename: 'Device',
        id: 'new',
        name: 'Front desk',
        phone: null,
        status: 'PAIRING',
        createdAt: '2026-01-02T00:00:00Z',
      },
      {
        __typename: 'Device',
        id: 'sales',
        name: 'Sales 1',
        phone: '+60111111111',
        status: 'ONLINE',
        createdAt: '2026-01-01T00:00:00Z',
      },
    ],
  },
};

function open(mutation?: MockClientOptions['mutation']) {
  // Every query gets this answer: the list, and the chosen device by id (Sales 1).
  const client = mockClient({
    query: { data: { ...devices, device: devices.devices.nodes[1] } },
    mutation,
  });
  const onSent = vi.fn();
  render(
    <Provider value={client}>
      <NewMessageDialog defaultDeviceId={null} onClose={vi.fn()} onSent={onSent} />
    </Provider>,
  );
  const dialog = screen.getByRole('dialog', { name: 'New message' });
  const field = (label: string) => within(dialog).getByLabelText(label);
  const fill = async (phone: string, text: string) => {
    if (phone) await userEvent.type(field('Phone number'), phone);
    if (text) await userEvent.type(field('Message'), text);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Send' }));
  };
  return { client, onSent, dialog, field, fill };
}

describe('NewMessageDialog', () => {
  it('starts on the first paired device; unpaired ones cannot be chosen', async () => {
    const { field } = open();
    expect(field('Device')).toHaveValue('Sales 1 · +60111111111');
    await userEvent.click(field('Device'));
    expect(screen.getByRole('option', { name: /Front desk/ })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    expect(screen.getByRole('option', { name: /Sales 1/ })).toHaveAttribute(
      'aria-selected',
      'true',
    );
  });

  it('checks the number and the text before sending', async () => {
    const { client, field, fill } = open();
    await fill('ring me', '');
    expect(field('Phone number')).toHaveAccessibleDescription(
      'With the country code. A phone number may only contain digits, spaces, +, -, ( ) and dots.',
    );
    expect(field('Message')).toHaveAccessibleDescription(/Write the message\./);
    expect(client.mutations).not.toHaveBeenCalled();
  });

  it('sends and reports the new outbox row', async () => {
    const { client, onSent, fill } = open({
      data: {
        sendMessage: { __typename: 'Message', id: 'm-77', outboxId: '77' },
      },
    });
    await fill('+60 12-345 6789', 'Hi there');
    expect(client.mutations.mock.calls[0]?.[0].variables).toEqual({
      input: { deviceId: 'sales', phone: '+60 12-345 6789', text: 'Hi there' },
    });
    expect(onSent).toHaveBeenCalledWith({ outboxId: '77', phone: '+60 12-345 6789' });
  });

  it('puts the server’s word on the number next to it', async () => {
    const { field, fill, onSent, dialog } = open({
      error: gqlError('BAD_USER_INPUT', 'Include the country code, e.g. +60 12-345 6789.'),
    });
    await fill('0123 456 789', 'Hi');
    expect(field('Phone number')).toHaveAccessibleDescription(
      'With the country code. Include the country code, e.g. +60 12-345 6789.',
    );
    expect(within(dialog).queryByRole('alert')).toBeNull();
    expect(onSent).not.toHaveBeenCalled();
    // Fixing the number takes the complaint away.
    await userEvent.type(field('Phone number'), '0');
    expect(field('Phone number')).toHaveAccessibleDescription('With the country code.');
    expect(within(dialog).queryByRole('alert')).toBeNull();
  });

  it('shows other errors by their code', async () => {
    const { fill, dialog } = open({
      error: gqlError('DEVICE_OFFLINE', 'This device is not paired; pair it before sending.'),
    });
    await fill('+60123456789', 'Hi');
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'This device is not paired; pair it before sending.',
    );
  });
});
