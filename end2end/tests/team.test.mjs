// The team and account screens beyond the foundation flow, on a desktop: form errors next to
// their field, the unverified-login path, `?next=` after login, accepting an invitation (in
// Portuguese), live updates between tabs, role change and removal, API keys shown once, and a
// password change that ends every session.
//
// Auth budget: the server allows 20 sign-up/login attempts per minute per IP; this file makes
// about 10 and the foundation flow about 6, so the suite stays under it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, STEP_TIMEOUT, launchBrowser, step, uniqueEmail, waitForEmailLink } from './support.mjs';

const PASSWORD = 'correct horse battery staple 42';
const byTestId = (id) => `[data-testid="${id}"]`;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function newPage(locale, diagnostics) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale, baseURL: BASE_URL });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  page.on('pageerror', (error) => diagnostics.push(`pageerror: ${error.message}`));
  return page;
}

const hydrated = (page) => page.waitForSelector('[data-hydrated="true"]', { state: 'attached' });
const textOf = async (page, selector) => (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();

async function fillSignup(page, email, password) {
  await page.goto('/signup');
  await hydrated(page);
  await page.fill(byTestId('signup-company'), 'Flows Inc');
  await page.fill(byTestId('signup-name'), 'Olga Owner');
  await page.fill(byTestId('signup-email'), email);
  await page.fill(byTestId('signup-password'), password);
  await page.click(byTestId('signup-submit'));
}

async function login(page, email, password) {
  await page.goto('/login');
  await hydrated(page);
  await page.fill(byTestId('login-email'), email);
  await page.fill(byTestId('login-password'), password);
  await page.click(byTestId('login-submit'));
}

test('team, invitations, API keys and password change', { timeout: 240_000 }, async () => {
  const diagnostics = [];
  const page = await newPage('en-US', diagnostics);
  const owner = uniqueEmail('owner-team');
  const invitee = uniqueEmail('admin-team');
  try {
    await step('sign-up errors appear next to their field', diagnostics, async () => {
      await fillSignup(page, owner, 'aaaaaaaaaa'); // long enough for the client, too weak for the server
      const error = page.locator(byTestId('field-error'));
      await error.waitFor();
      assert.match(await error.innerText(), /stronger password/);
      assert.equal(await page.getAttribute('#signup-password', 'aria-invalid'), 'true');
      await page.fill(byTestId('signup-password'), PASSWORD);
      await page.click(byTestId('signup-submit'));
      await page.waitForSelector(byTestId('signup-done'));
      await fillSignup(page, owner, PASSWORD);
      await page.locator(byTestId('field-error')).filter({ hasText: 'already exists' }).waitFor();
    });

    await step('an unverified login offers to resend the link', diagnostics, async () => {
      await login(page, owner, PASSWORD);
      await page.locator(byTestId('login-error')).filter({ hasText: 'Confirm your email' }).waitFor();
      await page.click(byTestId('resend-verification'));
      await page.waitForSelector(byTestId('resend-sent'));
      await page.goto(await waitForEmailLink(owner, '/verify-email'));
      await page.waitForSelector(byTestId('verify-success'));
    });

    await step('a protected page sends to login and back', diagnostics, async () => {
      await page.goto('/settings/team');
      await page.waitForURL('**/login?next=%2Fsettings%2Fteam');
      await hydrated(page);
      await page.fill(byTestId('login-email'), owner);
      await page.fill(byTestId('login-password'), 'not the password at all');
      await page.click(byTestId('login-submit'));
      await page.locator(byTestId('login-error')).filter({ hasText: 'incorrect' }).waitFor();
      await page.fill(byTestId('login-password'), PASSWORD);
      await page.click(byTestId('login-submit'));
      await page.waitForURL('**/settings/team');
      await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
    });

    const otherTab = await page.context().newPage();
    await step('a second tab sees an invitation arrive live', diagnostics, async () => {
      await otherTab.goto('/settings/team');
      await otherTab.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
      await otherTab.waitForSelector(byTestId('no-invitations'));
      await page.fill(byTestId('invite-email'), invitee);
      await page.selectOption(byTestId('invite-role'), 'admin');
      await page.click(byTestId('invite-submit'));
      await otherTab.waitForSelector(`${byTestId('invitation-row')}[data-email="${invitee}"]`, { timeout: 5_000 });
      await page.fill(byTestId('invite-email'), owner);
      await page.click(byTestId('invite-submit'));
      await page.locator(byTestId('field-error')).filter({ hasText: 'already a member' }).waitFor();
    });

    const guest = await newPage('pt-BR', diagnostics);
    await step('the invitee accepts in Portuguese and logs in', diagnostics, async () => {
      await guest.goto(await waitForEmailLink(invitee, '/invite'));
      await guest.waitForSelector(byTestId('accept-form'));
      assert.match(await textOf(guest, byTestId('invite-preview')), /Junte-se a Flows Inc.*Administrador/);
      await guest.fill(byTestId('accept-name'), 'Alberto Admin');
      await guest.fill(byTestId('accept-password'), PASSWORD);
      await guest.click(byTestId('accept-submit'));
      await guest.waitForURL('**/login?notice=invite_accepted**');
      assert.equal(await guest.inputValue(byTestId('login-email')), invitee);
      await guest.fill(byTestId('login-password'), PASSWORD);
      await guest.click(byTestId('login-submit'));
      await guest.waitForURL('**/dashboard');
      await guest.locator(byTestId('dashboard-greeting')).filter({ hasText: 'Olá, Alberto' }).waitFor();
      await page.waitForSelector(`${byTestId('member-row')}[data-email="${invitee}"]`, { timeout: 5_000 });
    });

    await step('the owner demotes the admin, who then sees read-only pages', diagnostics, async () => {
      await page.selectOption(`${byTestId('member-row')}[data-email="${invitee}"] ${byTestId('member-role')}`, 'agent');
      await page.locator(byTestId('toast')).filter({ hasText: 'Role updated.' }).waitFor();
      await guest.goto('/settings/team');
      await guest.waitForSelector(byTestId('read-only-note'));
      await guest.waitForSelector(`${byTestId('member-row')}[data-email="${owner}"]`);
      assert.equal(await guest.locator(byTestId('invite-form')).count(), 0);
    });

    await step('removing a member ends their session', diagnostics, async () => {
      const row = `${byTestId('member-row')}[data-email="${invitee}"]`;
      await page.click(`${row} ${byTestId('member-remove')}`);
      await page.click(`${row} ${byTestId('confirm-button')}`);
      await page.locator(byTestId('toast')).filter({ hasText: 'Member removed.' }).waitFor();
      await page.waitForSelector(row, { state: 'detached' });
      await guest.goto('/settings/account');
      await guest.waitForURL('**/login**');
      await guest.context().close();
    });

    await step('an API key is shown once, copied and revoked', diagnostics, async () => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
      await page.goto('/settings/api-keys');
      await page.fill(byTestId('api-key-name'), 'CRM integration');
      await page.click(byTestId('api-key-submit'));
      const secret = await textOf(page, byTestId('api-key-secret'));
      assert.ok(secret.length > 20, `a full key is shown, got ${secret}`);
      await page.click(byTestId('api-key-copy'));
      await page.locator(byTestId('api-key-copy')).filter({ hasText: 'Copied' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
      const row = `${byTestId('api-key-row')}[data-name="CRM integration"]`;
      assert.ok(!(await textOf(page, row)).includes(secret), 'the list never shows the full key');
      await page.click(byTestId('api-key-dismiss'));
      await page.click(`${row} ${byTestId('api-key-revoke')}`);
      await page.click(`${row} ${byTestId('confirm-button')}`);
      await page.waitForSelector(byTestId('no-api-keys'));
    });

    await step('changing the password logs out every tab', diagnostics, async () => {
      await page.goto('/settings/account');
      await page.fill(byTestId('current-password'), 'not the password at all');
      await page.fill(byTestId('new-password'), `${PASSWORD} again`);
      await page.fill(byTestId('new-password-confirm'), `${PASSWORD} again`);
      await page.click(byTestId('password-submit'));
      await page.locator(byTestId('field-error')).filter({ hasText: 'current password is incorrect' }).waitFor();
      await page.fill(byTestId('current-password'), PASSWORD);
      await page.click(byTestId('password-submit'));
      await page.waitForURL('**/login?notice=password_changed');
      // The server closes the other tab's socket within its heartbeat; the tab then finds out.
      await otherTab.waitForURL('**/login**', { timeout: 45_000 });
    });

    const crashes = diagnostics.filter((line) => line.startsWith('pageerror'));
    assert.deepEqual(crashes, [], 'the page raised uncaught errors');
  } finally {
    await page.context().close();
  }
});
