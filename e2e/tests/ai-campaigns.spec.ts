import type { APIRequestContext } from '@playwright/test';

import {
  addPairedDevice,
  checkScreen,
  expect,
  gqlOk,
  logInWithToken,
  openScreen,
  recipientDigits,
  signUpByApi,
  simNetwork,
  tableRows,
  test,
  uniqueEmail,
  waitDeviceOnline,
} from './helpers';

const PASSWORD = 'teal-harbor-42-lantern';
const DEVICES = 5;
const LEADS = 20;
const LIMIT = 3;
const TAG = 'beauty';
const TITLE = 'Pool promo';

type Fleet = { token: string; devices: string[]; phones: Set<string> };

/**
 * A user with five ONLINE devices (no pause between sends) and 20 leads in the AI pool, tagged
 * "beauty"; `phones` holds the leads' numbers (digits).
 */
async function fleetWithPool(request: APIRequestContext): Promise<Fleet> {
  const token = await signUpByApi(request, {
    email: uniqueEmail('ai-campaigns'),
    password: PASSWORD,
    fullName: 'Mei Tan',
  });
  const devices: string[] = [];
  for (let index = 1; index <= DEVICES; index += 1) {
    // `addPairedDevice` sets the device's pauses to 0 s (`updateDevice`).
    devices.push(await addPairedDevice(request, token, `AI ${index}`, `+6019910000${index}`));
  }
  for (const id of devices) await waitDeviceOnline(request, token, id);
  const phones = new Set<string>();
  for (let index = 0; index < LEADS; index += 1) {
    const phone = `+601130000${String(index).padStart(2, '0')}`;
    await gqlOk(
      request,
      'mutation($input: AiLeadInput!) { createAiLead(input: $input) { id } }',
      { input: { name: `Pool lead ${index}`, phone, niches: [TAG] } },
      token,
    );
    phones.add(recipientDigits(phone));
  }
  return { token, devices, phones };
}

test('an AI campaign deals 20 pool leads over 5 devices, 3 each, and leaves 5 in the pool', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const fleet = await fleetWithPool(request);

  await logInWithToken(page, fleet.token);
  await page.goto('/');
  await openScreen(page, 'Campaigns');

  // The dialog: an AI campaign, a limit of 3 per device, the pool's tag, no pause.
  await page.getByRole('button', { name: 'New campaign' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New campaign' });
  await dialog.getByRole('radio', { name: /^AI campaign/ }).check();
  await expect(dialog.getByText('All my online devices')).toBeVisible();
  await dialog.getByLabel('Limit per device').fill(String(LIMIT));
  await dialog.getByLabel('Title').fill(TITLE);
  await dialog.getByLabel('Message').fill('Hi {name|there}, our pool offer is here.');
  // The tag counts the AI pool's leads.
  const tag = dialog.getByRole('checkbox', { name: new RegExp(`^${TAG}`) });
  await expect(dialog.getByText(`${TAG} (${LEADS})`)).toBeVisible();
  await tag.check();
  await dialog.getByLabel('Shortest pause (s)').fill('0');
  await dialog.getByLabel('Longest pause (s)').fill('0');

  // The preview: 20 match, 5 devices with room for 3 each, so 15 go and 5 stay in the pool.
  const preview = dialog.getByRole('region', { name: 'Preview' });
  await expect(
    preview.getByText(
      `${LEADS} leads match · ${DEVICES} devices online · 15 would be sent · 5 stay in the pool (no room)`,
    ),
  ).toBeVisible({ timeout: 15_000 });
  const audience = preview.getByLabel('Audience').getByRole('definition');
  await expect(audience.nth(0)).toHaveText(String(LEADS));
  await expect(audience.nth(1)).toHaveText('15');
  await expect(audience.nth(2)).toHaveText('5');
  const spread = tableRows(page, 'Leads per device');
  await expect(spread).toHaveCount(DEVICES);
  for (const row of await spread.all()) {
    await expect(row.getByRole('cell').first()).toHaveText(`${LIMIT} leads`);
  }
  // The dialog from its top (the kind and the limit), then at its preview.
  await dialog.getByRole('group', { name: 'Kind' }).scrollIntoViewIfNeeded();
  await checkScreen(page, 'ai-campaign-dialog', { fullPage: false });
  await preview.scrollIntoViewIfNeeded();
  await checkScreen(page, 'ai-campaign-dialog-preview', { fullPage: false });

  await dialog.getByRole('button', { name: 'Create campaign' }).click();
  await expect(dialog).toHaveCount(0);

  // The detail page follows the campaign live until every device reached its limit.
  await expect(page.getByRole('heading', { name: TITLE, level: 1 })).toBeVisible();
  await expect(page.getByText('Completed, leads left', { exact: true }).first()).toBeVisible({
    timeout: 90_000,
  });
  await expect(page.getByRole('status').filter({ hasText: 'Leads left:' })).toContainText(
    '5 leads left for a later campaign',
  );
  await expect(page.getByRole('progressbar', { name: `Progress of ${TITLE}` })).toHaveAttribute(
    'aria-valuetext',
    '15 of 15 sent',
  );
  const grid = tableRows(page, 'Leads dealt per device');
  await expect(grid).toHaveCount(DEVICES);
  for (let index = 1; index <= DEVICES; index += 1) {
    const cells = grid.filter({ hasText: `AI ${index}` }).getByRole('cell');
    // Connection, status, dealt, sent, failed, room.
    await expect(cells.nth(0)).toHaveText('Online');
    await expect(cells.nth(1)).toHaveText('Limit reached');
    await expect(cells.nth(2)).toHaveText(String(LIMIT));
    await expect(cells.nth(3)).toHaveText(String(LIMIT));
    await expect(cells.nth(4)).toHaveText('0');
    await expect(cells.nth(5)).toHaveText('0');
  }
  // No device went away, so no lead was taken back.
  await expect(page.getByText('No lead has been taken back from a device.')).toBeVisible();
  await checkScreen(page, 'ai-campaign-completed');

  // The network's word: 3 from each device, 15 different leads of the pool.
  const sim = simNetwork(request, fleet.token);
  const received: string[] = [];
  for (const deviceId of fleet.devices) {
    const sent = await sim.sent(deviceId);
    expect(sent, `what ${deviceId} sent`).toHaveLength(LIMIT);
    for (const message of sent) {
      const to = recipientDigits(message.to);
      expect(fleet.phones.has(to), `${to} is a lead of the pool`).toBe(true);
      expect(message.text).toMatch(/^Hi Pool lead \d+, our pool offer is here\.$/);
      received.push(to);
    }
  }
  expect(received).toHaveLength(DEVICES * LIMIT);
  expect(new Set(received).size).toBe(DEVICES * LIMIT);

  // The list tags it as an AI campaign and says why it ended with leads left.
  await openScreen(page, 'Campaigns');
  const row = tableRows(page, 'Campaigns').filter({ hasText: TITLE });
  await expect(row.getByTitle('AI campaign')).toBeVisible();
  await expect(row).toContainText('Completed, leads left');
  await expect(row).toContainText('5 leads left for a later campaign');
  await checkScreen(page, 'ai-campaigns');
});
