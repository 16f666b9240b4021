import type { Page } from '@playwright/test';

import {
  addPairedDevice,
  checkScreen,
  expect,
  logInWithToken,
  pickDevice,
  sendByApi,
  signUpByApi,
  simNetwork,
  test,
  uniqueEmail,
} from './helpers';

const PASSWORD = 'teal-harbor-42-lantern';
const RECIPIENT = '+60123456789';
const RECIPIENT_JID = '60123456789@s.whatsapp.net';

/** The rows of the outbox table (without its header row). */
function messageRows(page: Page) {
  return page
    .getByRole('table', { name: 'Outbox messages' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
}

/** The row of the message whose text contains `text`. */
function messageRow(page: Page, text: string) {
  return messageRows(page).filter({ hasText: text });
}

/** Sends a text through the New message dialog. */
async function sendFromDialog(page: Page, device: string, phone: string, text: string) {
  await page.getByRole('button', { name: 'New message' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  await pickDevice(dialog, device);
  await dialog.getByLabel('Phone number').fill(phone);
  await dialog.getByLabel('Message').fill(text);
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect(dialog).toHaveCount(0);
}

test('a user sends from the outbox and follows each message live: sent, failed, retried, read', async ({
  page,
  request,
}) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('outbox'),
    password: PASSWORD,
    fullName: 'Mei Tan',
  });
  const sim = simNetwork(request, token);
  const sales = await addPairedDevice(request, token, 'Sales 1', '+60111111111');
  const support = await addPairedDevice(request, token, 'Support', '+60122222222');

  await logInWithToken(page, token);
  await page.goto('/');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Outbox' })
    .click();
  await expect(page.getByRole('heading', { name: 'Outbox', level: 1 })).toBeVisible();

  // Nothing sent yet: the screen says what the outbox is.
  await expect(page.getByRole('heading', { name: 'Nothing sent yet' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('inbox replies, campaigns, sequences');
  await checkScreen(page, 'outbox-empty');

  // A new message: mistakes in the number are explained, by the form and then by the server.
  await page.getByRole('button', { name: 'New message' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  // It starts on the newest paired device.
  await expect(dialog.getByRole('combobox', { name: 'Device' })).toHaveValue(
    'Support · +60122222222',
  );
  await pickDevice(dialog, 'Sales 1 · +60111111111');
  await dialog.getByLabel('Phone number').fill('call me');
  await dialog.getByLabel('Message').fill('Hello from the outbox');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect(dialog.getByLabel('Phone number')).toHaveAccessibleDescription(
    /may only contain digits, spaces, \+, -/,
  );
  await dialog.getByLabel('Phone number').fill('0123 456 789');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect(dialog.getByLabel('Phone number')).toHaveAccessibleDescription(
    /Include the country code/,
  );
  await dialog.getByLabel('Phone number').fill(RECIPIENT);
  await checkScreen(page, 'outbox-new-message', { fullPage: false });
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect(dialog).toHaveCount(0);

  // The row appears at the top and follows the message out, without a reload.
  const first = messageRow(page, 'Hello from the outbox');
  await expect(first).toContainText('Sent');
  await expect(first).toContainText('Sales 1');
  await expect(first).toContainText(RECIPIENT);
  await expect(first).toContainText('Inbox');
  await expect(first.getByRole('cell', { name: '1', exact: true })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Sent' })).toHaveAccessibleDescription(
    '1 message',
  );

  // The network got it exactly once.
  const afterFirst = await sim.sent(sales);
  expect(afterFirst).toHaveLength(1);
  expect(afterFirst[0]).toMatchObject({
    to: RECIPIENT_JID,
    text: 'Hello from the outbox',
  });
  await checkScreen(page, 'outbox-sent');

  // The next send fails: the row says why, in plain words, and offers a retry.
  await sim.failSends(sales, 1, 'recipient not on WhatsApp');
  await sendFromDialog(page, 'Sales 1 · +60111111111', RECIPIENT, 'Second message');
  const second = messageRow(page, 'Second message');
  await expect(second).toContainText('Failed');
  await expect(second).toContainText('Recipient not on WhatsApp.');
  await expect(messageRows(page).first()).toContainText('Second message');
  // The summary follows within seconds (counted by the server, at most every few seconds).
  await expect(page.getByRole('checkbox', { name: 'Failed' })).toHaveAccessibleDescription(
    '1 message',
  );
  await checkScreen(page, 'outbox-failed');

  await second.getByRole('button', { name: 'Retry' }).click();
  await expect(second).toContainText('Sent');
  await expect(second).not.toContainText('Recipient not on WhatsApp');
  await expect(second.getByRole('button', { name: 'Retry' })).toHaveCount(0);
  await expect(second.getByRole('cell', { name: '2', exact: true })).toBeVisible();
  const afterRetry = await sim.sent(sales);
  expect(afterRetry.map((message) => message.text)).toEqual([
    'Hello from the outbox',
    'Second message',
  ]);

  // A script sends from the other device: the list offers the new message instead of jumping.
  await sendByApi(request, token, {
    deviceId: support,
    phone: '+60133333333',
    text: 'From a script',
  });
  const arrived = page.getByRole('status').filter({ hasText: 'new message' });
  await expect(arrived).toContainText('1 new message since the list was loaded.');
  await arrived.getByRole('button', { name: 'Show' }).click();
  await expect(messageRows(page).first()).toContainText('From a script');
  await expect(messageRow(page, 'From a script')).toContainText('Sent');
  await expect(arrived).toHaveCount(0);

  // One more failure, left as it is.
  await sim.failSends(sales, 1, 'recipient not on WhatsApp');
  await sendFromDialog(page, 'Sales 1 · +60111111111', '+60144444444', 'Third message');
  await expect(messageRow(page, 'Third message')).toContainText('Failed');
  await expect(messageRows(page)).toHaveCount(4);

  // Filter by status: the failed one, then the sent ones; then by device.
  await page.getByRole('checkbox', { name: 'Failed' }).check();
  await expect(messageRows(page)).toHaveCount(1);
  await expect(messageRow(page, 'Third message')).toBeVisible();
  await expect(page).toHaveURL(/[?&]status=FAILED\b/);
  await expect(page.getByRole('main')).toContainText('1 message matches these filters.');

  await page.getByRole('checkbox', { name: 'Failed' }).uncheck();
  await page.getByRole('checkbox', { name: 'Sent' }).check();
  await expect(messageRows(page)).toHaveCount(3);
  await pickDevice(page, 'Sales 1 · +60111111111');
  await expect(messageRows(page)).toHaveCount(2);
  await expect(messageRow(page, 'From a script')).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`[?&]device=${sales}\\b`));
  await checkScreen(page, 'outbox-filtered');

  // The address keeps the view: a reload (or a shared link) shows the same.
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Sent' })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Device' })).toHaveValue(
    'Sales 1 · +60111111111',
  );
  await expect(messageRows(page)).toHaveCount(2);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(messageRows(page)).toHaveCount(4);
  await expect(page.getByRole('checkbox', { name: 'All statuses' })).toBeChecked();

  // The contacts' phones confirm: delivered, then read — the ticks follow.
  const [hello, secondSent] = await sim.sent(sales);
  await sim.receipt(sales, [secondSent!.messageId], false);
  await sim.receipt(sales, [hello!.messageId], true);
  await expect(messageRow(page, 'Second message')).toContainText('Delivered');
  await expect(first).toContainText('Read');
  await expect(page.getByRole('checkbox', { name: 'Read' })).toHaveAccessibleDescription(
    '1 message',
  );
  await expect(page.getByRole('checkbox', { name: 'Delivered' })).toHaveAccessibleDescription(
    '1 message',
  );
  // At every width (on a phone each message is a card).
  await checkScreen(page, 'outbox-receipts');
});

test('a long outbox comes 50 messages at a time, with Load more', async ({ page, request }) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('outbox-many'),
    password: PASSWORD,
    fullName: 'Tomás Rivera',
  });
  // An hour between two sends: the first goes out, the others wait in the queue.
  const device = await addPairedDevice(request, token, 'Bulk', '+60155555555', {
    delaySeconds: 3600,
  });
  const send = (n: number) =>
    sendByApi(request, token, {
      deviceId: device,
      phone: RECIPIENT,
      text: `Note ${n}`,
    });
  await send(1);
  await expect.poll(async () => (await simNetwork(request, token).sent(device)).length).toBe(1);
  for (let n = 2; n <= 55; n += 1) await send(n);

  await logInWithToken(page, token);
  await page.goto('/outbox');
  await expect(page.getByRole('checkbox', { name: 'All statuses' })).toHaveAccessibleDescription(
    '55 messages',
  );
  await expect(page.getByRole('checkbox', { name: 'Queued' })).toHaveAccessibleDescription(
    '54 messages',
  );
  await expect(page.getByRole('checkbox', { name: 'Sent' })).toHaveAccessibleDescription(
    '1 message',
  );
  await expect(messageRows(page)).toHaveCount(50);
  await expect(messageRows(page).first()).toContainText('Note 55');
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(messageRows(page)).toHaveCount(55);
  await expect(messageRows(page).last()).toContainText('Note 1');
  await expect(messageRows(page).last()).toContainText('Sent');
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
});

test('queued messages wait their turn, and the screen says why; days filter too', async ({
  page,
  request,
}) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('outbox-queued'),
    password: PASSWORD,
    fullName: 'Aisha Rahman',
  });
  // A human pace: a minute between two sends.
  const device = await addPairedDevice(request, token, 'Front desk', '+60166666666', {
    delaySeconds: 60,
  });
  for (let n = 1; n <= 3; n += 1) {
    await sendByApi(request, token, {
      deviceId: device,
      phone: RECIPIENT,
      text: `Later ${n}`,
    });
  }

  await logInWithToken(page, token);
  await page.goto('/outbox');
  const last = messageRow(page, 'Later 3');
  await expect(last).toContainText('Queued');
  await expect(last).toContainText('Waiting for its turn');
  await expect(page.getByRole('main')).toContainText(
    'each device sends one message at a time, with a human-like pause',
  );
  await checkScreen(page, 'outbox-queued');

  // Days go to the server (as the user's midnights) and into the address.
  await page.getByLabel('From').fill('2099-01-01');
  await expect(page.getByRole('main')).toContainText('No messages match these filters.');
  await expect(page).toHaveURL(/[?&]from=2099-01-01\b/);
  await page.getByLabel('From').fill('2000-01-01');
  await page.getByLabel('To').fill('2099-12-31');
  await expect(messageRows(page)).toHaveCount(3);
  await expect(page).toHaveURL(/[?&]from=2000-01-01&to=2099-12-31$/);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/outbox$/);
});
