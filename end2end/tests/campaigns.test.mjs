// Campaigns in the browser: an owner with a WhatsApp number, an approved template and a segment
// of tagged contacts (two of them opted out) writes a campaign, sees who receives it and what
// they will read, starts it, and watches the progress reach "completed" live; a delivery status
// from Meta moves the funnel without a reload; the recipients list and the campaigns list agree.
//
// Auth budget: one sign-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, byTestId, hydrated, launchBrowser, requireEnv, screenshot, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, watch, api, fakeGraph } from './support.mjs';

const FAKE_GRAPH_URL = requireEnv('FAKE_GRAPH_URL');
const PHONE_NUMBER_ID = requireEnv('FAKE_GRAPH_PHONE_NUMBER_ID');
const WABA_ID = requireEnv('FAKE_GRAPH_WABA_ID');
const GRAPH_TOKEN = requireEnv('FAKE_GRAPH_TOKEN');
const APP_SECRET = 'e2e-campaigns-secret-31c9';
const TEMPLATE = 'oferta_do_mes';
const CONTACTS = 12;
const OPTED_OUT = 2;
const phoneOf = (i) => `+55119877${String(i).padStart(5, '0')}`;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The template sends of this test the fake Graph API accepted. */
async function campaignSends() {
  const sent = await (await fetch(`${FAKE_GRAPH_URL}/_fake/sent`)).json();
  return sent.filter((m) => m.body?.type === 'template' && m.body?.template?.name === TEMPLATE);
}

const countOf = (page, name) => page.locator(`${byTestId(`count-${name}`)} ${byTestId('count')}`);

test('Campaigns: write one from a segment, start it, watch it complete', { timeout: 180_000 }, async () => {
  const diagnostics = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', baseURL: BASE_URL });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  watch(page, diagnostics);
  let campaignUrl;
  try {
    await step('an owner has a number, an approved template and a segment of customers', diagnostics, async () => {
      await signUpAndLogIn(page, { email: uniqueEmail('owner-campaigns'), company: 'Loja Aurora', name: 'Carla Dona', next: '/campaigns' });
      const created = await api(page, 'POST', '/connections', {
        kind: 'whatsapp_cloud', name: 'Vendas', phone_number_id: PHONE_NUMBER_ID, waba_id: WABA_ID,
        access_token: GRAPH_TOKEN, app_secret: APP_SECRET, verify_token: 'e2e-campaigns-verify',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await fakeGraph('/_fake/webhook', { url: created.body.webhook_url, app_secret: APP_SECRET });
      await fakeGraph('/_fake/template', {
        name: TEMPLATE, language: 'pt_BR', category: 'MARKETING',
        components: [{ type: 'BODY', text: 'Olá {{1}}, este mês temos {{2}} para você.' }],
      });
      const synced = await api(page, 'POST', `/connections/${created.body.id}/templates/sync`);
      assert.equal(synced.status, 200, JSON.stringify(synced.body));
      let csv = 'phone,name,tags\n';
      for (let i = 0; i < CONTACTS; i++) csv += `${phoneOf(i)},Cliente${i} Souza,vip\n`;
      const imported = await api(page, 'POST', '/contacts/import', csv, 'text/csv');
      assert.equal(imported.status, 200, JSON.stringify(imported.body));
      const list = await api(page, 'GET', '/contacts?tag=vip&limit=200');
      for (const contact of list.body.items.filter((c) => [phoneOf(0), phoneOf(1)].includes(c.phone))) {
        const patched = await api(page, 'PATCH', `/contacts/${contact.id}`, { opted_out: true });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
      }
      const segment = await api(page, 'POST', '/segments', { name: 'Clientes VIP', filter: { tags_any: ['vip'] } });
      assert.equal(segment.status, 201, JSON.stringify(segment.body));
    });

    await step('the campaigns page starts empty and offers a new campaign', diagnostics, async () => {
      await page.goto('/campaigns');
      await hydrated(page);
      await page.locator(byTestId('campaigns-empty')).waitFor();
      await page.click(byTestId('campaign-new'));
      await page.waitForURL('**/campaigns/new');
      await hydrated(page);
    });

    await step('she writes it and sees who receives it and what they will read', diagnostics, async () => {
      await page.fill(byTestId('campaign-name'), 'Oferta de dezembro');
      await page.locator(`${byTestId('campaign-template')} option[value="${TEMPLATE}|pt_BR"]`).waitFor({ state: 'attached' });
      await page.selectOption(byTestId('campaign-template'), `${TEMPLATE}|pt_BR`);
      const variables = page.locator(byTestId('campaign-variable'));
      await variables.nth(1).waitFor();
      await variables.nth(0).fill('{{contact.first_name|cliente}}');
      await variables.nth(1).fill('frete grátis');
      await page.locator(`${byTestId('campaign-segment')}[data-name="Clientes VIP"] input`).check();
      await page.locator(byTestId('campaign-preview-recipients')).filter({ hasText: String(CONTACTS - OPTED_OUT) }).waitFor();
      await page.locator(byTestId('campaign-preview-excluded')).filter({ hasText: `${OPTED_OUT} opted out` }).waitFor();
      await page.locator(byTestId('campaign-sample')).filter({ hasText: 'Olá Cliente2, este mês temos frete grátis para você.' }).waitFor();
      await screenshot(page, 'campaign-new');
    });

    await step('she starts it and watches it reach "completed" live', diagnostics, async () => {
      await page.click(byTestId('campaign-save-start'));
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
      campaignUrl = page.url();
      await hydrated(page);
      await page.locator(`${byTestId('campaign-status')}[data-status="completed"]`).waitFor({ timeout: 60_000 });
      await countOf(page, 'sent').filter({ hasText: String(CONTACTS - OPTED_OUT) }).waitFor();
      await countOf(page, 'total').filter({ hasText: String(CONTACTS - OPTED_OUT) }).waitFor();
      await page.locator(byTestId('campaign-excluded')).filter({ hasText: `${OPTED_OUT} opted out` }).waitFor();
      const sends = await campaignSends();
      const numbers = new Set(sends.map((m) => m.body.to));
      assert.equal(sends.length, CONTACTS - OPTED_OUT, 'each recipient once');
      assert.equal(numbers.size, CONTACTS - OPTED_OUT);
      assert.ok(!numbers.has(phoneOf(0).slice(1)) && !numbers.has(phoneOf(1).slice(1)), 'opted-out contacts never receive');
      await page.locator(byTestId('recipient-row')).nth(CONTACTS - OPTED_OUT - 1).waitFor();
    });

    await step("Meta's delivery report moves the funnel without a reload", diagnostics, async () => {
      const [first] = await campaignSends();
      await fakeGraph('/_fake/status', { wamid: first.wamid, status: 'delivered' });
      await countOf(page, 'delivered').filter({ hasText: '1' }).waitFor();
      await page.selectOption(byTestId('recipients-filter'), 'delivered');
      // The filtered page replaces the full one: one row left, and it is the delivered one.
      await page.locator(byTestId('recipient-row')).nth(1).waitFor({ state: 'detached' });
      await page.locator(`${byTestId('recipient-row')}[data-status="delivered"]`).waitFor();
      assert.equal(await page.locator(byTestId('recipient-row')).count(), 1);
      await screenshot(page, 'campaign-report');
    });

    await step('the campaigns list shows it completed', diagnostics, async () => {
      await page.click(byTestId('campaign-back'));
      await page.waitForURL('**/campaigns');
      const row = page.locator(byTestId('campaign-row')).filter({ hasText: 'Oferta de dezembro' });
      await row.locator(`${byTestId('campaign-status')}[data-status="completed"]`).waitFor();
      await row.locator(byTestId('campaign-summary')).filter({ hasText: `${CONTACTS - OPTED_OUT} of ${CONTACTS - OPTED_OUT} sent` }).waitFor();
      assert.ok(campaignUrl);
    });

    await step("a customer's answer lands in the inbox under the campaign message", diagnostics, async () => {
      await fakeGraph('/_fake/inbound', { from: phoneOf(2).slice(1), name: 'Cliente2 Souza', text: 'Quero o frete grátis!' });
      await page.goto('/inbox');
      await hydrated(page);
      await page.click(`${byTestId('conversation-row')}[data-phone="${phoneOf(2)}"]`);
      await page.locator(byTestId('message-campaign')).filter({ hasText: 'Oferta de dezembro' }).waitFor();
      await page.locator(byTestId('message')).filter({ hasText: 'Olá Cliente2, este mês temos frete grátis para você.' }).waitFor();
      await page.locator(byTestId('message')).filter({ hasText: 'Quero o frete grátis!' }).waitFor();
      await page.goto(campaignUrl);
      await hydrated(page);
      await countOf(page, 'replied').filter({ hasText: '1' }).waitFor();
      await page.goto('/campaigns');
      await hydrated(page);
    });

    await step('a list from a CSV file becomes the audience of the next one', diagnostics, async () => {
      await page.click(byTestId('campaign-new'));
      await page.waitForURL('**/campaigns/new');
      await hydrated(page);
      const csv = 'telefone;nome\n(11) 98888-0001;Ana Lista\n(11) 98888-0002;Bruno Lista\n11 98888-0003;Caio Lista\n';
      await page.setInputFiles(byTestId('campaign-file'), { name: 'feira.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.locator(byTestId('campaign-file-imported')).filter({ hasText: '3 new' }).waitFor();
      const tags = await page.inputValue(byTestId('campaign-tags'));
      assert.match(tags, /^lista-\d{8}-\d{6}$/, 'the file\'s own tag joins the audience');
      await page.locator(byTestId('campaign-preview-recipients')).filter({ hasText: /^3$/ }).waitFor();
    });
  } finally {
    await context.close();
  }
});
