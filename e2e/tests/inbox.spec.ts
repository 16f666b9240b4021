import type { Page, WebSocketRoute } from '@playwright/test';

import {
  addPairedDevice,
  checkScreen,
  expect,
  gqlOk,
  logInWithToken,
  pickDevice,
  signUpByApi,
  simNetwork,
  test,
  uniqueEmail,
} from './helpers';

const PASSWORD = 'teal-harbor-42-lantern';
const AISHA = '+60123456789';
const AISHA_JID = '60123456789@s.whatsapp.net';
const BEN = '+60198765432';
const BEN_JID = '60198765432@s.whatsapp.net';
const CHEN_JID = '60177777777@s.whatsapp.net';
const GROUP_JID = '120363041234567890@g.us';

/** A 120×80 PNG (stripes and a green circle), as a phone's photo would be. */
const PHOTO_PNG = Buffer.from(
  [
    'iVBORw0KGgoAAAANSUhEUgAAAHgAAABQCAIAAABd+SbeAAABmklEQVR42u3cPU4DURRDYXdZCSsiNSW7ZBUsg02k',
    'S5GfYUCMn/E90rSWoi9SEsm51uvH18ZzejtvPGT3Z4WUJyukPFkh5ckKKU9WSHmyQsqTFVKerJDyZIWUJyukPFkh',
    '5ckKKU9WSHmyQsqTFVKerJDyZIWUJyukPFnlv+KXz/c9T/g7pFjlnb73D53h3uyvib/lpjP8Y+WH1nSGhyjfWNMZ',
    'HkX87HtydGd4qPK29azOcBX0rM7QoPzQelZnaFO+sZ7VGZqVr9bjOsMl0OM6wyXK29adnWEadG1nGAVd2xkuVL63',
    'bu4Mc6DLO8MQ6P7OMAF6RGe4HHpKZ5gMXdUZxkK3dYaZ0IWdYSB0Z2eYBl3bGUZBN3eGOdDlnWEI9IjOcJTyys5w',
    'LfSgzjCwYaEzpDP8h23W0DvDIcoRd4YTlFPuDOuVU+4MW//LkXhn2K0cd2fY94mRe2dYqRx6Z9inzJ0h26Q//03C',
    'NilZtknZJmWbFGW2SdkmJcs2KdukbJOizDYp26Rk2SZlm5RtUpTZJmWblCzbpGyTlmUvEa/I8iucBQEAAAAASUVO',
    'RK5CYII=',
  ].join(''),
  'base64',
);

/**
 * A chat in the list is named by what it shows, starting with the contact (and how many of
 * their messages are unread): `Ben Lim, 1 unread message 10:30 Hello?`.
 */
function chatName(contact: string, unread = 0) {
  const escaped = contact.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const count = unread > 0 ? ` ?, ${unread} unread message${unread === 1 ? '' : 's'}` : '(?! ?,)';
  return new RegExp(`^${escaped}${count}`);
}

type SimSent = {
  to: string;
  text: string | null;
  caption: string | null;
  hasImage: boolean;
  messageId: string;
};

/**
 * Holds back the `messageUpdated` events the page gets over its WebSocket while `holding`, so
 * the moment between "sent from here" and "on the network" can be seen: with no pause between
 * sends the simulated network takes a few milliseconds.
 */
async function statusGate(page: Page) {
  let holding = false;
  const held: (() => void)[] = [];
  await page.routeWebSocket(/\/graphql\/ws$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (holding && typeof message === 'string' && message.includes('"messageUpdated"')) {
        held.push(() => ws.send(message));
      } else {
        ws.send(message);
      }
    });
  });
  return {
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const send of held.splice(0)) send();
    },
  };
}

test('a user reads and answers chats in the inbox, live: new messages, ticks, a photo, read receipts', async ({
  page,
  request,
}) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('inbox'),
    password: PASSWORD,
    fullName: 'Mei Tan',
  });
  const sim = simNetwork(request, token);
  const deviceId = await addPairedDevice(request, token, 'Sales 1', '+60111111111');
  const inbound = (from: string, text: string) =>
    gqlOk(
      request,
      'mutation($id: ID!, $from: String!, $text: String) { simInboundMessage(deviceId: $id, from: $from, text: $text) }',
      { id: deviceId, from, text },
      token,
    );
  const simSent = async () =>
    (
      await gqlOk<{ simSent: SimSent[] }>(
        request,
        'query($id: ID!) { simSent(deviceId: $id) { to text caption hasImage messageId } }',
        { id: deviceId },
        token,
      )
    ).simSent;

  // The user lives in Kuala Lumpur (UTC+8): times show there.
  await gqlOk(
    request,
    'mutation($input: UpdateMeInput!) { updateMe(input: $input) { id } }',
    { input: { timeZone: 'Asia/Kuala_Lumpur' } },
    token,
  );
  const now = Math.floor(Date.now() / 1000);
  const KL_OFFSET = 8 * 3600;
  const todayKl = Math.floor((now + KL_OFFSET) / 86400) * 86400 - KL_OFFSET;
  /** Yesterday in Kuala Lumpur at `hours` o'clock, in seconds. */
  const yesterdayAt = (hours: number) => todayKl - 86400 + hours * 3600;

  // The phone syncs its history: three personal chats and a group (never listed).
  await gqlOk(
    request,
    'mutation($id: ID!, $chats: [SimChatInput!]!) { simHistorySync(deviceId: $id, chats: $chats) }',
    {
      id: deviceId,
      chats: [
        {
          jid: AISHA_JID,
          name: 'Aisha Rahman',
          messages: [
            {
              id: 'H-A1',
              text: 'Hi! Is the blue dress still available?',
              timestamp: yesterdayAt(10.5),
            },
            {
              id: 'H-A2',
              fromMe: true,
              text: 'Yes, in M and L.',
              timestamp: yesterdayAt(11.25),
            },
          ],
        },
        {
          jid: BEN_JID,
          name: 'Ben Lim',
          messages: [
            {
              id: 'H-B1',
              text: 'Can you deliver on Saturday?',
              timestamp: now - 600,
            },
          ],
        },
        {
          jid: CHEN_JID,
          name: 'Chen Wei',
          messages: [
            {
              id: 'H-C1',
              fromMe: true,
              text: 'Thanks for your order!',
              timestamp: now - 3 * 86400,
            },
          ],
        },
        {
          jid: GROUP_JID,
          name: 'Family group',
          messages: [{ id: 'H-G1', text: 'Dinner at 8?', timestamp: now - 60 }],
        },
      ],
    },
    token,
  );

  const gate = await statusGate(page);
  await logInWithToken(page, token);
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
  await expect(page).toHaveURL(new RegExp(`/devices/${deviceId}/inbox$`));
  await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Device' })).toHaveValue(
    'Sales 1 · +60111111111',
  );

  // The personal chats, newest first; the group is not among them.
  const chats = page.getByRole('list', { name: 'Chats' }).getByRole('link');
  await expect(chats).toHaveCount(3);
  await expect(chats.nth(0)).toHaveAccessibleName(chatName('Ben Lim'));
  await expect(chats.nth(1)).toHaveAccessibleName(chatName('Aisha Rahman'));
  await expect(chats.nth(2)).toHaveAccessibleName(chatName('Chen Wei'));
  await expect(page.getByRole('link', { name: 'Family group' })).toHaveCount(0);
  await expect(chats.nth(0)).toContainText('Can you deliver on Saturday?');
  await expect(chats.nth(1)).toContainText('Yesterday');
  await expect(page.getByRole('region', { name: 'Chat list' })).toContainText(
    'Only personal chats with a message in the last 30 days appear here.',
  );
  await checkScreen(page, 'inbox-chats');

  // Arrow keys move through the list; the list is one Tab stop.
  await chats.nth(0).focus();
  await page.keyboard.press('ArrowDown');
  await expect(chats.nth(1)).toBeFocused();
  await page.keyboard.press('End');
  await expect(chats.nth(2)).toBeFocused();
  await page.keyboard.press('Home');
  await expect(chats.nth(0)).toBeFocused();
  await expect(chats.nth(1)).toHaveAttribute('tabindex', '-1');

  // Opening a chat shows its thread.
  await chats.nth(1).click();
  const chat = page.getByRole('region', { name: 'Chat with Aisha Rahman' });
  const thread = chat.getByRole('log', { name: 'Messages' });
  await expect(chat.getByRole('heading', { name: 'Aisha Rahman' })).toBeVisible();
  await expect(thread).toContainText('Hi! Is the blue dress still available?');
  await expect(thread.getByRole('heading', { name: 'Yesterday' })).toBeVisible();
  await expect(
    thread.getByRole('listitem').filter({ hasText: 'Is the blue dress still available?' }),
  ).toContainText('10:30');
  await expect(
    thread.getByRole('listitem').filter({ hasText: 'Yes, in M and L.' }).getByRole('img', {
      name: 'Sent',
    }),
  ).toBeVisible();
  await expect(thread).toContainText('wafleet keeps the newest 20 messages of each chat.');

  // Aisha writes: it appears in the open chat at once and her chat jumps to the top.
  await inbound(AISHA, 'Can I pick it up today?');
  await expect(
    thread.getByRole('listitem').filter({ hasText: 'Can I pick it up today?' }),
  ).toBeVisible();
  await expect(thread.getByRole('heading', { name: 'Today' })).toBeVisible();
  await expect(chats.nth(0)).toHaveAccessibleName(chatName('Aisha Rahman'));
  await expect(chats.nth(0)).toContainText('Can I pick it up today?');

  // Ben writes meanwhile: his chat goes to the top with an unread badge.
  await inbound(BEN, 'Hello?');
  await expect(chats.nth(0)).toHaveAccessibleName(chatName('Ben Lim', 1));
  await expect(chats.nth(1)).toHaveAccessibleName(chatName('Aisha Rahman'));

  // A reply: the bubble shows at once with a clock, then one tick once on the network.
  const reply = 'Yes! See you at 5.';
  const input = chat.getByRole('textbox', { name: 'Message' });
  await input.fill(reply);
  gate.hold();
  await input.press('Enter');
  await expect(input).toHaveValue('');
  const replyBubble = thread.getByRole('listitem').filter({ hasText: reply });
  await expect(replyBubble.getByRole('img', { name: 'Pending' })).toBeVisible();
  gate.release();
  await expect(replyBubble.getByRole('img', { name: 'Sent' })).toBeVisible();
  await expect(chats.nth(0)).toHaveAccessibleName(chatName('Aisha Rahman'));

  // A web address in a message is a link that opens apart from the app.
  await inbound(AISHA, 'The catalogue: https://shop.example.com/dresses.');
  const link = thread.getByRole('link', {
    name: 'https://shop.example.com/dresses',
  });
  await expect(link).toHaveAttribute('href', 'https://shop.example.com/dresses');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await checkScreen(page, 'inbox-thread');

  // A photo with a caption: previewed, then sent.
  const caption = 'The blue dress, size M';
  const chooser = page.waitForEvent('filechooser');
  await chat.getByRole('button', { name: 'Attach image' }).click();
  await (await chooser).setFiles({ name: 'dress.png', mimeType: 'image/png', buffer: PHOTO_PNG });
  const preview = page.getByRole('region', {
    name: 'Send a photo to Aisha Rahman',
  });
  await expect(preview.getByRole('img', { name: 'The photo to send' })).toBeVisible();
  await preview.getByRole('textbox', { name: 'Caption' }).fill(caption);
  await preview.getByRole('button', { name: 'Send image' }).click();
  await expect(preview).toHaveCount(0);
  const photoBubble = thread.getByRole('listitem').filter({ hasText: caption });
  await expect(photoBubble.getByRole('img', { name: `Photo: ${caption}` })).toBeVisible();
  await expect(photoBubble.getByRole('img', { name: 'Sent' })).toBeVisible();

  // The network got the text and the photo with its caption, each exactly once.
  await expect
    .poll(async () =>
      (await simSent()).map(({ to, text, caption, hasImage }) => ({
        to,
        text,
        caption,
        hasImage,
      })),
    )
    .toEqual([
      { to: AISHA_JID, text: reply, caption: null, hasImage: false },
      { to: AISHA_JID, text: null, caption, hasImage: true },
    ]);

  // Aisha reads the text: its ticks turn blue; the photo stays sent.
  const textSend = (await simSent()).find((sent) => sent.text === reply);
  expect(textSend).toBeDefined();
  await sim.receipt(deviceId, [textSend!.messageId], true);
  await expect(replyBubble.getByRole('img', { name: 'Read' })).toBeVisible();
  await expect(photoBubble.getByRole('img', { name: 'Sent' })).toBeVisible();

  // A click on the photo opens it large; Escape closes the viewer, then the chat.
  await photoBubble.getByRole('button', { name: `Open the photo: ${caption}` }).click();
  const viewer = page.getByRole('dialog', { name: caption });
  await expect(viewer.getByRole('img', { name: `Photo: ${caption}` })).toBeVisible();
  await checkScreen(page, 'inbox-photo-viewer', { fullPage: false });
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);
  await expect(chat).toBeVisible();
  await checkScreen(page, 'inbox-image');
  await page.keyboard.press('Escape');
  await expect(chat).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/devices/${deviceId}/inbox$`));
  await chats.filter({ hasText: 'Aisha Rahman' }).click();
  await expect(chat).toBeVisible();

  // Opening Ben's chat reads it: the badge goes.
  await chats.filter({ hasText: 'Ben Lim' }).click();
  await expect(page.getByRole('region', { name: 'Chat with Ben Lim' })).toContainText('Hello?');
  await expect(chats.filter({ hasText: 'Ben Lim' })).toHaveAccessibleName(chatName('Ben Lim'));
});

test('a new chat starts from a phone number, and each device card opens its inbox', async ({
  page,
  request,
}) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('inbox-new'),
    password: PASSWORD,
    fullName: 'Mei Tan',
  });
  const deviceId = await addPairedDevice(request, token, 'Support', '+60122222222');

  await logInWithToken(page, token);
  await page.goto('/devices');
  await page.getByRole('link', { name: 'Open inbox of Support' }).click();
  await expect(page).toHaveURL(new RegExp(`/devices/${deviceId}/inbox$`));
  await expect(page.getByRole('region', { name: 'Chat list' })).toContainText('No chats yet');

  await page.getByRole('button', { name: 'New chat' }).click();
  const dialog = page.getByRole('dialog', { name: 'New chat' });
  await checkScreen(page, 'inbox-new-chat', { fullPage: false });
  await dialog.getByLabel('Phone number').fill('12345');
  await dialog.getByLabel('First message').fill('Hello from Support');
  await dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(dialog.getByLabel('Phone number')).toHaveAccessibleDescription(
    /8 to 15 digits including the country code/,
  );
  await dialog.getByLabel('Phone number').fill('+60 12-999 8888');
  await dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(dialog).toHaveCount(0);

  const chat = page.getByRole('region', { name: 'Chat with +60129998888' });
  await expect(chat.getByRole('log', { name: 'Messages' })).toContainText('Hello from Support');
  const chats = page.getByRole('list', { name: 'Chats' }).getByRole('link');
  await expect(chats).toHaveCount(1);
  await expect(chats.first()).toHaveAccessibleName(chatName('+60129998888'));
  await expect(page).toHaveURL(/\?chat=60129998888%40s\.whatsapp\.net$/);
});

test('after the live connection drops, the inbox catches up from the last message it saw', async ({
  page,
  request,
}) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('inbox-reconnect'),
    password: PASSWORD,
    fullName: 'Mei Tan',
  });
  const deviceId = await addPairedDevice(request, token, 'Sales 2', '+60133333333');
  const inbound = (text: string) =>
    gqlOk(
      request,
      'mutation($id: ID!, $from: String!, $text: String) { simInboundMessage(deviceId: $id, from: $from, text: $text) }',
      { id: deviceId, from: AISHA, text },
      token,
    );
  const newestMessageId = async () =>
    (
      await gqlOk<{ messages: { nodes: { id: string }[] } }>(
        request,
        'query($id: ID!, $jid: String!) { messages(deviceId: $id, chatJid: $jid, last: 1) { nodes { id } } }',
        { id: deviceId, jid: AISHA_JID },
        token,
      )
    ).messages.nodes[0]?.id;

  // What the page asks over its WebSocket, and a way to cut the connection.
  const sent: string[] = [];
  let socket: WebSocketRoute | null = null;
  await page.routeWebSocket(/\/graphql\/ws$/, (ws) => {
    socket = ws;
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === 'string') sent.push(message);
      server.send(message);
    });
    ws.onClose(() => server.close());
  });

  await inbound('First question');
  await logInWithToken(page, token);
  await page.goto(`/devices/${deviceId}/inbox?chat=${encodeURIComponent(AISHA_JID)}`);
  const thread = page.getByRole('log', { name: 'Messages' });
  await expect(thread).toContainText('First question');

  // A message seen live, then the connection drops (the server restarts, say). Events before
  // the subscription reaches the server are not sent to it: wait until it has asked, and a
  // moment for the server to take it in.
  await expect
    .poll(() =>
      sent.some((raw) => raw.includes('"subscribe"') && raw.includes('InboxMessageAdded')),
    )
    .toBe(true);
  await page.waitForTimeout(500);
  await inbound('Second question');
  await expect(thread).toContainText('Second question');
  const lastSeen = await newestMessageId();
  (socket as WebSocketRoute | null)?.close({ code: 1012, reason: 'restart' });
  await inbound('Asked while you were away');

  // Back online: the message missed meanwhile shows, once, and the subscription asked for
  // what came after the last message it had seen.
  await expect(
    thread.getByRole('listitem').filter({ hasText: 'Asked while you were away' }),
  ).toHaveCount(1, { timeout: 15_000 });
  const resumed = sent
    .map(
      (raw) =>
        JSON.parse(raw) as {
          type: string;
          payload?: { variables?: { after?: string } };
        },
    )
    .filter((message) => message.type === 'subscribe' && message.payload?.variables?.after);
  expect(resumed.map((message) => message.payload?.variables?.after)).toContain(lastSeen);
  await expect(page.getByRole('list', { name: 'Chats' }).getByRole('link').first()).toContainText(
    'Asked while you were away',
  );
});

test('the device picker finds any device by name or number, beyond the first page, and opens an old device’s inbox', async ({
  page,
  request,
}) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('inbox-picker'),
    password: PASSWORD,
    fullName: 'Ravi Menon',
  });
  // The oldest device, then more than a page of newer ones (the picker loads 20 at a time).
  const old = await addPairedDevice(request, token, 'Old line', '+60155550000');
  for (let n = 1; n <= 24; n += 1) {
    await gqlOk(
      request,
      'mutation($input: AddDeviceInput!) { addDevice(input: $input) { id } }',
      { input: { name: `Line ${String(n).padStart(2, '0')}` } },
      token,
    );
  }
  const newest = await addPairedDevice(request, token, 'Front desk', '+60166660000');

  // A link to the old device's inbox shows it in the picker, not "Loading…" for ever.
  await logInWithToken(page, token);
  await page.goto(`/devices/${old}/inbox`);
  const picker = page.getByRole('combobox', { name: 'Device' });
  await expect(picker).toHaveValue('Old line · +60155550000');
  await expect(page.getByRole('region', { name: 'Chat list' })).toContainText('No chats yet');

  // Keyboard only: open the list, walk down it; scrolling to its end brings the next page.
  await picker.focus();
  await page.keyboard.press('ArrowDown');
  await expect(picker).toHaveAttribute('aria-expanded', 'true');
  const options = page.getByRole('listbox', { name: 'Device choices' }).getByRole('option');
  await expect(options).toHaveCount(20);
  await expect(options.first()).toHaveAccessibleName('Front desk · +60166660000');
  for (let n = 0; n < 19; n += 1) await page.keyboard.press('ArrowDown');
  await expect(options).toHaveCount(26);
  await checkScreen(page, 'inbox-device-picker', { fullPage: false });
  await page.keyboard.press('Escape');
  await expect(picker).toHaveAttribute('aria-expanded', 'false');
  await expect(picker).toHaveValue('Old line · +60155550000');

  // Typing searches the server, by name or by number; Enter opens that device's inbox.
  await picker.fill('6666');
  await expect(options).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/devices/${newest}/inbox$`));
  await expect(picker).toHaveValue('Front desk · +60166660000');
  await pickDevice(page, 'Old line · +60155550000', { search: 'old' });
  await expect(page).toHaveURL(new RegExp(`/devices/${old}/inbox$`));
});
