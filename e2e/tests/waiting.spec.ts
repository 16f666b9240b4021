import {
  addPairedDevice,
  checkScreen,
  expect,
  gqlOk,
  logInWithToken,
  signUpByApi,
  test,
  uniqueEmail,
} from './helpers';

const PASSWORD = 'amber-quay-57-compass';

test('the chats waiting for a reply on every device are listed longest waiting first, and answering one takes it off', async ({
  page,
  request,
}) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('waiting'),
    password: PASSWORD,
    fullName: 'Nur Aziz',
  });
  const north = await addPairedDevice(request, token, 'North shop', '+60111110001');
  const south = await addPairedDevice(request, token, 'South shop', '+60111110002');
  const now = Math.floor(Date.now() / 1000);
  const history = (
    deviceId: string,
    chats: { jid: string; name: string; messages: Record<string, unknown>[] }[],
  ) =>
    gqlOk(
      request,
      'mutation($id: ID!, $chats: [SimChatInput!]!) { simHistorySync(deviceId: $id, chats: $chats) }',
      { id: deviceId, chats },
      token,
    );
  await history(north, [
    {
      jid: '60122220001@s.whatsapp.net',
      name: 'Aisha Rahman',
      messages: [
        { id: 'W-A1', text: 'Do you ship to Penang?', timestamp: now - 26 * 3600 },
        { id: 'W-A2', text: 'Hello?', timestamp: now - 25 * 3600 },
      ],
    },
    {
      jid: '60122220002@s.whatsapp.net',
      name: 'Chen Wei',
      messages: [
        { id: 'W-C1', text: 'Thanks, got it', timestamp: now - 7200 },
        { id: 'W-C2', fromMe: true, text: 'You are welcome!', timestamp: now - 7000 },
      ],
    },
  ]);
  await history(south, [
    {
      jid: '60122220003@s.whatsapp.net',
      name: 'Ben Lim',
      messages: [{ id: 'W-B1', text: 'Is the red one in stock?', timestamp: now - 3 * 3600 }],
    },
  ]);

  // Ben writes again now: he still waits since his first message, and it is unread.
  await gqlOk(
    request,
    'mutation($id: ID!, $from: String!, $text: String!) { simInboundMessage(deviceId: $id, from: $from, text: $text) }',
    { id: south, from: '+60122220003', text: 'Still there?' },
    token,
  );

  await logInWithToken(page, token);
  await page.goto('/');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Waiting' })
    .click();
  await expect(page).toHaveURL(/\/waiting$/);
  await expect(page.getByRole('heading', { name: 'Waiting for a reply', level: 1 })).toBeVisible();
  await expect(page.getByText('2 chats across your devices')).toBeVisible();

  // Longest waiting first, each with its device and how long; Chen has our answer last.
  const rows = page.getByRole('list', { name: 'Chats waiting for a reply' }).getByRole('link');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Aisha Rahman');
  await expect(rows.nth(0)).toContainText('Hello?');
  await expect(rows.nth(0)).toContainText('on North shop');
  await expect(rows.nth(0)).toContainText('1 d 2 h');
  await expect(rows.nth(1)).toContainText('Ben Lim');
  await expect(rows.nth(1)).toContainText('Still there?');
  await expect(rows.nth(1)).toContainText('on South shop');
  await expect(rows.nth(1)).toContainText('3 h');
  await expect(page.getByText('Chen Wei')).toHaveCount(0);
  await checkScreen(page, 'waiting');

  // A row opens the chat in its device's inbox; an answer from there ends the wait.
  await rows.nth(0).click();
  await expect(page).toHaveURL(new RegExp(`/devices/${north}/inbox\\?chat=60122220001`));
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill('Yes, we ship to Penang.');
  await input.press('Enter');
  await expect(input).toHaveValue('');

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Waiting' })
    .click();
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText('Ben Lim');
  await expect(page.getByText('1 chat across your devices')).toBeVisible();

  // The devices' cards count their unread chats (history comes read; Ben's new message is not).
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Devices' })
    .click();
  const southCard = page.getByRole('article', { name: 'South shop' });
  await expect(southCard.getByText('Unread chats')).toBeVisible();
  await expect(southCard.locator('dd').last()).toHaveText('1');
  await expect(page.getByRole('article', { name: 'North shop' }).locator('dd').last()).toHaveText(
    'None',
  );
});
