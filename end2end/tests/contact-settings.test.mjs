// Contact settings (/settings/contacts): an admin adds a choice field (the key suggested from the
// label, the server's duplicate-key error under the key input), edits its name and options and
// deletes it; then, with two contacts tagged through the REST API, renames one tag onto another
// (the counts merge), deletes a tag, follows a tag to the contacts list, and uses the page on a
// 390 px phone.
//
// Auth budget: one sign-up and one login; the phone check reuses the desktop session's cookies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, byTestId, hydrated, launchBrowser, phoneContext, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, watch } from './support.mjs';

const fieldRow = (key) => `${byTestId('field-row')}[data-key="${key}"]`;
const tagRow = (tag) => `${byTestId('tag-row')}[data-tag="${tag}"]`;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const textOf = async (page, selector) => (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();


/** Signs up, confirms the email from the outbox and logs in: one sign-up and one login. */

async function toast(page, text) {
  await page.locator(byTestId('toast')).filter({ hasText: text }).first().waitFor();
}

/** The chips of a field's options, in order. */
async function optionsOf(page, key) {
  return page.locator(`${fieldRow(key)} ${byTestId('field-option')}`).allInnerTexts();
}

/** Waits until the tag list shows exactly these `tag: count` pairs. */
async function waitForTags(page, expected) {
  const want = Object.entries(expected)
    .map(([tag, count]) => `${tag}:${count}`)
    .sort()
    .join(',');
  await page.waitForFunction(
    (want) =>
      [...document.querySelectorAll('[data-testid="tag-row"]')]
        .map((row) => `${row.getAttribute('data-tag')}:${row.querySelector('[data-testid="tag-count"]').getAttribute('data-count')}`)
        .sort()
        .join(',') === want,
    want,
    { timeout: STEP_TIMEOUT },
  );
}

test('contact settings: custom fields and the tag manager', { timeout: 180_000 }, async () => {
  const diagnostics = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', baseURL: BASE_URL });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  watch(page, diagnostics);
  try {
    await step('an owner opens the page from the sidebar and sees both empty states', diagnostics, async () => {
      await signUpAndLogIn(page, { email: uniqueEmail('owner-fields'), company: 'Campos Ltda', name: 'Otávio Owner', next: '/settings/contacts' });
      await page.goto('/settings/team');
      await hydrated(page);
      await page.click(byTestId('nav-contact-settings'));
      await page.waitForURL('**/settings/contacts');
      assert.match(await page.title(), /Contact fields & tags/);
      assert.equal(await page.getAttribute(byTestId('nav-contact-settings'), 'aria-current'), 'page');
      await page.waitForSelector(byTestId('no-contact-fields'));
      await page.waitForSelector(byTestId('no-tags'));
      assert.match(await textOf(page, byTestId('no-tags')), /Tag contacts on the Contacts page/);
      assert.equal(await page.locator(byTestId('read-only-note')).count(), 0);
      // Live updates below need the socket.
      await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
    });

    await step('the key follows the label until it is typed, and options appear for a choice', diagnostics, async () => {
      await page.fill(byTestId('field-label'), 'Plano do cliente');
      assert.equal(await page.inputValue(byTestId('field-key')), 'plano_do_cliente');
      await page.fill(byTestId('field-key'), 'plan');
      await page.fill(byTestId('field-label'), 'Customer plan');
      assert.equal(await page.inputValue(byTestId('field-key')), 'plan', 'a typed key is kept');
      assert.equal(await page.locator(byTestId('field-options')).count(), 0);
      await page.selectOption(byTestId('field-kind'), 'choice');
      await page.waitForSelector(byTestId('field-options'));
      // A choice without options is caught before sending, under the options box.
      await page.click(byTestId('field-submit'));
      assert.match(await textOf(page, '#field-options-error'), /needs at least one option/);
      assert.equal(await page.getAttribute(byTestId('field-options'), 'aria-invalid'), 'true');
    });

    await step('adding the field lists it with its key, type and options', diagnostics, async () => {
      await page.fill(byTestId('field-options'), 'Gold, Silver\nBronze\ngold');
      await page.click(byTestId('field-submit'));
      await toast(page, 'Field added.');
      await page.waitForSelector(fieldRow('plan'));
      assert.equal(await textOf(page, `${fieldRow('plan')} ${byTestId('field-row-label')}`), 'Customer plan');
      assert.equal(await textOf(page, `${fieldRow('plan')} ${byTestId('field-row-key')}`), 'plan');
      assert.equal(await page.getAttribute(`${fieldRow('plan')} ${byTestId('field-row-kind')}`, 'data-kind'), 'choice');
      assert.deepEqual(await optionsOf(page, 'plan'), ['Gold', 'Silver', 'Bronze']);
      // The form is empty again.
      assert.equal(await page.inputValue(byTestId('field-label')), '');
      assert.equal(await page.inputValue(byTestId('field-key')), '');
    });

    await step('a key in use is refused by the server, under the key input', diagnostics, async () => {
      await page.fill(byTestId('field-label'), 'Plan');
      assert.equal(await page.inputValue(byTestId('field-key')), 'plan');
      await page.selectOption(byTestId('field-kind'), 'text');
      await page.click(byTestId('field-submit'));
      await page.waitForSelector('#field-key-error');
      assert.match(await textOf(page, '#field-key-error'), /already exists/);
      assert.equal(await page.getAttribute('#field-key-error', 'data-testid'), 'field-error');
      assert.equal(await page.getAttribute(byTestId('field-key'), 'aria-invalid'), 'true');
      await page.fill(byTestId('field-label'), '');
      await page.fill(byTestId('field-key'), '');
    });

    await step('editing changes the name and the options; the key stays', diagnostics, async () => {
      await page.click(`${fieldRow('plan')} ${byTestId('field-edit')}`);
      await page.waitForSelector(byTestId('field-edit-form'));
      assert.equal(await page.inputValue(byTestId('field-edit-label')), 'Customer plan');
      assert.equal(await page.inputValue(byTestId('field-edit-options')), 'Gold\nSilver\nBronze');
      await page.fill(byTestId('field-edit-label'), '');
      await page.click(byTestId('field-edit-save'));
      assert.match(await textOf(page, '#field-edit-label-error'), /required/);
      await page.fill(byTestId('field-edit-label'), 'Plan');
      await page.fill(byTestId('field-edit-options'), 'Gold\nSilver\nPlatinum');
      await page.click(byTestId('field-edit-save'));
      await toast(page, 'Field saved.');
      await page.locator(`${fieldRow('plan')} ${byTestId('field-row-label')}`).filter({ hasText: /^Plan$/ }).waitFor();
      assert.deepEqual(await optionsOf(page, 'plan'), ['Gold', 'Silver', 'Platinum']);
      assert.equal(await page.locator(byTestId('field-edit-form')).count(), 0);
    });

    await step('deleting a field asks first, then removes it', diagnostics, async () => {
      await page.click(`${fieldRow('plan')} ${byTestId('field-delete')}`);
      assert.match(await textOf(page, byTestId('field-confirm-row')), /Delete the field “Plan”\?/);
      await page.click(byTestId('field-delete-confirm'));
      await toast(page, 'Field deleted.');
      await page.waitForSelector(fieldRow('plan'), { state: 'detached' });
      await page.waitForSelector(byTestId('no-contact-fields'));
    });

    await step('tags of contacts created through the API appear with their counts', diagnostics, async () => {
      const statuses = await page.evaluate(async () => {
        const me = await (await fetch('/api/v1/me')).json();
        const create = (body) =>
          fetch('/api/v1/contacts', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
            body: JSON.stringify(body),
          }).then((response) => response.status);
        return [
          await create({ phone: '+5511987650001', name: 'Ana', tags: ['vip', 'premium'] }),
          await create({ phone: '+5511987650002', name: 'Bruno', tags: ['premium', 'lead'] }),
        ];
      });
      assert.deepEqual(statuses, [201, 201]);
      // No reload: the `contacts.changed` live event refreshes the list.
      await waitForTags(page, { lead: 1, premium: 2, vip: 1 });
      assert.equal(await textOf(page, `${tagRow('premium')} ${byTestId('tag-count')}`), '2 contacts');
      assert.equal(await textOf(page, `${tagRow('vip')} ${byTestId('tag-count')}`), '1 contact');
      assert.equal(await page.getAttribute(`${tagRow('vip')} ${byTestId('tag-link')}`, 'href'), '/contacts?tag=vip');
    });

    await step('renaming a tag onto another merges them', diagnostics, async () => {
      await page.click(`${tagRow('premium')} ${byTestId('tag-rename')}`);
      await page.waitForSelector(byTestId('tag-rename-form'));
      assert.equal(await page.inputValue(byTestId('tag-rename-input')), 'premium');
      await page.fill(byTestId('tag-rename-input'), 'a,b');
      await page.click(byTestId('tag-rename-save'));
      assert.match(await textOf(page, '#tag-rename-input-error'), /no commas/);
      await page.fill(byTestId('tag-rename-input'), 'VIP');
      await page.click(byTestId('tag-rename-save'));
      await toast(page, 'Tag renamed.');
      await waitForTags(page, { lead: 1, vip: 2 });
      assert.equal(await textOf(page, `${tagRow('vip')} ${byTestId('tag-count')}`), '2 contacts');
    });

    await step('deleting a tag asks first, then removes it', diagnostics, async () => {
      await page.click(`${tagRow('lead')} ${byTestId('tag-delete')}`);
      assert.match(await textOf(page, byTestId('tag-confirm-row')), /Remove the tag “lead” from every contact\?/);
      await page.click(byTestId('tag-delete-confirm'));
      await toast(page, 'Tag removed from every contact.');
      await waitForTags(page, { vip: 2 });
    });

    await step('a tag links to its contacts', diagnostics, async () => {
      await page.click(`${tagRow('vip')} ${byTestId('tag-link')}`);
      await page.waitForURL('**/contacts?tag=vip');
    });

    await step('the page works on a 390 px phone', diagnostics, async () => {
      const phone = await phoneContext(browser, context);
      try {
        const small = await phone.newPage();
        watch(small, diagnostics);
        await small.goto('/settings/contacts');
        await small.waitForSelector(tagRow('vip'));
        await small.waitForSelector(byTestId('no-contact-fields'));
        const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
        // Cards, not a table: no column headers, and every button in reach.
        assert.equal(await small.locator(`${byTestId('tag-table')} thead`).isVisible(), false);
        for (const id of ['tag-rename', 'tag-delete']) {
          const box = await small.locator(`${tagRow('vip')} ${byTestId(id)}`).boundingBox();
          assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${id} is on screen`);
        }
        await small.selectOption(byTestId('field-kind'), 'choice');
        assert.ok(await small.locator(byTestId('field-options')).isVisible());
        assert.ok(await small.locator(byTestId('field-submit')).isVisible());
        await small.tap(`${tagRow('vip')} ${byTestId('tag-rename')}`);
        assert.ok(await small.locator(byTestId('tag-rename-save')).isVisible());
        const after = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(after <= 0, `the rename form scrolls sideways by ${after}px`);
      } finally {
        await phone.close();
      }
    });
  } finally {
    await context.close();
  }
});
