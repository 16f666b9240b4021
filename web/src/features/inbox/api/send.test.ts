import { describe, expect, it, vi } from 'vitest';

import { createUrqlClient } from '@/lib/urql-client';

import { SendChatMessageMutation } from './send';

describe('sending a picture', () => {
  it('goes as a GraphQL multipart request with the file in its place', async () => {
    const fetchMock = vi.fn<typeof fetch>(() =>
      Promise.resolve(
        new Response(JSON.stringify({ data: null, errors: [{ message: 'stop here' }] }), {
          headers: { 'content-type': 'application/json' },
        }),
      ),
    );
    vi.stubGlobal('fetch', fetchMock);
    const { client, dispose } = createUrqlClient({ token: 'tok', onUnauthenticated: vi.fn() });
    const photo = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'cat.jpg', {
      type: 'image/jpeg',
    });

    await client
      .mutation(SendChatMessageMutation, {
        input: { deviceId: 'd1', chatJid: '601@s.whatsapp.net', image: photo, caption: 'Hi' },
      })
      .toPromise();

    const init = fetchMock.mock.calls[0]?.[1];
    const body = init?.body;
    expect(body).toBeInstanceOf(FormData);
    const form = body as FormData;
    const operations = JSON.parse(form.get('operations') as string) as {
      variables: { input: Record<string, unknown> };
    };
    expect(operations.variables.input).toMatchObject({ image: null, caption: 'Hi' });
    expect(JSON.parse(form.get('map') as string)).toEqual({ 0: ['variables.input.image'] });
    expect(form.get('0')).toBeInstanceOf(File);
    // The browser sets the multipart boundary itself.
    expect(new Headers(init?.headers).get('content-type')).toBeNull();
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer tok');
    dispose();
  });
});
