import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { gqlError, mockClient, type MockClientOptions } from '@/testing/graphql';

import { Composer } from './composer';

const sent = {
  data: {
    sendMessage: {
      __typename: 'Message',
      id: '9',
      chatJid: '601@s.whatsapp.net',
      timestamp: '2026-01-07T07:04:00Z',
      fromMe: true,
    },
  },
};

function renderComposer(mutation: MockClientOptions['mutation'] = sent) {
  const client = mockClient({ mutation });
  render(
    <Provider value={client}>
      <Composer deviceId="d1" chatJid="601@s.whatsapp.net" contactName="Aisha" />
    </Provider>,
  );
  return { client, input: screen.getByRole('textbox', { name: 'Message' }) };
}

describe('Composer', () => {
  const revokeObjectURL = vi.fn();
  beforeEach(() => {
    // jsdom has no object URLs.
    URL.createObjectURL = vi.fn(() => 'blob:preview');
    URL.revokeObjectURL = revokeObjectURL;
  });

  it('sends on Enter and starts a new line on Shift+Enter', async () => {
    const { client, input } = renderComposer();
    await userEvent.type(input, 'Hello{Shift>}{Enter}{/Shift}there');
    expect(input).toHaveValue('Hello\nthere');
    expect(client.mutations).not.toHaveBeenCalled();

    await userEvent.type(input, '{Enter}');
    expect(client.mutations).toHaveBeenCalledTimes(1);
    expect(client.mutations.mock.calls[0]?.[0].variables).toEqual({
      input: { deviceId: 'd1', chatJid: '601@s.whatsapp.net', text: 'Hello\nthere' },
    });
    expect(input).toHaveValue('');
  });

  it('sends nothing for an empty message', async () => {
    const { client, input } = renderComposer();
    await userEvent.type(input, '   {Enter}');
    expect(client.mutations).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  it('gives the text back with the reason when the server refuses it', async () => {
    const { input } = renderComposer({
      error: gqlError('DEVICE_OFFLINE', 'This device is not paired; pair it before sending.'),
    });
    await userEvent.type(input, 'Are you there?{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This device is not paired; pair it before sending.',
    );
    expect(input).toHaveValue('Are you there?');
  });

  it('refuses files that are not pictures before sending anything', async () => {
    const { client } = renderComposer();
    const user = userEvent.setup({ applyAccept: false });
    const picker = document.querySelector<HTMLInputElement>('input[type=file]')!;
    await user.upload(picker, new File(['%PDF'], 'notes.pdf', { type: 'application/pdf' }));
    expect(screen.getByRole('alert')).toHaveTextContent(
      '“notes.pdf” is not a picture that can be sent. Choose a JPEG, PNG or WebP image.',
    );
    expect(screen.queryByRole('region', { name: /Send a photo/ })).toBeNull();
    expect(client.mutations).not.toHaveBeenCalled();
  });

  it('shows a picked picture with a caption field, then sends both', async () => {
    const { client } = renderComposer();
    const photo = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'cat.png', {
      type: 'image/png',
    });
    await userEvent.click(screen.getByRole('button', { name: 'Attach image' }));
    await userEvent.upload(document.querySelector<HTMLInputElement>('input[type=file]')!, photo);

    const preview = screen.getByRole('region', { name: 'Send a photo to Aisha' });
    expect(screen.getByRole('img', { name: 'The photo to send' })).toHaveAttribute(
      'src',
      'blob:preview',
    );
    expect(preview).toHaveTextContent('cat.png · 1 KB');
    await userEvent.type(screen.getByRole('textbox', { name: 'Caption' }), 'Our cat');
    await userEvent.click(screen.getByRole('button', { name: 'Send image' }));

    expect(client.mutations.mock.calls[0]?.[0].variables).toEqual({
      input: { deviceId: 'd1', chatJid: '601@s.whatsapp.net', image: photo, caption: 'Our cat' },
    });
    expect(screen.queryByRole('region', { name: 'Send a photo to Aisha' })).toBeNull();
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:preview');
  });
});
