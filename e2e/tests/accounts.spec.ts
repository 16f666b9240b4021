import {
  checkScreen,
  expect,
  gql,
  logInWithToken,
  signUpByApi,
  snap,
  test,
  uniqueEmail,
} from './helpers';

const PASSWORD = 'teal-harbor-42-lantern';
const NEW_PASSWORD = 'copper-meadow-19-violin';

test.describe('in a browser set to Jakarta time', () => {
  test.use({ timezoneId: 'Asia/Jakarta' });

  test('a new user signs up (taking the browser’s zone and country), logs out and in, sets the time zone and manages an API token', async ({
    page,
    request,
  }) => {
    const email = uniqueEmail();

    // A logged-out visitor is sent to the login screen and goes on to sign up.
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Full name').fill('Ana Lima');
    await page.getByLabel('Password').fill(PASSWORD);
    await expect(page.getByLabel('Password')).toHaveAccessibleDescription(
      'At least 10 characters.',
    );
    await checkScreen(page, 'signup');
    await page.getByRole('button', { name: 'Create account' }).click();

    // Into the app: the frame shows the user and the navigation.
    await expect(page.getByRole('heading', { name: 'Welcome, Ana Lima' })).toBeVisible();
    await expect(page).toHaveURL(/\/$/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
    await expect(nav.getByRole('link', { name: 'Settings' })).toBeVisible();
    await checkScreen(page, 'home');

    // On a phone the links sit behind a menu button.
    await page.setViewportSize({ width: 390, height: 844 });
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(nav.getByRole('link', { name: 'Settings' })).toBeHidden();
    await menu.click();
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await expect(nav.getByRole('link', { name: 'Settings' })).toBeVisible();
    await checkScreen(page, 'home-menu-open', { fullPage: false });
    await page.keyboard.press('Escape');
    await expect(nav.getByRole('link', { name: 'Settings' })).toBeHidden();
    await expect(menu).toBeFocused();
    await page.setViewportSize({ width: 1280, height: 800 });

    // Log out; the app is closed to the logged-out visitor.
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
    await page.goto('/settings');
    await expect(page).toHaveURL(/\/login$/);

    // Log in again: back to the screen that was asked for.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await checkScreen(page, 'login');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();

    // A logged-in user who opens /login goes into the app.
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Welcome, Ana Lima' })).toBeVisible();

    // Settings: change the time zone and keep it.
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
    const profile = page.getByRole('region', { name: 'Profile' });
    const timeZone = profile.getByLabel('Time zone');
    // The account started in the browser's zone and its country, not in UTC.
    await expect(timeZone).toHaveValue('Asia/Jakarta');
    await expect(profile.getByLabel('Country for phone numbers')).toHaveValue('ID');
    await timeZone.selectOption('Asia/Kuala_Lumpur');
    await profile.getByRole('button', { name: 'Save changes' }).click();
    await expect(profile.getByRole('status')).toHaveText('Saved.');
    await checkScreen(page, 'settings');
    await page.reload();
    await expect(page.getByRole('region', { name: 'Profile' }).getByLabel('Time zone')).toHaveValue(
      'Asia/Kuala_Lumpur',
    );

    // Create an API token: its secret is shown once, with a copy button.
    const tokens = page.getByRole('region', { name: 'API tokens' });
    await tokens.getByLabel('Token name').fill('ci');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const notice = page.getByRole('region', { name: 'Token “ci” created' });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('it will not be shown again');
    await expect(notice.getByRole('button', { name: 'Copy' })).toBeVisible();
    const secret = await notice.getByLabel('New API token').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(20);

    const table = tokens.getByRole('table', { name: 'API tokens' });
    const row = table
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'ci', exact: true }) });
    await expect(row).toHaveCount(1);
    await expect(row.getByRole('cell', { name: 'Never' })).toBeVisible();
    const usage = tokens.getByText('How to use a token');
    await usage.click();
    await expect(tokens).toContainText('Authorization: Bearer <token>');
    await expect(tokens).toContainText('/graphql');
    await checkScreen(page, 'token-created');

    // The token works against the API.
    const asScript = await gql<{ me: { email: string } }>(request, '{ me { email } }', {}, secret);
    expect(asScript.data?.me.email).toBe(email);

    // Shown once: after a reload the secret is gone but the token is listed.
    await page.reload();
    await expect(page.getByRole('region', { name: 'Token “ci” created' })).toHaveCount(0);
    await expect(row).toHaveCount(1);

    // Revoke it, after confirming.
    await row.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “ci”?' });
    await expect(dialog).toBeVisible();
    await checkScreen(page, 'revoke-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(row).toHaveCount(0);

    const revoked = await gql(request, '{ me { email } }', {}, secret);
    expect(revoked.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // Revoking a token just created takes its "copy it now" panel away too.
    await tokens.getByLabel('Token name').fill('short-lived');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const fresh = page.getByRole('region', {
      name: 'Token “short-lived” created',
    });
    await expect(fresh).toBeVisible();
    await tokens
      .getByRole('row')
      .filter({ hasText: 'short-lived' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await page
      .getByRole('dialog', { name: 'Revoke “short-lived”?' })
      .getByRole('button', { name: 'Revoke token' })
      .click();
    await expect(fresh).toHaveCount(0);
    await expect(tokens).toContainText('No API tokens yet.');

    // An address with nothing there.
    await page.goto('/no-such-page');
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await checkScreen(page, 'not-found');
  });
});

test('the frame follows profile changes made in another tab', async ({ page, context }) => {
  const email = uniqueEmail('live');
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Full name').fill('Chen Wei');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Chen Wei' })).toBeVisible();

  const other = await context.newPage();
  await other.goto('/settings');
  const profile = other.getByRole('region', { name: 'Profile' });
  await profile.getByLabel('Full name').fill('Chen Wei Ling');
  await profile.getByRole('button', { name: 'Save changes' }).click();
  await expect(profile.getByRole('status')).toHaveText('Saved.');

  // The first tab hears of it over the userUpdated subscription, without reloading.
  await expect(page.getByRole('heading', { name: 'Welcome, Chen Wei Ling' })).toBeVisible();
});

test('a wrong password gets a plain-words error', async ({ page, request }) => {
  const email = uniqueEmail('wrong-password');
  await signUpByApi(request, { email, password: PASSWORD, fullName: 'Bo Tan' });

  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not the right password');
  await page.getByRole('button', { name: 'Log in' }).click();

  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await checkScreen(page, 'login-error');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('Email')).toHaveValue(email);
});

test('a session the server no longer accepts goes back to the login screen', async ({ page }) => {
  await page.goto('/login');
  await page.evaluate(() => window.localStorage.setItem('wafleet.token', 'wft_not-a-real-token'));
  await page.goto('/settings');

  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test('changing the password and "Log out other sessions" end the sessions in other browsers', async ({
  page,
  browser,
  request,
}) => {
  const email = uniqueEmail('password');
  const token = await signUpByApi(request, { email, password: PASSWORD, fullName: 'Dana Reyes' });
  const logIn = async (password: string) => {
    const result = await gql<{ logIn: { token: string } }>(
      request,
      'mutation LogIn($input: LogInInput!) { logIn(input: $input) { token } }',
      { input: { email, password } },
    );
    if (!result.data) throw new Error(`logIn failed: ${JSON.stringify(result.errors)}`);
    return result.data.logIn.token;
  };

  // The same person is logged in in another browser too.
  const elsewhere = await browser.newContext();
  const otherPage = await elsewhere.newPage();
  await logInWithToken(otherPage, await logIn(PASSWORD));
  await otherPage.goto('/settings');
  await expect(otherPage.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();

  await logInWithToken(page, token);
  await page.goto('/settings');
  const security = page.getByRole('region', { name: 'Password and sessions' });
  await expect(security).toBeVisible();

  // A weak new password is refused with the reason.
  await security.getByLabel('Current password').fill(PASSWORD);
  await security.getByLabel('New password').fill('password12');
  await security.getByRole('button', { name: 'Change password' }).click();
  await expect(security.getByRole('alert')).toContainText('too weak');

  await security.getByLabel('New password').fill(NEW_PASSWORD);
  await snap(page, 'settings-password');
  await security.getByRole('button', { name: 'Change password' }).click();
  await expect(security.getByRole('status')).toHaveText(
    'Password changed. 1 other session logged out.',
  );
  // The other browser's live connection was closed: it is back at the login screen.
  await expect(otherPage.getByRole('heading', { name: 'Log in' })).toBeVisible();
  expect((await gql(request, '{ me { id } }', {}, token)).data).toBeTruthy();

  // It logs in with the new password (and is back on Settings); then "Log out other sessions"
  // ends that session too.
  await otherPage.getByLabel('Email').fill(email);
  await otherPage.getByLabel('Password').fill(NEW_PASSWORD);
  await otherPage.getByRole('button', { name: 'Log in' }).click();
  await expect(otherPage.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await security.getByRole('button', { name: 'Log out other sessions' }).click();
  await expect(security.getByRole('status')).toHaveText('1 other session logged out.');
  await snap(page, 'settings-sessions');
  await expect(otherPage.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await elsewhere.close();
});
