import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import type { DeviceCardFragment } from '@/gql/graphql';
import { gqlError, mockClient, type MockClientOptions } from '@/testing/graphql';

import { EditDeviceDialog } from './edit-device-dialog';

const device: DeviceCardFragment = {
  id: 'dev-1',
  name: 'Sales 1',
  phone: '+60123456789',
  status: 'ONLINE',
  statusReason: null,
  bannedUntil: null,
  lastSeenAt: null,
  pairedAt: null,
  createdAt: '2026-01-01T00:00:00Z',
  minDelaySeconds: 5,
  maxDelaySeconds: 15,
  dailyCap: 300,
};

function edit(mutation?: MockClientOptions['mutation']) {
  const client = mockClient({ mutation });
  const onClose = vi.fn();
  render(
    <Provider value={client}>
      <EditDeviceDialog device={device} onClose={onClose} />
    </Provider>,
  );
  const dialog = screen.getByRole('dialog', { name: 'Edit “Sales 1”' });
  const field = (label: string) => within(dialog).getByLabelText(label);
  const save = () => userEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
  return { client, onClose, dialog, field, save };
}

describe('EditDeviceDialog', () => {
  it('starts from the current settings', () => {
    const { field } = edit();
    expect(field('Name')).toHaveValue('Sales 1');
    expect(field('Minimum delay (seconds)')).toHaveValue('5');
    expect(field('Maximum delay (seconds)')).toHaveValue('15');
    expect(field('Daily cap')).toHaveValue('300');
  });

  it('refuses a minimum above the maximum without asking the server', async () => {
    const { client, field, save, onClose } = edit();
    await userEvent.clear(field('Minimum delay (seconds)'));
    await userEvent.type(field('Minimum delay (seconds)'), '20');
    await userEvent.clear(field('Maximum delay (seconds)'));
    await userEvent.type(field('Maximum delay (seconds)'), '10');
    await save();
    expect(field('Maximum delay (seconds)')).toHaveAccessibleDescription(
      'The minimum delay cannot be larger than the maximum delay.',
    );
    expect(field('Maximum delay (seconds)')).toBeInvalid();
    expect(client.mutations).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('saves, removing the cap when the field is emptied', async () => {
    const { client, field, save, onClose } = edit({
      data: { updateDevice: { __typename: 'Device', ...device, dailyCap: null } },
    });
    await userEvent.clear(field('Daily cap'));
    await save();
    expect(client.mutations).toHaveBeenCalledWith(
      expect.objectContaining({
        variables: {
          id: 'dev-1',
          input: { name: 'Sales 1', minDelaySeconds: 5, maxDelaySeconds: 15, dailyCap: null },
        },
      }),
      expect.anything(),
    );
    expect(onClose).toHaveBeenCalled();
  });

  it('shows what the server said, in plain words', async () => {
    const { dialog, save, onClose } = edit({
      error: gqlError('BAD_USER_INPUT', 'Delays must be between 0 and 3600 seconds.'),
    });
    await save();
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Delays must be between 0 and 3600 seconds.',
    );
    expect(onClose).not.toHaveBeenCalled();
  });
});
