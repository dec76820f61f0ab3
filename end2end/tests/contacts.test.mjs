// The contacts page: create a contact from a number typed the Brazilian way and see it in E.164,
// the duplicate and invalid-number errors next to the phone field, search and the tag filter,
// editing, deleting, "Load more", and the same list on a 360 px phone.
//
// Auth budget: one sign-up and one login (the server allows 20 per minute per IP for the suite);
// the phone check reuses the desktop session's cookies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, byTestId, hydrated, launchBrowser, phoneContext, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, watch } from './support.mjs';

const row = (phone) => `${byTestId('contact-row')}[data-phone="${phone}"]`;
const ANA = '+5511987654321';
const BRUNO = '+5521998765432';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const textOf = async (page, selector) => (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();


/** Signs up, confirms the email from the outbox and logs in: one sign-up and one login. */

/** Opens the form (new, or the edit form of the row with `phone`) and waits for it. */
async function openForm(page, phone) {
  if (phone) {
    await page.click(`${row(phone)} ${byTestId('contact-edit')}`);
  } else {
    await page.click(byTestId('contacts-new'));
  }
  await page.waitForSelector(byTestId('contact-form'));
}

async function fillForm(page, fields) {
  for (const [name, value] of Object.entries(fields)) {
    await page.fill(byTestId(`contact-${name}`), value);
  }
}

async function toast(page, text) {
  await page.locator(byTestId('toast')).filter({ hasText: text }).first().waitFor();
}

/** Waits until exactly these numbers are listed (in any order). */
async function waitForRows(page, phones) {
  const expected = [...phones].sort().join(',');
  await page.waitForFunction(
    (want) =>
      [...document.querySelectorAll('[data-testid="contact-row"]')]
        .map((el) => el.getAttribute('data-phone'))
        .sort()
        .join(',') === want,
    expected,
    { timeout: STEP_TIMEOUT },
  );
}

test('contacts: create, duplicate, search, edit, delete, phone layout', { timeout: 240_000 }, async () => {
  const diagnostics = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', baseURL: BASE_URL });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  watch(page, diagnostics);
  try {
    await step('a new company starts with no contacts', diagnostics, async () => {
      await signUpAndLogIn(page, { email: uniqueEmail('owner-contacts'), company: 'Contacts Ltda', name: 'Carla Contatos', next: '/contacts' });
      await page.waitForSelector(`${byTestId('contacts-empty')}[data-kind="none"]`);
    });

    await step('a number typed the Brazilian way is listed in E.164', diagnostics, async () => {
      await openForm(page);
      await fillForm(page, { phone: '(11) 98765-4321', name: 'Ana Souza', email: 'ana@example.com', tags: 'VIP, cliente' });
      await page.click(byTestId('contact-save'));
      await toast(page, 'Contact created.');
      await page.waitForSelector(byTestId('contact-form'), { state: 'detached' });
      const text = await textOf(page, row(ANA));
      assert.match(text, /Ana Souza/);
      assert.match(text, /\+5511987654321/);
      assert.match(text, /ana@example\.com/);
      assert.match(text, /vip/);
      assert.equal(await textOf(page, byTestId('contacts-count')), '1 contact');
    });

    await step('the same number again, or a bad one, is an error next to the phone field', diagnostics, async () => {
      await openForm(page);
      await fillForm(page, { phone: '11 98765 4321', name: 'Ana again' });
      await page.click(byTestId('contact-save'));
      const error = page.locator(`${byTestId('contact-form')} #contact-phone-error`);
      await error.filter({ hasText: 'already exists' }).waitFor();
      assert.equal(await page.getAttribute(byTestId('contact-phone'), 'aria-invalid'), 'true');
      await fillForm(page, { phone: '123' });
      await page.click(byTestId('contact-save'));
      await error.filter({ hasText: 'not a valid phone number' }).waitFor();
      await page.click(byTestId('contact-close'));
      await page.waitForSelector(byTestId('contact-form'), { state: 'detached' });
      await waitForRows(page, [ANA]);
    });

    await step('search and the tag filter narrow the list', diagnostics, async () => {
      await openForm(page);
      await fillForm(page, { phone: '+55 21 99876-5432', name: 'Bruno Lima', tags: 'cliente' });
      await page.click(byTestId('contact-save'));
      await toast(page, 'Contact created.');
      await waitForRows(page, [ANA, BRUNO]);
      await page.fill(byTestId('contacts-search'), 'bruno');
      await waitForRows(page, [BRUNO]);
      await page.fill(byTestId('contacts-search'), 'ana@example');
      await waitForRows(page, [ANA]);
      await page.fill(byTestId('contacts-search'), 'nobody like this');
      await page.waitForSelector(`${byTestId('contacts-empty')}[data-kind="filtered"]`);
      await page.fill(byTestId('contacts-search'), '');
      await waitForRows(page, [ANA, BRUNO]);
      await page.locator(`${row(ANA)} ${byTestId('contact-tag')}`).filter({ hasText: 'vip' }).click();
      assert.equal(await page.inputValue(byTestId('contacts-tag')), 'vip');
      await waitForRows(page, [ANA]);
      await page.fill(byTestId('contacts-tag'), '');
      await waitForRows(page, [ANA, BRUNO]);
    });

    await step('editing the name updates the row', diagnostics, async () => {
      await openForm(page, ANA);
      assert.equal(await page.inputValue(byTestId('contact-phone')), ANA);
      assert.equal(await page.inputValue(byTestId('contact-name')), 'Ana Souza');
      assert.equal(await page.inputValue(byTestId('contact-tags')), 'cliente, vip');
      await fillForm(page, { name: 'Ana Maria Souza' });
      await page.click(byTestId('contact-save'));
      await toast(page, 'Contact saved.');
      await page.locator(row(ANA)).filter({ hasText: 'Ana Maria Souza' }).waitFor();
    });

    await step('the list fits a 360 px phone', diagnostics, async () => {
      const phone = await phoneContext(browser, context, { width: 360, height: 740 });
      try {
        const small = await phone.newPage();
        watch(small, diagnostics);
        await small.goto('/contacts');
        await small.locator(row(ANA)).filter({ hasText: 'Ana Maria Souza' }).waitFor();
        assert.ok(await small.locator(`${row(BRUNO)} ${byTestId('contact-edit')}`).isVisible());
        const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
        await small.click(byTestId('contacts-new'));
        assert.ok(await small.locator(byTestId('contact-save')).isVisible(), 'the form fits the screen');
      } finally {
        await phone.close();
      }
    });

    await step('deleting asks first, then removes the row', diagnostics, async () => {
      await openForm(page, ANA);
      await page.click(byTestId('contact-delete'));
      await page.click(byTestId('contact-delete-confirm'));
      await toast(page, 'Contact deleted.');
      await waitForRows(page, [BRUNO]);
    });

    await step('"Load more" appends the next page', diagnostics, async () => {
      // 55 more through the REST API, as an integration would; with Bruno that is 56 (50 + 6).
      const created = await page.evaluate(async () => {
        const me = await (await fetch('/api/v1/me')).json();
        let ok = 0;
        for (let i = 0; i < 55; i++) {
          const response = await fetch('/api/v1/contacts', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
            body: JSON.stringify({ phone: `+5511970${String(i).padStart(6, '0')}`, name: `Bulk ${i}` }),
          });
          if (response.status === 201) ok++;
        }
        return ok;
      });
      assert.equal(created, 55);
      await page.goto('/contacts');
      await page.locator(byTestId('contacts-count')).filter({ hasText: 'First 50 contacts' }).waitFor();
      assert.equal(await page.locator(byTestId('contact-row')).count(), 50);
      await page.click(byTestId('contacts-load-more'));
      await page.locator(byTestId('contacts-count')).filter({ hasText: '56 contacts' }).waitFor();
      await page.waitForSelector(row(BRUNO));
      assert.equal(await page.locator(byTestId('contacts-load-more')).count(), 0);
    });

    const crashes = diagnostics.filter((line) => line.startsWith('pageerror'));
    assert.deepEqual(crashes, [], 'the page raised uncaught errors');
  } finally {
    await context.close();
  }
});
