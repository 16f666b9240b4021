import type { APIRequestContext, Page } from '@playwright/test';

import {
  checkScreen,
  expect,
  gqlOk,
  logInWithToken,
  signUpByApi,
  test,
  uniqueEmail,
} from './helpers';

const PASSWORD = 'teal-harbor-42-lantern';
const PHONE = '+60123456789';

type Status =
  'PAIRING' | 'ONLINE' | 'RECONNECTING' | 'OFFLINE' | 'LOGGED_OUT' | 'BANNED' | 'FAILED';

async function signUp(request: APIRequestContext, fullName: string) {
  return signUpByApi(request, {
    email: uniqueEmail('devices'),
    password: PASSWORD,
    fullName,
  });
}

/** Logs in with `token` and goes to the Devices screen through the navigation. */
async function openDevices(page: Page, token: string) {
  await logInWithToken(page, token);
  await page.goto('/');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Devices' })
    .click();
  await expect(page.getByRole('heading', { name: 'Devices', level: 1 })).toBeVisible();
}

async function signUpAndOpenDevices(page: Page, request: APIRequestContext, fullName: string) {
  const token = await signUp(request, fullName);
  await openDevices(page, token);
  return token;
}

/** The simulated WhatsApp network (sim mode only): the test plays the phone. */
function simulator(request: APIRequestContext, token: string) {
  const call = (query: string, variables: Record<string, unknown>) =>
    gqlOk(request, query, variables, token);
  return {
    scanQr: (deviceId: string, phone: string) =>
      call(
        'mutation($id: ID!, $phone: String!) { simScanQr(deviceId: $id, phone: $phone) { id } }',
        {
          id: deviceId,
          phone,
        },
      ),
    disconnect: (deviceId: string) =>
      call('mutation($id: ID!) { simDisconnect(deviceId: $id) }', {
        id: deviceId,
      }),
    logOut: (deviceId: string) =>
      call('mutation($id: ID!) { simLogOut(deviceId: $id) }', { id: deviceId }),
    ban: (deviceId: string, seconds: number) =>
      call('mutation($id: ID!, $s: Int!) { simBan(deviceId: $id, seconds: $s) }', {
        id: deviceId,
        s: seconds,
      }),
    failConnects: (deviceId: string, count: number) =>
      call('mutation($id: ID!, $n: Int!) { simFailConnects(deviceId: $id, count: $n) }', {
        id: deviceId,
        n: count,
      }),
  };
}

/** The API, as a script with the user's token would use it. */
function api(request: APIRequestContext, token: string) {
  return {
    deviceIdByName: async (name: string) => {
      const data = await gqlOk<{
        devices: { nodes: { id: string; name: string }[] };
      }>(
        request,
        'query($search: String) { devices(first: 10, search: $search) { nodes { id name } } }',
        { search: name },
        token,
      );
      const device = data.devices.nodes.find((node) => node.name === name);
      if (!device) throw new Error(`no device named ${name}`);
      return device.id;
    },
    addDevice: async (name: string) => {
      const data = await gqlOk<{ addDevice: { id: string } }>(
        request,
        'mutation($input: AddDeviceInput!) { addDevice(input: $input) { id } }',
        { input: { name } },
        token,
      );
      return data.addDevice.id;
    },
    /** Waits until the device shows a QR code (a phone can only scan one that is shown). */
    waitForQr: async (id: string) => {
      await expect
        .poll(async () => {
          const data = await gqlOk<{
            device: { qrCode: { code: string } | null } | null;
          }>(request, 'query($id: ID!) { device(id: $id) { qrCode { code } } }', { id }, token);
          return data.device?.qrCode?.code ?? null;
        })
        .not.toBeNull();
    },
    device: async (id: string) => {
      const data = await gqlOk<{
        device: { status: Status; history: { status: Status }[] } | null;
      }>(
        request,
        'query($id: ID!) { device(id: $id) { status history(limit: 10) { status } } }',
        { id },
        token,
      );
      return data.device;
    },
  };
}

test('a user adds a device, links it by QR code, edits and deletes it', async ({
  page,
  request,
}) => {
  const token = await signUpAndOpenDevices(page, request, 'Dara Okafor');
  const sim = simulator(request, token);
  const server = api(request, token);

  // A new user has no devices: the screen says what a device is.
  await expect(page.getByRole('heading', { name: 'No devices yet' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add your first device' })).toBeVisible();
  await checkScreen(page, 'devices-empty');

  // Add a device: the dialog goes straight on to a live QR code.
  await page.getByRole('button', { name: 'Add device', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toHaveAccessibleName('Add a device');
  await dialog.getByLabel('Name').fill('Sales 1');
  await checkScreen(page, 'devices-add', { fullPage: false });
  await dialog.getByRole('button', { name: 'Add and link' }).click();

  await expect(dialog).toHaveAccessibleName('Link “Sales 1” to WhatsApp');
  await expect(dialog.getByRole('img', { name: 'QR code to link “Sales 1”' })).toBeVisible();
  await expect(dialog).toContainText(/Expires in \d:\d\d/);
  await expect(dialog).toContainText('Linked devices');
  await expect(
    dialog.getByRole('button', { name: 'Link with phone number instead' }),
  ).toBeVisible();
  await checkScreen(page, 'devices-qr', { fullPage: false });
  // On a phone the whole QR code is in the window, not cut off.
  await page.setViewportSize({ width: 390, height: 844 });
  const qrBox = await dialog.getByRole('img', { name: 'QR code to link “Sales 1”' }).boundingBox();
  expect(qrBox).not.toBeNull();
  expect(qrBox!.x).toBeGreaterThanOrEqual(0);
  expect(qrBox!.x + qrBox!.width).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 800 });

  // The phone scans the code: the dialog says so, with the number.
  const deviceId = await server.deviceIdByName('Sales 1');
  await sim.scanQr(deviceId, PHONE);
  await expect(dialog).toHaveAccessibleName('“Sales 1” is connected');
  await expect(dialog).toContainText(PHONE);
  await checkScreen(page, 'devices-online', { fullPage: false });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toHaveCount(0);

  const card = page.getByRole('article', { name: 'Sales 1' });
  await expect(card).toContainText('Online');
  await expect(card).toContainText(PHONE);
  await expect(card).toContainText('5–15 s');
  await expect(page.getByRole('heading', { name: 'Devices', level: 1 })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('1 device ·');

  // The connection drops; the device reconnects by itself and the card follows.
  await sim.disconnect(deviceId);
  await expect
    .poll(async () => (await server.device(deviceId))?.history.map((change) => change.status))
    .toContain('RECONNECTING');
  await expect.poll(async () => (await server.device(deviceId))?.status).toBe('ONLINE');
  await expect(card).toContainText('Online');

  // Edit the pacing: a minimum above the maximum is refused before anything is sent.
  await card.getByRole('button', { name: 'Actions for Sales 1' }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit “Sales 1”' });
  await edit.getByLabel('Minimum delay (seconds)').fill('20');
  await edit.getByLabel('Maximum delay (seconds)').fill('10');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByLabel('Maximum delay (seconds)')).toHaveAccessibleDescription(
    'The minimum delay cannot be larger than the maximum delay.',
  );
  await checkScreen(page, 'devices-edit-error', { fullPage: false });
  await edit.getByLabel('Maximum delay (seconds)').fill('30');
  await edit.getByLabel('Daily cap').fill('500');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toHaveCount(0);
  await expect(card).toContainText('20–30 s');
  await expect(card).toContainText('500 messages a day');

  // Delete it: the dialog says in plain words what goes with it.
  await card.getByRole('button', { name: 'Actions for Sales 1' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete “Sales 1”?' });
  await expect(confirm).toContainText('chats and their messages');
  await expect(confirm).toContainText('its leads');
  await expect(confirm).toContainText('outbox');
  await expect(confirm).toContainText(`WhatsApp on ${PHONE} no longer lists it`);
  await expect(confirm).toContainText('This cannot be undone.');
  await checkScreen(page, 'devices-delete', { fullPage: false });
  await confirm.getByRole('button', { name: 'Delete device' }).click();

  await expect(confirm).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'was deleted' })).toHaveText(
    /“Sales 1” was deleted\. Removed: 0 chats, 0 messages, 0 leads, 0 outbox messages\./,
  );
  await expect(card).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'No devices yet' })).toBeVisible();
  await checkScreen(page, 'devices-deleted');
  expect(await server.device(deviceId)).toBeNull();
});

test('the list shows each status live, filters by status and name, and pairs by phone number', async ({
  page,
  request,
}) => {
  const token = await signUp(request, 'Lena Fischer');
  const sim = simulator(request, token);
  const server = api(request, token);
  const timeZone = 'Asia/Kuala_Lumpur';
  await gqlOk(
    request,
    'mutation($zone: String!) { updateMe(input: { timeZone: $zone }) { id } }',
    { zone: timeZone },
    token,
  );

  const online = await server.addDevice('Sales 2');
  const banned = await server.addDevice('Marketing');
  const loggedOut = await server.addDevice('Ops');
  const failed = await server.addDevice('Night shift');
  await server.addDevice('Support');
  for (const id of [online, banned, loggedOut, failed]) await server.waitForQr(id);

  await openDevices(page, token);
  const card = (name: string) => page.getByRole('article', { name });
  await expect(page.getByRole('article')).toHaveCount(5);
  await expect(card('Support')).toContainText('Not paired yet');

  // A device added elsewhere (another tab, a script) appears at the top, live.
  await server.addDevice('Front desk');
  await expect(card('Front desk')).toContainText('Pairing');
  await expect(page.getByRole('article').first()).toHaveAccessibleName('Front desk');
  await expect(page.getByRole('main')).toContainText('6 devices ·');

  // The phones act; each card follows along without a reload.
  await sim.scanQr(online, '+60111111111');
  await sim.scanQr(banned, '+60122222222');
  await sim.scanQr(loggedOut, '+60133333333');
  await sim.scanQr(failed, '+60144444444');
  await sim.ban(banned, 3600);
  await sim.logOut(loggedOut);
  await sim.failConnects(failed, 20);
  await sim.disconnect(failed);

  await expect(card('Sales 2')).toContainText('Online');
  await expect(card('Sales 2')).toContainText('+60111111111');
  await expect(card('Marketing')).toContainText('Banned');
  // The ban ends at a time shown in the user's time zone.
  const { device: bannedDevice } = await gqlOk<{
    device: { bannedUntil: string };
  }>(request, 'query($id: ID!) { device(id: $id) { bannedUntil } }', { id: banned }, token);
  const hourMinute = new Intl.DateTimeFormat('en-US', {
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
  })
    .format(new Date(bannedDevice.bannedUntil))
    .match(/^\d{1,2}:\d\d/)?.[0];
  await expect(card('Marketing')).toContainText(
    new RegExp(`Banned until [^;]*\\b${hourMinute}\\b[^;]*; sends are paused\\.`),
  );
  await expect(card('Ops')).toContainText('Logged out');
  await expect(card('Night shift')).toContainText('Failed', {
    timeout: 20_000,
  });
  await expect(card('Night shift')).toContainText('Stopped trying after');
  await checkScreen(page, 'devices-list');

  // Filter by status, then search by name.
  await page.getByLabel('Status').selectOption({ label: 'Banned' });
  await expect(page.getByRole('article')).toHaveCount(1);
  await expect(card('Marketing')).toBeVisible();
  await page.getByLabel('Status').selectOption({ label: 'All statuses' });
  await page.getByLabel('Search').fill('sales');
  await expect(page.getByRole('article')).toHaveCount(1);
  await expect(card('Sales 2')).toBeVisible();
  await page.getByLabel('Search').fill('+60144');
  await expect(page.getByRole('article')).toHaveCount(1);
  await expect(card('Night shift')).toBeVisible();
  await page.getByLabel('Search').fill('nobody');
  await expect(page.getByRole('main')).toContainText('No devices match your search.');
  await page.getByRole('button', { name: 'Show all devices' }).click();
  await expect(page.getByRole('article')).toHaveCount(6);

  // A pairing device shows its QR code again, or a code to type on the phone.
  await card('Support').getByRole('button', { name: 'Show QR code' }).click();
  const dialog = page.getByRole('dialog', {
    name: 'Link “Support” to WhatsApp',
  });
  await expect(dialog.getByRole('img', { name: 'QR code to link “Support”' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Link with phone number instead' }).click();
  await dialog.getByLabel('Phone number').fill('+60 19-876 5432');
  await dialog.getByRole('button', { name: 'Get pairing code' }).click();
  await expect(dialog.getByLabel(/^Pairing code/)).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await expect(dialog).toContainText('Link with phone number instead');
  await checkScreen(page, 'devices-pairing-code', { fullPage: false });
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // A logged-out device pairs again with a new QR code.
  await card('Ops').getByRole('button', { name: 'Pair again' }).click();
  const again = page.getByRole('dialog', { name: 'Link “Ops” to WhatsApp' });
  await expect(again.getByRole('img', { name: 'QR code to link “Ops”' })).toBeVisible();
  await server.waitForQr(loggedOut);
  await sim.scanQr(loggedOut, '+60133333333');
  await expect(again).toHaveCount(0);
  await expect(page.getByRole('dialog', { name: '“Ops” is connected' })).toContainText(
    '+60133333333',
  );
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(card('Ops')).toContainText('Online');

  // A failed device is retried with Reconnect.
  await card('Night shift').getByRole('button', { name: 'Reconnect' }).click();
  await expect.poll(async () => (await server.device(failed))?.status).not.toBe('FAILED');
});

test('a long list comes 50 devices at a time, with Load more', async ({ page, request }) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail('many'),
    password: PASSWORD,
    fullName: 'Ravi Menon',
  });
  const server = api(request, token);
  for (let n = 1; n <= 55; n += 1) await server.addDevice(`Line ${n}`);

  await logInWithToken(page, token);
  await page.goto('/devices');
  await expect(page.getByRole('main')).toContainText('55 devices ·');
  await expect(page.getByRole('article')).toHaveCount(50);
  await expect(page.getByRole('article').first()).toHaveAccessibleName('Line 55');
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(page.getByRole('article')).toHaveCount(55);
  await expect(page.getByRole('article').last()).toHaveAccessibleName('Line 1');
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
});

test.describe('with QR codes that expire within seconds', () => {
  test.use({ baseURL: process.env.WAFLEET_E2E_FAST_QR_URL });

  test('an unscanned QR code expires and a new one can be asked for', async ({ page, request }) => {
    const token = await signUpAndOpenDevices(page, request, 'Sam Lee');
    const sim = simulator(request, token);
    const server = api(request, token);

    await page.getByRole('button', { name: 'Add your first device' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Warehouse');
    await page.getByRole('dialog').getByRole('button', { name: 'Add and link' }).click();
    const dialog = page.getByRole('dialog', {
      name: 'Link “Warehouse” to WhatsApp',
    });
    const qr = dialog.getByRole('img', { name: 'QR code to link “Warehouse”' });

    // Nobody scans: the codes run out and the dialog offers a new one.
    await expect(dialog).toContainText('The QR code expired.', {
      timeout: 20_000,
    });
    await expect(qr).toHaveCount(0);
    await checkScreen(page, 'devices-qr-expired', { fullPage: false });
    await page.keyboard.press('Escape');
    const card = page.getByRole('article', { name: 'Warehouse' });
    await expect(card).toContainText('The QR code expired. Ask for a new one.');

    // Back to the card: show the QR code, ask for a new one, scan it.
    await card.getByRole('button', { name: 'Show QR code' }).click();
    await dialog.getByRole('button', { name: 'Get a new QR code' }).click();
    await expect(qr).toBeVisible();
    const warehouse = await server.deviceIdByName('Warehouse');
    await server.waitForQr(warehouse);
    await sim.scanQr(warehouse, '+60177777777');
    await expect(page.getByRole('dialog', { name: '“Warehouse” is connected' })).toContainText(
      '+60177777777',
    );
  });
});
