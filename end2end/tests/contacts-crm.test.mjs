// The CRM around the contact list: import a Brazilian-Excel CSV through the wizard (mapping
// preview, live progress, per-line rejects), filter by tag, edit a contact's custom field, export
// the filtered list, build a segment with a live count, and act on a selection in bulk.
//
// Auth budget: one sign-up and one login.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';


import { BASE_URL, byTestId, hydrated, launchBrowser, phoneContext, screenshot, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, watch } from './support.mjs';

const row = (phone) => `${byTestId('contact-row')}[data-phone="${phone}"]`;

// `;`-separated with a BOM and Portuguese headers, as Excel in Brazil saves it. Line 4 is bad.
const CSV =
  '\uFEFFTelefone;Nome;Etiquetas;Plano;Obs interna\r\n' +
  '(11) 98765-4321;Ana Souza;vip;Ouro;x\r\n' +
  '(21) 99876-5432;Bruno Lima;;Prata;x\r\n' +
  '123;Número ruim;;;x\r\n' +
  '+55 31 98888-7777;Carla Dias;vip, bh;Ouro;x\r\n';
const ANA = '+5511987654321';
const BRUNO = '+5521998765432';
const CARLA = '+5531988887777';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});




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


async function toast(page, text) {
  await page.locator(byTestId('toast')).filter({ hasText: text }).first().waitFor();
}

test('contacts CRM: import, filter, edit, export, segment, bulk', { timeout: 240_000 }, async () => {
  const diagnostics = [];
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    baseURL: BASE_URL,
    acceptDownloads: true,
  });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  watch(page, diagnostics);
  try {
    await step('a "plan" choice field exists (through the API, as an admin would set it up)', diagnostics, async () => {
      await signUpAndLogIn(page, { email: uniqueEmail('owner-crm'), company: 'Importadora Ltda', name: 'Iara Import', next: '/contacts/import' });
      const status = await page.evaluate(async () => {
        const me = await (await fetch('/api/v1/me')).json();
        const response = await fetch('/api/v1/contact-fields', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
          body: JSON.stringify({ key: 'plan', label: 'Plan', kind: 'choice', options: ['Ouro', 'Prata'] }),
        });
        return response.status;
      });
      assert.equal(status, 201);
      await page.reload();
      await hydrated(page);
    });

    await step('the wizard previews the columns with their guessed meaning', diagnostics, async () => {
      await page.setInputFiles(byTestId('import-file'), {
        name: 'clientes.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(CSV, 'utf8'),
      });
      await page.waitForSelector(byTestId('import-mapping'));
      assert.equal(await page.innerText(byTestId('import-filename')), 'clientes.csv');
      const target = (header) => page.inputValue(`${byTestId('import-target')}[data-header="${header}"]`);
      assert.equal(await target('Telefone'), 'phone');
      assert.equal(await target('Nome'), 'name');
      assert.equal(await target('Etiquetas'), 'tags');
      assert.equal(await target('Plano'), 'plano');
      // Map "Plano" onto the defined field and skip the internal notes column.
      await page.selectOption(`${byTestId('import-target')}[data-header="Plano"]`, 'plan');
      await page.selectOption(`${byTestId('import-target')}[data-header="Obs interna"]`, '');
      // Without a phone column the import cannot start.
      await page.selectOption(`${byTestId('import-target')}[data-header="Telefone"]`, '');
      await page.waitForSelector(byTestId('import-problem'));
      assert.ok(await page.isDisabled(byTestId('import-start')));
      await page.selectOption(`${byTestId('import-target')}[data-header="Telefone"]`, 'phone');
      await page.waitForSelector(byTestId('import-problem'), { state: 'detached' });
      await page.fill(byTestId('import-tags'), 'feira-2026');
      await screenshot(page, 'import-mapping-desktop');
    });

    await step('importing shows a summary with the rejected line and why', diagnostics, async () => {
      await page.click(byTestId('import-start'));
      await page.waitForSelector(byTestId('import-summary'));
      assert.equal(await page.innerText(byTestId('import-imported')), '3');
      assert.equal(await page.innerText(byTestId('import-updated')), '0');
      assert.equal(await page.innerText(byTestId('import-rejected')), '1');
      const rejected = await page.innerText(byTestId('import-rejected-line'));
      assert.match(rejected, /Line 4/);
      assert.match(rejected, /not a valid phone number/);
      await page.locator(byTestId('import-history-row')).filter({ hasText: 'clientes.csv' }).waitFor();
      await screenshot(page, 'import-summary-desktop');
    });

    await step('the imported contacts are listed and the tag filter narrows them', diagnostics, async () => {
      await page.click(byTestId('import-view-contacts'));
      await page.waitForURL('**/contacts');
      await waitForRows(page, [ANA, BRUNO, CARLA]);
      assert.match(await page.innerText(row(CARLA)), /feira-2026/);
      await page.fill(byTestId('contacts-tag'), 'vip');
      await waitForRows(page, [ANA, CARLA]);
    });

    await step("editing a contact's custom field saves it", diagnostics, async () => {
      await page.click(`${row(ANA)} ${byTestId('contact-edit')}`);
      await page.waitForSelector(byTestId('contact-form'));
      assert.equal(await page.inputValue(byTestId('contact-attr-plan')), 'Ouro');
      await page.selectOption(byTestId('contact-attr-plan'), 'Prata');
      await page.fill(byTestId('contact-name'), 'Ana Maria Souza');
      await page.click(byTestId('contact-save'));
      await toast(page, 'Contact saved.');
      await page.locator(row(ANA)).filter({ hasText: 'Ana Maria Souza' }).waitFor();
    });

    await step('the export holds the filtered contacts', diagnostics, async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(byTestId('contacts-export'))]);
      const stream = await download.createReadStream();
      let text = '';
      for await (const chunk of stream) text += chunk.toString('utf8');
      const lines = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
      assert.match(lines[0], /^phone,name,email,tags/);
      assert.equal(lines.length, 3, text);
      assert.ok(lines.some((line) => line.startsWith(`${ANA},Ana Maria Souza`) && line.endsWith(',Prata')), text);
      assert.ok(lines.some((line) => line.startsWith(CARLA)), text);
      await page.fill(byTestId('contacts-tag'), '');
      await waitForRows(page, [ANA, BRUNO, CARLA]);
    });

    await step('a segment shows its live count and lists its contacts', diagnostics, async () => {
      await page.click(byTestId('contacts-segments'));
      await page.waitForURL('**/contacts/segments');
      await page.waitForSelector(byTestId('segments-empty'));
      await page.click(byTestId('segment-new'));
      await page.fill(byTestId('segment-name'), 'Gold customers');
      await page.locator(byTestId('segment-live-count')).filter({ hasText: '3 contacts' }).waitFor();
      await page.click(byTestId('segment-add-condition'));
      await page.selectOption(byTestId('condition-value'), 'Ouro');
      await page.locator(byTestId('segment-live-count')).filter({ hasText: /^1 contact$/ }).waitFor();
      await screenshot(page, 'segment-builder-desktop');
      await page.click(byTestId('segment-save'));
      await toast(page, 'Segment saved.');
      const card = page.locator(byTestId('segment-card')).filter({ hasText: 'Gold customers' });
      await card.locator(byTestId('segment-count')).filter({ hasText: /^1 contact$/ }).waitFor();
      await card.locator(byTestId('segment-view')).click();
      await page.waitForURL('**/contacts?segment=*');
      await waitForRows(page, [CARLA]);
    });

    await step('bulk: tag a selection, then opt it out', diagnostics, async () => {
      await page.selectOption(byTestId('contacts-segment'), '');
      await waitForRows(page, [ANA, BRUNO, CARLA]);
      await page.check(`${row(ANA)} ${byTestId('contact-select')}`);
      await page.check(`${row(BRUNO)} ${byTestId('contact-select')}`);
      assert.equal(await page.innerText(byTestId('bulk-count')), '2 selected');
      await screenshot(page, 'contacts-desktop');
      await page.fill(byTestId('bulk-tag'), 'promo');
      await page.click(byTestId('bulk-add-tag'));
      await toast(page, '2 contacts changed.');
      await page.fill(byTestId('contacts-tag'), 'promo');
      await waitForRows(page, [ANA, BRUNO]);
      await page.check(byTestId('select-all'));
      await page.click(byTestId('bulk-opt-out'));
      await toast(page, '2 contacts changed.');
      await page.locator(`${row(BRUNO)} ${byTestId('contact-opted-out-badge')}`).waitFor();
    });

    await step('the import wizard, segments and the selection bar fit a 390 px phone', diagnostics, async () => {
      const phone = await phoneContext(browser, context);
      try {
        const small = await phone.newPage();
        watch(small, diagnostics);
        const overflow = () => small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        await small.goto('/contacts/import');
        await small.waitForSelector(byTestId('import-history-row'));
        await small.setInputFiles(byTestId('import-file'), { name: 'again.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
        await small.waitForSelector(byTestId('import-mapping'));
        assert.ok((await overflow()) <= 0, 'the import wizard scrolls sideways');
        await small.goto('/contacts/segments');
        await small.waitForSelector(byTestId('segment-card'));
        await small.click(byTestId('segment-edit'));
        await small.waitForSelector(byTestId('segment-condition'));
        assert.ok((await overflow()) <= 0, 'the segment builder scrolls sideways');
        await small.goto('/contacts');
        await small.waitForSelector(row(ANA));
        await small.check(`${row(ANA)} ${byTestId('contact-select')}`);
        await small.waitForSelector(byTestId('bulk-count'));
        assert.ok((await overflow()) <= 0, 'the list with the bulk bar scrolls sideways');
      } finally {
        await phone.close();
      }
    });

    const crashes = diagnostics.filter((line) => line.startsWith('pageerror'));
    assert.deepEqual(crashes, [], 'the page raised uncaught errors');
  } finally {
    await context.close();
  }
});
