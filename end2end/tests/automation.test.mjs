// Automations in the browser: an owner sets the company's business hours (every day, all day,
// and Christmas as a holiday) and sees them kept after a reload; builds a rule in the editor —
// keyword "preço", a tags condition, then "label vendas" and a personalised reply, reordered with
// the arrows — after the editor showed a bad regular expression's error next to its input; a
// customer's "qual o preço?" (a signed webhook from the fake Graph API) gets the label and the
// automated reply in the inbox, and the rule's execution log shows the run and its steps; with
// the rule switched off in the list, the next "preço" gets no reply.
//
// Auth budget: one sign-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { api, BASE_URL, byTestId, fakeGraph, hydrated, launchBrowser, phoneContext, requireEnv, screenshot, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, watch } from './support.mjs';

const FAKE_GRAPH_URL = requireEnv('FAKE_GRAPH_URL');
const PHONE_NUMBER_ID = requireEnv('FAKE_GRAPH_PHONE_NUMBER_ID');
const WABA_ID = requireEnv('FAKE_GRAPH_WABA_ID');
const GRAPH_TOKEN = requireEnv('FAKE_GRAPH_TOKEN');
const APP_SECRET = 'e2e-automation-secret-3b9d';
const CUSTOMER = { from: '5511987650077', name: 'Rui Cliente', phone: '+5511987650077' };
const RULE = 'Preço para vendas';
const REPLY = 'Olá {{contact.first_name|cliente}}, já te respondemos!';
const REPLY_SENT = 'Olá Rui, já te respondemos!';
const conversationRow = `${byTestId('conversation-row')}[data-phone="${CUSTOMER.phone}"]`;
const ruleRow = `${byTestId('automation-row')}[data-name="${RULE}"]`;

/** The texts the fake Graph API accepted for the customer. */
async function sentTexts() {
  const sent = await (await fetch(`${FAKE_GRAPH_URL}/_fake/sent`)).json();
  return sent.filter((m) => m.body?.to === CUSTOMER.from && m.body?.type === 'text').map((m) => m.body.text.body);
}

/** Waits until `check()` is truthy, polling. */
async function until(check, what) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() < deadline, `${what} did not happen in ${STEP_TIMEOUT} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether the page is wider than its window (a layout that breaks on phones). */
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('Automations: business hours, a keyword rule that labels and replies, its log, switching it off', { timeout: 240_000 }, async () => {
  const diagnostics = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', baseURL: BASE_URL });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  watch(page, diagnostics);
  let ruleId;
  try {
    await step('an owner sets business hours: every day all day, and Christmas every year', diagnostics, async () => {
      await signUpAndLogIn(page, { email: uniqueEmail('owner-automation'), company: 'Loja Verde', name: 'Vera Dona', next: '/settings/business-hours' });
      await page.waitForSelector(byTestId('business-hours-form'));
      assert.match(await page.innerText(byTestId('business-hours-time-zone')), /time zone \S+/);
      await page.waitForSelector(byTestId('holidays-empty'));
      await page.click(byTestId('business-hours-add'));
      // A new window is Monday to Friday: add the weekend.
      for (const day of ['6', '7']) await page.click(`${byTestId('business-hours-day')}[data-day="${day}"]`);
      await page.fill(byTestId('business-hours-start'), '00:00');
      await page.fill(byTestId('business-hours-end'), '23:59');
      await page.click(byTestId('holiday-add'));
      await page.fill(byTestId('holiday-date'), '2026-12-25');
      await page.fill(byTestId('holiday-name'), 'Natal');
      await page.check(byTestId('holiday-every-year'));
      await page.click(byTestId('business-hours-save'));
      await page.locator(`${byTestId('toast')}[data-kind="success"]`).filter({ hasText: 'Business hours saved' }).waitFor();
    });

    await step('the hours are kept after a reload', diagnostics, async () => {
      await page.reload();
      await hydrated(page);
      await page.waitForSelector(byTestId('business-hours-window'));
      assert.equal(await page.locator(byTestId('business-hours-window')).count(), 1);
      assert.equal(await page.locator(`${byTestId('business-hours-day')}[aria-pressed="true"]`).count(), 7);
      assert.equal(await page.inputValue(byTestId('business-hours-start')), '00:00');
      assert.equal(await page.inputValue(byTestId('business-hours-end')), '23:59');
      assert.equal(await page.inputValue(byTestId('holiday-date')), '2026-12-25');
      assert.equal(await page.inputValue(byTestId('holiday-name')), 'Natal');
      assert.ok(await page.isChecked(byTestId('holiday-every-year')));
      const saved = await api(page, 'GET', '/company/business-hours');
      assert.deepEqual(saved.body.windows, [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' }]);
      assert.deepEqual(saved.body.holidays, [{ date: '2026-12-25', name: 'Natal', every_year: true }]);
      await screenshot(page, 'business-hours');
    });

    await step('a WhatsApp number receives the customers', diagnostics, async () => {
      const created = await api(page, 'POST', '/connections', {
        kind: 'whatsapp_cloud', name: 'Loja Verde WhatsApp', phone_number_id: PHONE_NUMBER_ID, waba_id: WABA_ID,
        access_token: GRAPH_TOKEN, app_secret: APP_SECRET, verify_token: 'e2e-automation-verify',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await fakeGraph('/_fake/webhook', { url: created.body.webhook_url, app_secret: APP_SECRET });
    });

    await step('the rule editor shows a bad regular expression next to its input', diagnostics, async () => {
      await page.click(byTestId('nav-automations'));
      await page.waitForSelector(byTestId('automations-empty'));
      await page.click(byTestId('automation-new'));
      await page.waitForSelector(byTestId('rule-form'));
      await page.fill(byTestId('rule-name'), RULE);
      await page.selectOption(byTestId('rule-trigger'), 'keyword');
      await page.fill(byTestId('rule-trigger-keywords'), 'preço');
      // Only for contacts without the tag "bloqueado" (nobody has it).
      await page.click(byTestId('rule-condition-add'));
      const tags = page.locator(byTestId('rule-condition')).nth(0);
      await tags.locator(byTestId('rule-condition-type')).selectOption('tags');
      await tags.locator(byTestId('rule-condition-tags-mode')).selectOption('none');
      await tags.locator(byTestId('rule-condition-tags')).fill('bloqueado');
      await page.click(byTestId('rule-condition-add'));
      const regex = page.locator(byTestId('rule-condition')).nth(1);
      await regex.locator(byTestId('rule-condition-type')).selectOption('text_matches');
      await regex.locator(byTestId('rule-condition-pattern')).fill('pre(ço');
      // The reply first, then the label; the label is moved up below.
      await page.click(byTestId('rule-action-add'));
      const reply = page.locator(byTestId('rule-action')).nth(0);
      await reply.locator(byTestId('rule-action-type')).selectOption('reply_text');
      await reply.locator(byTestId('rule-action-text')).fill(REPLY);
      await page.click(byTestId('rule-action-add'));
      await page.locator(byTestId('rule-action')).nth(1).locator(byTestId('rule-action-label')).fill('vendas');
      await page.click(byTestId('rule-save'));
      const error = regex.locator(`${byTestId('field-error')}[data-field="conditions[1].pattern"]`);
      await error.waitFor();
      assert.match(await error.innerText(), /regular expression/i);
      assert.match(await regex.locator(byTestId('rule-condition-pattern')).getAttribute('class'), /input-invalid/);
      assert.equal(await page.locator(byTestId('rule-form-error')).count(), 0, 'shown at the field, not above the buttons');
      assert.match(page.url(), /\/automations\/new$/, 'nothing was saved');
    });

    await step('without the bad condition, and with the label first, the rule is saved', diagnostics, async () => {
      await page.locator(byTestId('rule-condition')).nth(1).locator(byTestId('rule-condition-remove')).click();
      assert.equal(await page.locator(byTestId('rule-condition')).count(), 1);
      await page.locator(byTestId('rule-action')).nth(1).locator(byTestId('rule-action-up')).click();
      assert.equal(await page.locator(byTestId('rule-action')).nth(0).getAttribute('data-type'), 'add_label');
      assert.equal(await page.locator(byTestId('rule-action')).nth(1).getAttribute('data-type'), 'reply_text');
      assert.equal(await page.locator(byTestId('rule-action')).nth(1).locator(byTestId('rule-action-text')).inputValue(), REPLY);
      assert.ok(await page.isChecked(byTestId('rule-enabled')));
      await page.click(byTestId('rule-save'));
      await page.waitForURL(/\/automations\/[0-9a-f-]{36}$/);
      ruleId = page.url().split('/').pop();
      await page.waitForSelector(byTestId('rule-runs-empty'));
      const saved = await api(page, 'GET', `/automation-rules/${ruleId}`);
      assert.deepEqual(saved.body.trigger, { type: 'keyword', keywords: ['preço'] });
      assert.deepEqual(saved.body.conditions, [{ type: 'tags', tags: ['bloqueado'], mode: 'none' }]);
      assert.deepEqual(saved.body.actions, [{ type: 'add_label', label: 'vendas' }, { type: 'reply_text', text: REPLY }]);
      assert.equal(saved.body.enabled, true);
      // The form shows the saved rule when opened again.
      await page.reload();
      await hydrated(page);
      assert.equal(await page.inputValue(byTestId('rule-name')), RULE);
      assert.equal(await page.inputValue(byTestId('rule-trigger-keywords')), 'preço');
      assert.equal(await page.inputValue(byTestId('rule-condition-tags-mode')), 'none');
      assert.equal(await page.inputValue(byTestId('rule-action-label')), 'vendas');
      await screenshot(page, 'automation-rule');
    });

    await step('the list shows the rule in one line', diagnostics, async () => {
      await page.click(byTestId('rule-back'));
      await page.locator(ruleRow).waitFor();
      assert.equal(await page.locator(ruleRow).getAttribute('data-enabled'), 'true');
      assert.equal(
        (await page.innerText(`${ruleRow} ${byTestId('automation-summary')}`)).trim(),
        'Message contains “preço” · 1 condition → label “vendas”, reply',
      );
      assert.equal(await page.getAttribute(`${ruleRow} ${byTestId('automation-runs')}`, 'data-runs'), '0');
    });

    await step('a customer asking the price gets the label and the automated reply', diagnostics, async () => {
      await page.goto('/inbox');
      await hydrated(page);
      await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
      await fakeGraph('/_fake/inbound', { from: CUSTOMER.from, name: CUSTOMER.name, text: 'qual o preço?' });
      await until(async () => (await sentTexts()).includes(REPLY_SENT), 'the automated reply reaching Meta');
      await page.click(conversationRow);
      await page.locator(`${byTestId('conversation-label-chip')}[data-label="vendas"]`).waitFor();
      const automated = page.locator(`${byTestId('message')}[data-direction="out"]`).filter({ hasText: REPLY_SENT });
      await automated.waitFor();
      assert.equal(await automated.getAttribute('data-automation'), RULE);
      assert.match(await automated.locator(byTestId('message-automation')).innerText(), /Preço para vendas/);
      await screenshot(page, 'automation-inbox');
    });

    await step("the rule's execution log shows the run and its steps", diagnostics, async () => {
      await page.goto(`/automations/${ruleId}`);
      await hydrated(page);
      const run = page.locator(`${byTestId('rule-run')}[data-outcome="done"]`);
      await run.waitFor();
      assert.equal(await page.locator(byTestId('rule-run')).count(), 1);
      assert.equal((await run.locator(byTestId('rule-run-contact')).innerText()).trim(), CUSTOMER.name);
      assert.match(await run.locator(byTestId('rule-run-conversation')).getAttribute('href'), /^\/inbox\?c=[0-9a-f-]{36}$/);
      assert.equal(await run.locator(byTestId('rule-run-trigger')).getAttribute('data-trigger'), 'keyword');
      assert.equal((await run.locator(byTestId('rule-run-outcome')).innerText()).trim(), 'Done');
      const steps = run.locator(byTestId('rule-run-step'));
      assert.equal(await steps.count(), 2);
      assert.equal(await steps.nth(0).getAttribute('data-action'), 'add_label');
      assert.equal(await steps.nth(0).getAttribute('data-ok'), 'true');
      assert.match(await steps.nth(0).innerText(), /Add a label/);
      assert.equal(await steps.nth(1).getAttribute('data-action'), 'reply_text');
      assert.equal(await steps.nth(1).getAttribute('data-ok'), 'true');
      await run.scrollIntoViewIfNeeded();
      await screenshot(page, 'automation-log');
    });

    await step('the rule page and the list fit a phone', diagnostics, async () => {
      const phone = await phoneContext(browser, context);
      const small = await phone.newPage();
      watch(small, diagnostics);
      try {
        for (const path of [`/automations/${ruleId}`, '/settings/business-hours', '/automations']) {
          await small.goto(path);
          await hydrated(small);
          await small.waitForSelector(path === '/automations' ? ruleRow : path.startsWith('/settings') ? byTestId('business-hours-form') : byTestId('rule-run'));
          assert.equal(await overflows(small), false, `${path} is wider than the phone`);
        }
        await screenshot(small, 'automation-list-phone');
      } finally {
        await phone.close();
      }
    });

    await step('switched off in the list, the rule no longer answers', diagnostics, async () => {
      await page.goto('/automations');
      await hydrated(page);
      await page.locator(ruleRow).waitFor();
      assert.equal(await page.getAttribute(`${ruleRow} ${byTestId('automation-runs')}`, 'data-runs'), '1');
      await page.click(`${ruleRow} ${byTestId('automation-enabled-label')}`);
      await page.locator(`${ruleRow}[data-enabled="false"]`).waitFor();
      await page.locator(`${byTestId('toast')}[data-kind="success"]`).filter({ hasText: 'Rule turned off' }).waitFor();
      assert.equal((await api(page, 'GET', `/automation-rules/${ruleId}`)).body.enabled, false);

      await page.goto('/inbox');
      await hydrated(page);
      await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
      await page.click(conversationRow);
      await fakeGraph('/_fake/inbound', { from: CUSTOMER.from, name: CUSTOMER.name, text: 'e o preço do frete?' });
      await page.locator(`${byTestId('message')}[data-direction="in"]`).filter({ hasText: 'e o preço do frete?' }).waitFor();
      // Time for the automation worker to have picked the message up, had the rule been on.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.deepEqual(await sentTexts(), [REPLY_SENT], 'one automated reply only');
      assert.equal(await page.locator(`${byTestId('message')}[data-automation]`).count(), 1);
      const runs = await api(page, 'GET', `/automation-rules/${ruleId}/runs`);
      assert.equal(runs.body.length, 1, JSON.stringify(runs.body));
    });
  } catch (err) {
    console.error(diagnostics.join('\n'));
    throw err;
  } finally {
    await context.close();
  }
});
