import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import {
  test as base,
  expect,
  type APIRequestContext,
  type Locator,
  type Page,
} from '@playwright/test';

const screenshots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../screenshots');

/**
 * Saves a picture of the current screen as screenshots/<name>.png: the full page, or with
 * `fullPage: false` what the window shows (for a dialog over a page longer than the window).
 */
export async function snap(page: Page, name: string, { fullPage = true } = {}) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, `${name}.png`),
    fullPage,
  });
}

/** The widths every screen is checked at: a laptop, a tablet (or split window), a phone. */
export const SCREEN_WIDTHS = [1280, 800, 390] as const;

/** Accessibility problems that fail a test (axe's impact levels). */
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

type CheckOptions = {
  /** Only what the window shows (a dialog over a long page), not the whole page. */
  fullPage?: boolean;
};

/**
 * Looks at one screen as people would meet it, at each of `SCREEN_WIDTHS`: the page must not
 * scroll sideways, axe must find no serious or critical accessibility problem (at the widest and
 * the narrowest width, where the layouts differ most), and a screenshot goes to
 * screenshots/<name>-<width>.png. The window gets its size back afterwards.
 */
export async function checkScreen(
  page: Page,
  name: string,
  { fullPage = true }: CheckOptions = {},
) {
  const original = page.viewportSize();
  for (const width of SCREEN_WIDTHS) {
    await page.setViewportSize({ width, height: width < 500 ? 844 : 800 });
    // A frame for layouts to settle (container queries, the images' sizes).
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect
      .soft(scrollWidth, `${name} scrolls sideways at ${width} px`)
      .toBeLessThanOrEqual(innerWidth);
    if (width === SCREEN_WIDTHS[0] || width === SCREEN_WIDTHS[SCREEN_WIDTHS.length - 1]) {
      const { violations } = await new AxeBuilder({ page }).analyze();
      const blocking = violations
        .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''))
        .map((violation) => ({
          rule: violation.id,
          impact: violation.impact,
          help: violation.help,
          where: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')),
        }));
      expect.soft(blocking, `accessibility problems on ${name} at ${width} px`).toEqual([]);
    }
    // A whole-page picture from the top, where the phone's sticky bar belongs.
    if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
    await snap(page, `${name}-${width}`, { fullPage });
  }
  if (original) await page.setViewportSize(original);
}

/**
 * Chooses a device in a device picker (a combobox that searches the server) by typing `search`
 * and clicking the option named `option` (`Sales 1 · +60111111111`).
 */
export async function pickDevice(
  scope: Page | Locator,
  option: string,
  { label = 'Device', search = option.split(' · ')[0] ?? option } = {},
) {
  const combobox = scope.getByRole('combobox', { name: label });
  await combobox.click();
  await combobox.fill(search);
  await scope.getByRole('option', { name: option, exact: true }).click();
  await expect(combobox).toHaveValue(option);
}

export function uniqueEmail(prefix = 'e2e') {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return `${prefix}-${suffix}@example.com`;
}

type GraphQLResponse<T> = {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
};

/** Calls the GraphQL API directly, as a script with a token would. */
export async function gql<T>(
  request: APIRequestContext,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const response = await request.post('/graphql', {
    data: { query, variables },
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return (await response.json()) as GraphQLResponse<T>;
}

export async function signUpByApi(
  request: APIRequestContext,
  input: { email: string; password: string; fullName: string },
) {
  const result = await gql<{ signUp: { token: string } }>(
    request,
    'mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }',
    { input },
  );
  if (!result.data) throw new Error(`signUp failed: ${JSON.stringify(result.errors)}`);
  return result.data.signUp.token;
}

/** Opens the app already logged in with `token` (as if the user had logged in before). */
export async function logInWithToken(page: Page, token: string) {
  await page.goto('/login');
  await page.evaluate((value) => window.localStorage.setItem('wafleet.token', value), token);
}

/** Calls the API and fails the test on any GraphQL error. */
export async function gqlOk<T>(
  request: APIRequestContext,
  query: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<T> {
  const result = await gql<T>(request, query, variables, token);
  if (!result.data || result.errors?.length) {
    throw new Error(`GraphQL call failed: ${JSON.stringify(result.errors)}\n${query}`);
  }
  return result.data;
}

/**
 * The simulated WhatsApp network (sim mode only): the test plays the phones and the contacts,
 * through the same API (`simScanQr`, `simSent`, …) with the user's token.
 */
export function simNetwork(request: APIRequestContext, token: string) {
  const call = <T = unknown>(query: string, variables: Record<string, unknown>) =>
    gqlOk<T>(request, query, variables, token);
  return {
    scanQr: (deviceId: string, phone: string) =>
      call(
        'mutation($id: ID!, $phone: String!) { simScanQr(deviceId: $id, phone: $phone) { id } }',
        {
          id: deviceId,
          phone,
        },
      ),
    /** The device's next `count` sends fail with `error`. */
    failSends: (deviceId: string, count: number, error: string) =>
      call(
        'mutation($id: ID!, $n: Int!, $error: String) { simFailSends(deviceId: $id, count: $n, error: $error) }',
        { id: deviceId, n: count, error },
      ),
    /** What the network received from the device, oldest first. */
    sent: async (deviceId: string) =>
      (
        await call<{
          simSent: {
            to: string;
            text: string | null;
            hasImage: boolean;
            messageId: string;
          }[];
        }>('query($id: ID!) { simSent(deviceId: $id) { to text hasImage messageId } }', {
          id: deviceId,
        })
      ).simSent,
    /** The contact's phone confirms delivery (or, with `read`, reading) of sent messages. */
    receipt: (deviceId: string, messageIds: string[], read: boolean) =>
      call(
        'mutation($id: ID!, $ids: [String!]!, $read: Boolean!) { simReceipt(deviceId: $id, messageIds: $ids, read: $read) }',
        { id: deviceId, ids: messageIds, read },
      ),
    disconnect: (deviceId: string) =>
      call('mutation($id: ID!) { simDisconnect(deviceId: $id) }', {
        id: deviceId,
      }),
  };
}

/**
 * Adds a device and links it the way a person would: wait for its QR code, scan it with the
 * phone `phone`. The pause between sends is `delaySeconds` (0 for tests that send).
 */
export async function addPairedDevice(
  request: APIRequestContext,
  token: string,
  name: string,
  phone: string,
  { delaySeconds = 0 } = {},
): Promise<string> {
  const { addDevice } = await gqlOk<{ addDevice: { id: string } }>(
    request,
    'mutation($input: AddDeviceInput!) { addDevice(input: $input) { id } }',
    { input: { name } },
    token,
  );
  const id = addDevice.id;
  await expect
    .poll(async () => {
      const data = await gqlOk<{
        device: { qrCode: { code: string } | null } | null;
      }>(request, 'query($id: ID!) { device(id: $id) { qrCode { code } } }', { id }, token);
      return data.device?.qrCode?.code ?? null;
    })
    .not.toBeNull();
  await simNetwork(request, token).scanQr(id, phone);
  await gqlOk(
    request,
    'mutation($id: ID!, $input: UpdateDeviceInput!) { updateDevice(id: $id, input: $input) { id } }',
    {
      id,
      input: { minDelaySeconds: delaySeconds, maxDelaySeconds: delaySeconds },
    },
    token,
  );
  return id;
}

/** Sends a text as a script would (`sendMessage`); returns the outbox row's id. */
export async function sendByApi(
  request: APIRequestContext,
  token: string,
  input: { deviceId: string; phone: string; text: string },
): Promise<string> {
  const { sendMessage } = await gqlOk<{ sendMessage: { outboxId: string } }>(
    request,
    'mutation($input: SendMessageInput!) { sendMessage(input: $input) { outboxId } }',
    { input },
    token,
  );
  return sendMessage.outboxId;
}

/** Playwright's `test`, failing any test whose pages log an error or throw. */
/** Digits only: the simulated network may name a recipient by phone or by JID. */
export function recipientDigits(address: string): string {
  return address.replace(/@.*$/, '').replace(/\D/g, '');
}

/** Waits until the device `id` is ONLINE, as the API says. */
export async function waitDeviceOnline(request: APIRequestContext, token: string, id: string) {
  await expect
    .poll(async () => {
      const data = await gqlOk<{ device: { status: string } | null }>(
        request,
        'query($id: ID!) { device(id: $id) { status } }',
        { id },
        token,
      );
      return data.device?.status;
    })
    .toBe('ONLINE');
}

/** Opens a screen from the main navigation and waits for its heading. */
export async function openScreen(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name, exact: true })
    .click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

/** The rows of a table (without its header row). */
export function tableRows(page: Page, table: string) {
  return page
    .getByRole('table', { name: table })
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
}

/** At a phone's width the page must not scroll sideways. */
export async function expectNoSidewaysScroll(page: Page) {
  const original = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  if (original) await page.setViewportSize(original);
}

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ context }, use) => {
      const errors: string[] = [];
      const watch = (page: Page) => {
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });
        page.on('pageerror', (error) =>
          errors.push(`pageerror: ${error.message} ${error.stack ?? ''}`),
        );
      };
      context.pages().forEach(watch);
      context.on('page', watch);
      await use(errors);
      expect(errors, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
