import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { gqlError, mockClient, type MockClientOptions } from '@/testing/graphql';

import { CampaignDialog } from './campaign-dialog';

const answers = {
  niches: [
    { __typename: 'NicheCount', tag: 'gym', leads: 12 },
    { __typename: 'NicheCount', tag: 'spa', leads: 0 },
  ],
  campaignPreview: {
    __typename: 'CampaignPreview',
    leads: 12,
    optedOut: 1,
    onOfflineDevices: 0,
    inOtherRunningCampaigns: 2,
    samples: ['Hello Ana', 'Hi there'],
    distinctTexts: 4,
    devices: [
      {
        __typename: 'CampaignPreviewDevice',
        deviceId: 'd1',
        deviceName: 'Sales 1',
        leads: 12,
        online: true,
        etaSeconds: 240,
        finishesAt: '2026-12-03T01:04:00Z',
      },
    ],
  },
};

function open(mutation?: MockClientOptions['mutation']) {
  const client = mockClient({ query: { data: answers }, mutation });
  const onSaved = vi.fn();
  render(
    <Provider value={client}>
      <CampaignDialog
        mode="create"
        campaignId={null}
        timeZone="UTC"
        onClose={vi.fn()}
        onSaved={onSaved}
      />
    </Provider>,
  );
  const dialog = screen.getByRole('dialog', { name: 'New campaign' });
  return { client, onSaved, dialog };
}

const created = {
  data: { createCampaign: { __typename: 'Campaign', id: 'c9' } },
};

describe('CampaignDialog', () => {
  it('says what is missing at each field and sends nothing', async () => {
    const { client, dialog } = open(created);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create campaign' }));
    expect(within(dialog).getByText('Give the campaign a title.')).toBeTruthy();
    expect(within(dialog).getByText('Write a message or attach an image.')).toBeTruthy();
    expect(client.mutations).not.toHaveBeenCalled();
  });

  it('shows the tags with their leads, the preview, and creates the campaign', async () => {
    const { client, dialog, onSaved } = open(created);
    // A tag no lead carries is not offered.
    expect(within(dialog).queryByLabelText(/spa/)).toBeNull();
    await userEvent.type(within(dialog).getByLabelText('Title'), 'December promo');
    await userEvent.type(within(dialog).getByLabelText('Message'), 'Hello');
    await userEvent.click(within(dialog).getByLabelText(/gym/));
    await userEvent.clear(within(dialog).getByLabelText('Shortest pause (s)'));
    await userEvent.type(within(dialog).getByLabelText('Shortest pause (s)'), '0');

    // The samples under the template, the audience in the preview.
    const samples = await within(dialog).findByRole('list', { name: 'Samples' }, { timeout: 2000 });
    expect(within(samples).getByText('Hello Ana')).toBeTruthy();
    expect(within(dialog).getByText(/4 different texts/)).toBeTruthy();
    const preview = within(dialog).getByRole('region', { name: 'Preview' });
    expect(within(within(preview).getByLabelText('Audience')).getByText('12')).toBeTruthy();
    expect(within(preview).getByRole('table', { name: 'Leads per device' })).toBeTruthy();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Create campaign' }));
    expect(client.mutations).toHaveBeenCalledTimes(1);
    const variables = client.mutations.mock.calls[0]?.[0].variables as {
      input: Record<string, unknown>;
    };
    expect(variables.input).toMatchObject({
      title: 'December promo',
      message: 'Hello',
      niches: ['gym'],
      targetStatus: 'ALL',
      minDelaySeconds: 0,
      maxDelaySeconds: 30,
      removeImage: false,
    });
    expect(onSaved).toHaveBeenCalledWith('c9');
  });

  it('shows the server’s reason in the dialog', async () => {
    const { dialog, onSaved } = open({
      error: gqlError('BAD_USER_INPUT', 'The template renders empty for 2 leads.'),
    });
    await userEvent.type(within(dialog).getByLabelText('Title'), 'Promo');
    await userEvent.type(within(dialog).getByLabelText('Message'), 'Hi {{name}');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create campaign' }));
    expect(await within(dialog).findByText('The template renders empty for 2 leads.')).toBeTruthy();
    expect(onSaved).not.toHaveBeenCalled();
  });
});
