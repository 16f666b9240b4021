import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider, type Client } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { never } from 'wonka';

import { makeFragmentData } from '@/gql';
import type { OutboxRowFragment } from '@/gql/graphql';
import { gqlError, mockClient } from '@/testing/graphql';

import { OutboxRowFragment as OutboxRowDoc } from '../api/outbox';
import { OutboxRow } from './outbox-row';

const base: OutboxRowFragment = {
  id: '41',
  deviceId: 'dev-1',
  device: { id: 'dev-1', name: 'Sales 1', phone: '+60111111111' },
  recipientPhone: '+60123456789',
  recipientName: null,
  text: 'Hello there',
  hasImage: false,
  caption: null,
  source: 'INBOX',
  campaignId: null,
  status: 'SENT',
  attempts: 1,
  lastError: null,
  scheduledAt: '2026-01-02T03:04:00Z',
  createdAt: '2026-01-02T03:04:00Z',
  updatedAt: '2026-01-02T03:04:01Z',
};

function row(fields: Partial<OutboxRowFragment> = {}, client: Client = mockClient()) {
  const message = { ...base, ...fields };
  render(
    <Provider value={client}>
      <table>
        <tbody>
          <OutboxRow
            message={makeFragmentData(message, OutboxRowDoc)}
            timeZone="Asia/Kuala_Lumpur"
          />
        </tbody>
      </table>
    </Provider>,
  );
  return screen.getByRole('row');
}

describe('OutboxRow', () => {
  it('shows when, from, to, what and how far, in the user’s time zone', () => {
    const shown = row({ recipientName: 'Aida', status: 'READ' });
    expect(shown).toHaveTextContent(/11:04/);
    expect(shown).toHaveTextContent('Sales 1');
    expect(shown).toHaveTextContent('+60111111111');
    expect(shown).toHaveTextContent('Aida');
    expect(shown).toHaveTextContent('+60123456789');
    expect(shown).toHaveTextContent('Hello there');
    expect(shown).toHaveTextContent('Inbox');
    expect(shown).toHaveTextContent('Read');
    expect(within(shown).queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('shows an image with its caption, and a deleted device', () => {
    const shown = row({ hasImage: true, text: null, caption: 'Our menu', device: null });
    expect(shown).toHaveTextContent('📷 Image Our menu');
    expect(shown).toHaveTextContent('Deleted device');
  });

  it('explains a queued message', () => {
    expect(row({ status: 'QUEUED' })).toHaveTextContent('Waiting for its turn');
  });

  it('says why a message failed and retries it', async () => {
    const client = mockClient({
      mutation: {
        data: { retryOutboxMessage: { __typename: 'OutboxMessage', ...base, status: 'QUEUED' } },
      },
    });
    const shown = row({ status: 'FAILED', lastError: 'interrupted; delivery unknown' }, client);
    expect(shown).toHaveTextContent(
      'Interrupted — may or may not have been delivered; not retried automatically.',
    );
    await userEvent.click(within(shown).getByRole('button', { name: 'Retry' }));
    expect(client.mutations).toHaveBeenCalledTimes(1);
    expect(client.mutations.mock.calls[0]?.[0].variables).toEqual({ id: '41' });
  });

  it('keeps Retry disabled while it runs', async () => {
    const executeMutation = vi.fn(() => never);
    const client = { ...mockClient(), executeMutation } as unknown as Client;
    const shown = row(
      { status: 'FAILED', lastError: 'send failed: recipient not on WhatsApp' },
      client,
    );
    expect(shown).toHaveTextContent('Recipient not on WhatsApp.');
    const retry = within(shown).getByRole('button', { name: 'Retry' });
    await userEvent.click(retry);
    expect(retry).toBeDisabled();
    await userEvent.click(retry);
    expect(executeMutation).toHaveBeenCalledTimes(1);
  });

  it('shows the server’s reason when a retry is refused', async () => {
    const client = mockClient({
      mutation: { error: gqlError('CONFLICT', 'Only a failed message can be retried.') },
    });
    const shown = row({ status: 'FAILED' }, client);
    await userEvent.click(within(shown).getByRole('button', { name: 'Retry' }));
    expect(within(shown).getByRole('alert')).toHaveTextContent(
      'Only a failed message can be retried.',
    );
  });
});
