import type { APIRequestContext, Page } from '@playwright/test';

import {
  addPairedDevice,
  checkScreen,
  expect,
  expectNoSidewaysScroll,
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
const LEADS = 20;
const TAG = 'promo';

type Fleet = { token: string; devices: [string, string]; phones: Map<string, string> };

/**
 * A user with two ONLINE devices and 20 leads tagged "promo", half on each device; `phones`
 * maps each lead's phone (digits) to the device that owns it.
 */
async function fleetWithLeads(request: APIRequestContext, label: string): Promise<Fleet> {
  const token = await signUpByApi(request, {
    email: uniqueEmail(label),
    password: PASSWORD,
    fullName: 'Mei Tan',
  });
  const first = await addPairedDevice(request, token, 'Sales 1', '+60199000001');
  const second = await addPairedDevice(request, token, 'Sales 2', '+60199000002');
  await waitDeviceOnline(request, token, first);
  await waitDeviceOnline(request, token, second);
  const phones = new Map<string, string>();
  for (let index = 0; index < LEADS; index += 1) {
    const phone = `+601120000${String(index).padStart(2, '0')}`;
    const deviceId = index % 2 === 0 ? first : second;
    await gqlOk(
      request,
      'mutation($input: LeadInput!) { createLead(input: $input) { id } }',
      {
        input: {
          deviceId,
          phone,
          // Every fourth lead has no name: the template's fallback covers them.
          name: index % 4 === 3 ? null : `Lead ${index}`,
          niches: [TAG],
          targetStatus: index % 3 === 0 ? 'CUSTOMER' : 'PROSPECT',
        },
      },
      token,
    );
    phones.set(recipientDigits(phone), deviceId);
  }
  return { token, devices: [first, second], phones };
}

/**
 * What each device sent, checked against the leads: every lead got exactly one message, from
 * the device that owns it. Returns the texts.
 */
async function expectEachLeadOnce(request: APIRequestContext, fleet: Fleet): Promise<string[]> {
  const sim = simNetwork(request, fleet.token);
  const received: string[] = [];
  const texts: string[] = [];
  for (const deviceId of fleet.devices) {
    for (const message of await sim.sent(deviceId)) {
      const to = recipientDigits(message.to);
      received.push(to);
      texts.push(message.text ?? '');
      expect(fleet.phones.get(to), `${to} was sent from the device that owns it`).toBe(deviceId);
    }
  }
  expect(received).toHaveLength(LEADS);
  expect(new Set(received).size).toBe(LEADS);
  expect([...received].sort()).toEqual([...fleet.phones.keys()].sort());
  return texts;
}

function progressBar(page: Page, title: string) {
  return page.getByRole('progressbar', { name: `Progress of ${title}` });
}

test('a user sends a campaign to 20 leads over two devices from the dialog and watches it complete', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const fleet = await fleetWithLeads(request, 'campaigns');

  await logInWithToken(page, fleet.token);
  await page.goto('/');
  await openScreen(page, 'Campaigns');
  await expect(page.getByRole('heading', { name: 'No campaigns yet' })).toBeVisible();
  await checkScreen(page, 'campaigns-empty');

  // The dialog: the template with a fallback and spintax, the tag, no pause between sends.
  await page.getByRole('button', { name: 'New campaign' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New campaign' });
  await dialog.getByLabel('Title').fill('December promo');
  await dialog.getByLabel('Message').fill('{Hi|Hello} {name|there}, our December offer is here.');
  await dialog.getByRole('checkbox', { name: new RegExp(`^${TAG}`) }).check();
  await dialog.getByLabel('Shortest pause (s)').fill('0');
  await dialog.getByLabel('Longest pause (s)').fill('0');

  // The preview: every lead matches, none is opted out or on an offline device.
  const preview = dialog.getByRole('region', { name: 'Preview' });
  const audience = preview.getByRole('definition');
  await expect(audience.nth(0)).toHaveText(String(LEADS), { timeout: 15_000 });
  await expect(audience.nth(1)).toHaveText('0');
  await expect(audience.nth(2)).toHaveText('0');
  // The samples under the template: the placeholders and the spintax resolved.
  const samples = dialog.getByRole('list', { name: 'Samples' }).getByRole('listitem');
  await expect(samples.first()).toBeVisible();
  for (const sample of await samples.allInnerTexts()) {
    expect(sample).toMatch(/^(Hi|Hello) .+, our December offer is here\.$/);
  }
  await expect(tableRows(page, 'Leads per device')).toHaveCount(2);
  await checkScreen(page, 'campaign-dialog', { fullPage: false });

  await dialog.getByRole('button', { name: 'Create campaign' }).click();
  await expect(dialog).toHaveCount(0);

  // The detail page follows the campaign live until it completes.
  await expect(page.getByRole('heading', { name: 'December promo', level: 1 })).toBeVisible();
  await expect(progressBar(page, 'December promo')).toHaveAttribute(
    'aria-valuetext',
    `${LEADS} of ${LEADS} sent`,
    { timeout: 90_000 },
  );
  await expect(page.getByText('Completed', { exact: true }).first()).toBeVisible();
  const devices = tableRows(page, 'Progress per device');
  await expect(devices).toHaveCount(2);
  for (const name of ['Sales 1', 'Sales 2']) {
    await expect(devices.filter({ hasText: name }).getByRole('cell').nth(1)).toHaveText(
      String(LEADS / 2),
    );
  }
  await checkScreen(page, 'campaign-completed');
  await expectNoSidewaysScroll(page);

  // The network's word: each lead exactly once, from its own device, with the words resolved.
  const texts = await expectEachLeadOnce(request, fleet);
  for (const text of texts) {
    expect(text).toMatch(/^(Hi|Hello) .+, our December offer is here\.$/);
    expect(text).not.toContain('{');
  }
  expect(texts.some((text) => text.includes(' there,'))).toBe(true);

  // The list shows it completed, and the status filter lives in the address.
  await openScreen(page, 'Campaigns');
  const campaignRow = tableRows(page, 'Campaigns').filter({ hasText: 'December promo' });
  await expect(campaignRow).toContainText('Completed');
  await expect(progressBar(page, 'December promo')).toHaveAttribute('aria-valuenow', '100');
  await page.getByLabel('Status').selectOption({ label: 'Running' });
  await expect(page).toHaveURL(/status=RUNNING/);
  await expect(page.getByText('No campaign matches these filters.')).toBeVisible();
  await page.getByRole('button', { name: 'Show all' }).click();
  await expect(tableRows(page, 'Campaigns')).toHaveCount(1);
  await checkScreen(page, 'campaigns');
  await expectNoSidewaysScroll(page);
});

test('a user pauses a campaign mid-way and resumes it: nothing goes out while paused, no lead twice', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const fleet = await fleetWithLeads(request, 'campaign-pause');
  const sim = simNetwork(request, fleet.token);
  const sentSoFar = async () => {
    let total = 0;
    for (const deviceId of fleet.devices) total += (await sim.sent(deviceId)).length;
    return total;
  };

  // A slow campaign (1 s between sends), so there is time to pause it.
  const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
    request,
    'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }',
    {
      input: {
        title: 'Slow promo',
        message: 'Hello {name|there}',
        niches: [TAG],
        minDelaySeconds: 1,
        maxDelaySeconds: 1,
      },
    },
    fleet.token,
  );

  await logInWithToken(page, fleet.token);
  await page.goto(`/campaigns/${createCampaign.id}`);
  await expect(page.getByRole('heading', { name: 'Slow promo', level: 1 })).toBeVisible();
  await expect(page.getByText('Running', { exact: true }).first()).toBeVisible({
    timeout: 30_000,
  });
  await expect.poll(sentSoFar, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByText('Paused', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeVisible();

  // A send already on its way may still land; after that, nothing while paused.
  await page.waitForTimeout(2_500);
  const atPause = await sentSoFar();
  expect(atPause).toBeLessThan(LEADS);
  await page.waitForTimeout(3_000);
  expect(await sentSoFar()).toBe(atPause);
  await checkScreen(page, 'campaign-paused');
  await expectNoSidewaysScroll(page);

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(progressBar(page, 'Slow promo')).toHaveAttribute(
    'aria-valuetext',
    `${LEADS} of ${LEADS} sent`,
    { timeout: 90_000 },
  );
  await expect(page.getByText('Completed', { exact: true }).first()).toBeVisible();
  await expectEachLeadOnce(request, fleet);
});
