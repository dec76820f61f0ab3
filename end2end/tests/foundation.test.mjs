// The foundation flow, once on a desktop and once on a phone: sign up, confirm the email from the
// outbox, log in, see the dashboard go live, switch to Portuguese (and keep it after a reload),
// invite a teammate, log out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';

import {
  BASE_URL,
  SCREENSHOT_DIR,
  STEP_TIMEOUT,
  launchBrowser,
  step,
  uniqueEmail,
  waitForEmailLink,
} from './support.mjs';

const DEVICES = [
  { name: 'desktop', context: { viewport: { width: 1280, height: 800 } } },
  {
    name: 'phone',
    context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  },
];

const PASSWORD = 'correct horse battery staple 42';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const byTestId = (id) => `[data-testid="${id}"]`;

/** Waits until the WASM bundle has hydrated the page (buttons are enabled from then on). */
async function hydrated(page) {
  await page.waitForSelector('[data-hydrated="true"]', { state: 'attached', timeout: STEP_TIMEOUT });
}

/** On a phone the sidebar is a drawer: open it before using what it holds. */
async function openMenuIfCollapsed(page) {
  const menu = page.locator(byTestId('menu-button'));
  if (await menu.isVisible()) {
    if ((await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
    await page.locator('#sidebar').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  }
}

describe('foundation flow', () => {
  for (const device of DEVICES) {
    test(`sign up → verify → log in → live → Portuguese → invite → log out (${device.name})`, { timeout: 240_000 }, async () => {
      const context = await browser.newContext({ ...device.context, locale: 'en-US', baseURL: BASE_URL });
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      const diagnostics = [];
      page.on('pageerror', (error) => diagnostics.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') diagnostics.push(`console: ${message.text()}`);
      });

      const email = uniqueEmail(`owner-${device.name}`);
      const name = `Ana ${device.name === 'phone' ? 'Phone' : 'Desk'} Souza`;
      const company = `Acme ${device.name}`;
      const teammate = uniqueEmail(`agent-${device.name}`);

      try {
        await step('sign up', diagnostics, async () => {
          await page.goto('/signup');
          await hydrated(page);
          await page.fill(byTestId('signup-company'), company);
          await page.fill(byTestId('signup-name'), name);
          await page.fill(byTestId('signup-email'), email);
          await page.fill(byTestId('signup-password'), PASSWORD);
          await page.click(byTestId('signup-submit'));
          await page.waitForSelector(byTestId('signup-done'));
        });

        const link = await step('find the verification email', diagnostics, () =>
          waitForEmailLink(email, '/verify-email'),
        );

        await step('open the verification link', diagnostics, async () => {
          await page.goto(link);
          await page.waitForSelector(byTestId('verify-success'));
        });

        await step('log in', diagnostics, async () => {
          await page.goto('/login');
          await hydrated(page);
          await page.fill(byTestId('login-email'), email);
          await page.fill(byTestId('login-password'), PASSWORD);
          await page.click(byTestId('login-submit'));
          await page.waitForURL('**/dashboard');
        });

        await step('dashboard greets the user and goes live', diagnostics, async () => {
          const greeting = page.locator(byTestId('dashboard-greeting'));
          await greeting.waitFor();
          assert.match(await greeting.innerText(), /Hello, Ana/);
          assert.equal(await page.locator(byTestId('user-name')).textContent(), name);
          await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
          // Let the checklist's counts arrive before any screenshot.
          await page.waitForSelector(`${byTestId('getting-started')} a[data-state]`);
        });

        if (SCREENSHOT_DIR) {
          await step('screenshot the dashboard', diagnostics, async () => {
            await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
            await page.mouse.move(0, 0); // no hover effect on whatever the last click left the mouse over
            await page.waitForTimeout(300); // the live dot's first animation frame
            await page.screenshot({ path: path.join(SCREENSHOT_DIR, `dashboard-${device.name}.png`) });
          });
        }

        await step('switch to Portuguese', diagnostics, async () => {
          await openMenuIfCollapsed(page);
          await page.selectOption(byTestId('lang-switcher'), 'pt-BR');
          await page.waitForFunction(() => document.documentElement.lang === 'pt-BR');
          await page.locator(byTestId('dashboard-greeting')).filter({ hasText: 'Olá, Ana' }).waitFor();
          assert.equal((await page.locator(byTestId('nav-dashboard')).innerText()).trim(), 'Painel');
        });

        await step('Portuguese survives a reload', diagnostics, async () => {
          await page.reload();
          await hydrated(page);
          assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-BR');
          await page.locator(byTestId('dashboard-greeting')).filter({ hasText: 'Olá, Ana' }).waitFor();
          await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
          assert.equal((await page.locator(byTestId('live-indicator')).innerText()).trim(), 'Ao vivo');
        });

        await step('invite a teammate', diagnostics, async () => {
          await openMenuIfCollapsed(page);
          await page.click(byTestId('nav-team'));
          await page.waitForURL('**/settings/team');
          await page.waitForSelector(`${byTestId('member-row')}[data-email="${email}"]`);
          await page.fill(byTestId('invite-email'), teammate);
          await page.selectOption(byTestId('invite-role'), 'agent');
          await page.click(byTestId('invite-submit'));
          await page.locator(byTestId('toast')).filter({ hasText: 'Convite enviado.' }).waitFor();
          await page.waitForSelector(`${byTestId('invitation-row')}[data-email="${teammate}"]`);
        });

        await step('log out', diagnostics, async () => {
          await openMenuIfCollapsed(page);
          await page.click(byTestId('logout-button'));
          await page.waitForURL('**/login**');
          await page.waitForSelector(byTestId('login-form'));
        });

        const crashes = diagnostics.filter((line) => line.startsWith('pageerror'));
        assert.deepEqual(crashes, [], 'the page raised uncaught errors');
      } finally {
        await context.close();
      }
    });
  }
});
