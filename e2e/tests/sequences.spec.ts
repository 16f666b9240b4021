import type { APIRequestContext } from '@playwright/test';

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
const TRIGGER = 'COLD';
const STEPS = [
  { wait: '0', text: 'Hi {name|there}, step one of our cold outreach.' },
  { wait: '60', text: 'Step two: did you see our offer?' },
  { wait: '60', text: 'Step three: last call.' },
] as const;

/** A lead with the sequence's trigger code, created the way a script would. */
async function createTriggeredLead(
  request: APIRequestContext,
  token: string,
  input: { deviceId: string; phone: string; name: string },
) {
  await gqlOk(
    request,
    'mutation($input: LeadInput!) { createLead(input: $input) { id } }',
    { input: { ...input, triggers: [TRIGGER] } },
    token,
  );
}

/** The contacts' statuses by phone (digits), as the server has them. */
async function contactStatuses(
  request: APIRequestContext,
  token: string,
  sequenceId: string,
): Promise<Map<string, string>> {
  const data = await gqlOk<{
    sequence: { contacts: { nodes: { phone: string; status: string }[] } } | null;
  }>(
    request,
    'query($id: ID!) { sequence(id: $id) { contacts(first: 50) { nodes { phone status } } } }',
    { id: sequenceId },
    token,
  );
  return new Map(
    (data.sequence?.contacts.nodes ?? []).map((node) => [recipientDigits(node.phone), node.status]),
  );
}

test('a lead enrolled by its trigger gets step 1, replies, and gets no step 2 when the clock moves on', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const token = await signUpByApi(request, {
    email: uniqueEmail('sequences'),
    password: PASSWORD,
    fullName: 'Mei Tan',
  });
  const first = await addPairedDevice(request, token, 'Sales 1', '+60199000001');
  const second = await addPairedDevice(request, token, 'Sales 2', '+60199000002');
  await waitDeviceOnline(request, token, first);
  await waitDeviceOnline(request, token, second);
  const sim = simNetwork(request, token);
  const sentTo = async (deviceId: string, phone: string) =>
    (await sim.sent(deviceId)).filter(
      (message) => recipientDigits(message.to) === recipientDigits(phone),
    );

  await logInWithToken(page, token);
  await page.goto('/');
  await openScreen(page, 'Sequences');
  await expect(page.getByRole('heading', { name: 'No sequences yet' })).toBeVisible();

  // The editor: three steps, 0 / 60 / 60 minutes apart, no pause between sends.
  await page.getByRole('button', { name: 'New sequence' }).click();
  await expect(page.getByRole('heading', { name: 'New sequence', level: 1 })).toBeVisible();
  const editor = page.getByRole('form', { name: 'New sequence' });
  await editor.getByLabel('Name', { exact: true }).fill('Cold outreach');
  await editor.getByLabel('Trigger code').fill(TRIGGER);
  await expect(editor.getByRole('checkbox', { name: /^Stop when the lead replies/ })).toBeChecked();
  for (const [index, step] of STEPS.entries()) {
    if (index > 0) await editor.getByRole('button', { name: 'Add a step' }).click();
    const group = editor.getByRole('group', { name: `Step ${index + 1}`, exact: true });
    await group.getByLabel('Wait').fill(step.wait);
    await group.getByLabel('Unit').selectOption('minutes');
    await group.getByLabel('Message').fill(step.text);
    await group.getByLabel('Shortest pause (s)').fill('0');
    await group.getByLabel('Longest pause (s)').fill('0');
  }
  await expect(editor.getByRole('group', { name: /^Step \d$/ })).toHaveCount(3);
  await checkScreen(page, 'sequence-editor');
  await expectNoSidewaysScroll(page);

  await editor.getByRole('button', { name: 'Create sequence' }).click();
  await expect(page.getByRole('heading', { name: 'Cold outreach', level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/sequences\/[^/]+$/);
  const sequenceId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  await expect(page.getByText('Draft', { exact: true }).first()).toBeVisible();
  await expect(tableRows(page, 'Progress per step')).toHaveCount(3);

  await page.getByRole('button', { name: 'Activate', exact: true }).click();
  await expect(
    page.getByRole('status').filter({ hasText: '“Cold outreach” is active' }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();

  // Two leads with the trigger code, one on each device: the first replies, the second does not
  // (it shows that the clock did move the sequence on).
  const replier = { deviceId: first, phone: '+60112000001', name: 'Aisyah' };
  const quiet = { deviceId: second, phone: '+60112000002', name: 'Ben' };
  await createTriggeredLead(request, token, replier);
  await createTriggeredLead(request, token, quiet);

  // Step 1 goes out at once, from each lead's own device.
  await expect.poll(async () => (await sentTo(first, replier.phone)).length).toBe(1);
  await expect.poll(async () => (await sentTo(second, quiet.phone)).length).toBe(1);
  const [step1] = await sentTo(first, replier.phone);
  expect(step1?.text).toBe('Hi Aisyah, step one of our cold outreach.');
  expect(await sentTo(second, replier.phone)).toHaveLength(0);
  expect(await sentTo(first, quiet.phone)).toHaveLength(0);

  const contacts = tableRows(page, 'Contacts');
  await expect(contacts.filter({ hasText: 'Aisyah' })).toContainText('2 of 3', { timeout: 15_000 });

  // The lead answers; its run ends as REPLIED.
  await gqlOk(
    request,
    'mutation($id: ID!, $from: String!, $text: String!) { simInboundMessage(deviceId: $id, from: $from, text: $text) }',
    { id: first, from: replier.phone, text: 'interested' },
    token,
  );
  await expect
    .poll(async () =>
      (await contactStatuses(request, token, sequenceId)).get(recipientDigits(replier.phone)),
    )
    .toBe('REPLIED');

  // Past both 60-minute delays: the quiet lead gets step 2 (step 3 waits 60 minutes after it);
  // the one who replied gets nothing more.
  await gqlOk(request, 'mutation { simAdvanceClock(seconds: 7300) }', {}, token);
  await expect
    .poll(async () => (await sentTo(second, quiet.phone)).length, { timeout: 30_000 })
    .toBe(2);
  expect((await sentTo(second, quiet.phone))[1]?.text).toBe('Step two: did you see our offer?');
  expect(await sentTo(first, replier.phone)).toHaveLength(1);

  // The contacts table follows: replied, and the other one waits for step 3.
  const replied = contacts.filter({ hasText: 'Aisyah' });
  await expect(replied).toContainText('Replied', { timeout: 15_000 });
  await expect(contacts.filter({ hasText: 'Ben' })).toContainText('3 of 3', { timeout: 15_000 });
  await replied.getByRole('button', { name: 'Timeline' }).click();
  const timeline = page.getByRole('list', { name: 'Timeline of Aisyah' });
  await expect(timeline).toContainText('Step 1');
  await expect(timeline).toContainText('Replied');
  await replied.getByRole('button', { name: 'Hide timeline' }).click();
  await expect(timeline).toHaveCount(0);
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Replied' });
  await expect(tableRows(page, 'Contacts')).toHaveCount(1);
  await expect(tableRows(page, 'Contacts').first()).toContainText('Aisyah');
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Any status' });
  await checkScreen(page, 'sequence-detail');
  await expectNoSidewaysScroll(page);

  // The list: active, three steps, one contact replied.
  await openScreen(page, 'Sequences');
  const row = tableRows(page, 'Sequences').filter({ hasText: 'Cold outreach' });
  await expect(row).toContainText('Active');
  await expect(row).toContainText('3 steps');
  await expect(row).toContainText('1 replied');
  await checkScreen(page, 'sequences');
  await expectNoSidewaysScroll(page);

  // Still one message for the lead who replied, once the screens had their time.
  expect(await sentTo(first, replier.phone)).toHaveLength(1);
});
