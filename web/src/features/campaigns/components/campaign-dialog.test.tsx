import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { gqlError, mockClient, type MockClientOptions } from '@/testing/graphql';

import { CampaignDialog } from './campaign-dialog';

const answers = {
  niches: [
    { __typename: 'NicheCount', tag: 'gym', leads: 12, aiLeads: 0 },
    { __typename: 'NicheCount', tag: 'spa', leads: 0, aiLeads: 20 },
  ],
  campaignPreview: {
    __typename: 'CampaignPreview',
    leads: 12,
    leftPending: 0,
    onlineDevices: 0,
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

const aiAnswers = {
  ...answers,
  campaignPreview: {
    ...answers.campaignPreview,
    leads: 15,
    leftPending: 5,
    onlineDevices: 5,
    optedOut: 0,
    devices: ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'].map((deviceId, index) => ({
      __typename: 'CampaignPreviewDevice',
      deviceId,
      deviceName: `AI ${index + 1}`,
      leads: index < 5 ? 3 : 0,
      online: index < 5,
      etaSeconds: index < 5 ? 60 : null,
      finishesAt: index < 5 ? '2026-12-03T01:01:00Z' : null,
    })),
  },
};

function open(mutation?: MockClientOptions['mutation'], data: object = answers) {
  const client = mockClient({ query: { data }, mutation });
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
      kind: 'BROADCAST',
    });
    expect(variables.input.perDeviceLimit).toBeUndefined();
    expect(onSaved).toHaveBeenCalledWith('c9');
  });

  it('makes an AI campaign: a limit per device, the pool’s tags, the spread over online devices', async () => {
    const { client, dialog, onSaved } = open(created, aiAnswers);
    expect(within(dialog).getByLabelText('All my devices')).toBeTruthy();
    expect(within(dialog).queryByLabelText('Limit per device')).toBeNull();
    await userEvent.click(within(dialog).getByRole('radio', { name: /^AI campaign/ }));

    // The AI pool's tags and counts, and every online device.
    expect(within(dialog).getByLabelText(/spa/).closest('label')?.textContent).toBe('spa (20)');
    expect(within(dialog).queryByLabelText(/gym/)).toBeNull();
    expect(within(dialog).getByLabelText('All my online devices')).toBeTruthy();

    await userEvent.type(within(dialog).getByLabelText('Title'), 'Pool promo');
    await userEvent.type(within(dialog).getByLabelText('Message'), 'Hello');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create campaign' }));
    expect(
      within(dialog).getByText('An AI campaign needs a limit: how many leads each device may get.'),
    ).toBeTruthy();
    expect(client.mutations).not.toHaveBeenCalled();

    await userEvent.type(within(dialog).getByLabelText('Limit per device'), '3');
    await userEvent.click(within(dialog).getByLabelText(/spa/));
    const preview = within(dialog).getByRole('region', { name: 'Preview' });
    expect(
      await within(preview).findByText(
        '20 leads match · 5 devices online · 15 would be sent · 5 stay in the pool (no room)',
        {},
        { timeout: 2000 },
      ),
    ).toBeTruthy();
    const table = within(preview).getByRole('table', { name: 'Leads per device' });
    expect(within(table).getAllByText('3 leads')).toHaveLength(5);
    expect(within(table).getByText('Nothing: offline')).toBeTruthy();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Create campaign' }));
    expect(client.mutations).toHaveBeenCalledTimes(1);
    const variables = client.mutations.mock.calls[0]?.[0].variables as {
      input: Record<string, unknown>;
    };
    expect(variables.input).toMatchObject({
      kind: 'AI',
      perDeviceLimit: 3,
      title: 'Pool promo',
      niches: ['spa'],
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
