// WhatsApp Cloud API end to end, against the fake Graph API that scripts/e2e.sh starts: add a
// connection through the form, test it (the fake answers with its verified name), point the
// fake's webhooks at the callback URL the page shows, and watch inbound messages arrive in the
// inbox live, without a reload; then the same pages on a 390 px phone.
//
// Auth budget: one sign-up and one login.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, byTestId, hydrated, launchBrowser, phoneContext, requireEnv, screenshot, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, watch, fakeGraph } from './support.mjs';

const FAKE_GRAPH_URL = requireEnv('FAKE_GRAPH_URL');
const PHONE_NUMBER_ID = requireEnv('FAKE_GRAPH_PHONE_NUMBER_ID');
const WABA_ID = requireEnv('FAKE_GRAPH_WABA_ID');
const GRAPH_TOKEN = requireEnv('FAKE_GRAPH_TOKEN');
const VERIFIED_NAME = requireEnv('FAKE_GRAPH_VERIFIED_NAME');
const APP_SECRET = 'e2e-app-secret-4f1c';

const ANA = { from: '5511987654321', name: 'Ana Souza', phone: '+5511987654321' };
const BRUNO = { from: '5521998765432', name: 'Bruno Lima', phone: '+5521998765432' };
/** A 4×4 green PNG, as a customer's photo. */
const PHOTO_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGNQTX4NRwzEcQBO0hcxU+9NfQAAAABJRU5ErkJggg==';
const conversationRow = (phone) => `${byTestId('conversation-row')}[data-phone="${phone}"]`;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});





/** The fake posts a signed inbound text to our webhook; our server must accept it. */
async function inbound(who, text) {
  const delivery = await fakeGraph('/_fake/inbound', { from: who.from, name: who.name, text });
  assert.equal(delivery.status, 200, `the webhook delivery was refused: ${JSON.stringify(delivery)}`);
}

const rowPhones = (page) =>
  page.$$eval('[data-testid="conversation-row"]', (rows) => rows.map((row) => row.getAttribute('data-phone')));

/** Waits until the conversation list shows exactly `phones`, in this order. */
async function waitForRowOrder(page, phones) {
  try {
    await page.waitForFunction(
      (want) =>
        [...document.querySelectorAll('[data-testid="conversation-row"]')].map((r) => r.getAttribute('data-phone')).join(',') ===
        want.join(','),
      phones,
    );
  } catch (error) {
    throw new Error(`the list shows ${JSON.stringify(await rowPhones(page))}, expected ${JSON.stringify(phones)}: ${error.message}`);
  }
}

test('WhatsApp: connect a number, test it, and read inbound messages live', { timeout: 240_000 }, async () => {
  const diagnostics = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', baseURL: BASE_URL });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  watch(page, diagnostics);
  let webhookUrl;
  let verifyToken;
  try {
    await step('an owner opens Connections and sees none yet', diagnostics, async () => {
      await signUpAndLogIn(page, { email: uniqueEmail('owner-wa'), company: 'Loja da Ana', name: 'Wagner WhatsApp', next: '/connections' });
      await page.waitForSelector(byTestId('connections-empty'));
    });

    await step('the form checks the ids and suggests a verify token', diagnostics, async () => {
      await page.click(byTestId('connection-add'));
      await page.waitForSelector(byTestId('connection-form'));
      verifyToken = await page.inputValue(byTestId('conn-verify-token'));
      assert.match(verifyToken, /^mia-[0-9a-f]{32}$/);
      await page.fill(byTestId('conn-name'), 'Sales number');
      await page.fill(byTestId('conn-phone-number-id'), '1065-4035');
      await page.click(byTestId('conn-submit'));
      const error = page.locator(`#conn-phone-number-id-error`);
      await error.waitFor();
      assert.match(await error.innerText(), /Digits only/);
      // "Suggest another" replaces the token, and the new one is what gets saved.
      await page.click(byTestId('conn-verify-suggest'));
      const another = await page.inputValue(byTestId('conn-verify-token'));
      assert.notEqual(another, verifyToken);
      verifyToken = another;
    });

    await step('adding the connection shows its callback URL and the Meta checklist', diagnostics, async () => {
      await page.fill(byTestId('conn-phone-number-id'), PHONE_NUMBER_ID);
      await page.fill(byTestId('conn-waba-id'), WABA_ID);
      await page.fill(byTestId('conn-access-token'), GRAPH_TOKEN);
      await page.fill(byTestId('conn-app-secret'), APP_SECRET);
      await page.click(byTestId('conn-submit'));
      await page.waitForSelector(byTestId('connection-setup'));
      webhookUrl = (await page.innerText(byTestId('setup-webhook-url'))).trim();
      assert.match(webhookUrl, /^https?:\/\/.+\/api\/webhooks\/meta\/[^/\s]+$/);
      assert.equal((await page.innerText(byTestId('setup-verify-token'))).trim(), verifyToken);
      const checklist = await page.innerText(byTestId('connection-setup'));
      assert.match(checklist, /WhatsApp → Configuration/);
      assert.match(checklist, /subscribe to messages/);
      const card = page.locator(byTestId('connection-card')).filter({ hasText: 'Sales number' });
      await card.waitFor();
      assert.equal(await card.getAttribute('data-status'), 'pending');
      assert.equal((await card.locator(byTestId('connection-webhook-url')).innerText()).trim(), webhookUrl);
      await page.click(byTestId('connection-setup-dismiss'));
      await page.waitForSelector(byTestId('connection-setup'), { state: 'detached' });
    });

    await step('the same phone number id twice is refused under its input', diagnostics, async () => {
      await page.click(byTestId('connection-add'));
      await page.fill(byTestId('conn-name'), 'Duplicate');
      await page.fill(byTestId('conn-phone-number-id'), PHONE_NUMBER_ID);
      await page.fill(byTestId('conn-waba-id'), WABA_ID);
      await page.fill(byTestId('conn-access-token'), GRAPH_TOKEN);
      await page.fill(byTestId('conn-app-secret'), APP_SECRET);
      await page.click(byTestId('conn-submit'));
      const error = page.locator('#conn-phone-number-id-error');
      await error.waitFor();
      assert.match(await error.innerText(), /already connected/);
      await page.click(byTestId('conn-cancel'));
      await page.waitForSelector(byTestId('connection-form'), { state: 'detached' });
    });

    await step('Test connection shows what Meta (the fake) says about the number', diagnostics, async () => {
      const card = page.locator(byTestId('connection-card')).filter({ hasText: 'Sales number' });
      await card.locator(byTestId('connection-test')).click();
      const result = card.locator(byTestId('connection-test-result'));
      await result.waitFor();
      assert.equal(await result.getAttribute('data-ok'), 'true', `the test failed: ${await result.innerText()}`);
      assert.match(await result.innerText(), new RegExp(VERIFIED_NAME));
      await card.locator(`${byTestId('connection-status')}[data-status="connected"]`).waitFor();
      assert.match(await card.locator(byTestId('connection-verified-name')).innerText(), new RegExp(VERIFIED_NAME));
      await card.locator(byTestId('connection-quality')).waitFor();
      await screenshot(page, 'connections-desktop');
    });

    await step('the inbox is empty and points to Connections', diagnostics, async () => {
      await fakeGraph('/_fake/webhook', { url: webhookUrl, app_secret: APP_SECRET });
      await page.click(byTestId('nav-inbox'));
      await page.waitForURL('**/inbox');
      await page.waitForSelector(byTestId('inbox-empty'));
      assert.equal(await page.getAttribute(byTestId('inbox-connections-link'), 'href'), '/connections');
      await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
      // Set on this document: a reload would lose it.
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
    });

    await step('an inbound message appears in the open inbox without a reload', diagnostics, async () => {
      await inbound(ANA, 'Olá! Vocês abrem amanhã?');
      const row = page.locator(conversationRow(ANA.phone));
      await row.waitFor();
      assert.equal((await row.locator(byTestId('conversation-name')).innerText()).trim(), ANA.name);
      assert.equal((await row.locator(byTestId('conversation-preview')).innerText()).trim(), 'Olá! Vocês abrem amanhã?');
      await row.click();
      await page.waitForURL(/\/inbox\?c=[0-9a-f-]{36}$/);
      const message = page.locator(`${byTestId('message')}[data-direction="in"]`).filter({ hasText: 'Olá! Vocês abrem amanhã?' });
      await message.waitFor();
      assert.equal((await page.innerText(byTestId('thread-name'))).trim(), ANA.name);
      await page.waitForSelector(byTestId('window-open'));
      await page.waitForSelector(byTestId('day-separator'));
    });

    await step('new messages move conversations to the top in place and extend the open thread', diagnostics, async () => {
      await inbound(BRUNO, 'Bom dia, tem entrega?');
      await waitForRowOrder(page, [BRUNO.phone, ANA.phone]);
      const bruno = page.locator(conversationRow(BRUNO.phone));
      assert.ok(Number(await bruno.getAttribute('data-unread')) >= 1, 'a new conversation counts as unread');
      await bruno.locator(byTestId('conversation-unread')).waitFor();

      await inbound(ANA, 'Pode ser às 9h?');
      await waitForRowOrder(page, [ANA.phone, BRUNO.phone]);
      const ana = page.locator(conversationRow(ANA.phone));
      await ana.locator(byTestId('conversation-preview')).filter({ hasText: 'Pode ser às 9h?' }).waitFor();
      await page.locator(byTestId('message')).filter({ hasText: 'Pode ser às 9h?' }).waitFor();
      const texts = await page.$$eval('[data-testid="message"] [data-testid="message-text"]', (els) => els.map((el) => el.textContent.trim()));
      assert.deepEqual(texts, ['Olá! Vocês abrem amanhã?', 'Pode ser às 9h?'], 'each message once, oldest first');
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
      assert.deepEqual(await rowPhones(page), [ANA.phone, BRUNO.phone]);
      await screenshot(page, 'inbox-desktop');
    });

    await step('a deep link opens the thread after a reload; the tabs filter', diagnostics, async () => {
      const url = page.url();
      await page.reload();
      await hydrated(page);
      await page.locator(byTestId('message')).filter({ hasText: 'Pode ser às 9h?' }).waitFor();
      assert.equal(page.url(), url);
      await page.click(`${byTestId('inbox-tab')}[data-tab="resolved"]`);
      await page.waitForSelector(`${byTestId('inbox-empty')}[data-tab="resolved"]`);
      await page.click(`${byTestId('inbox-tab')}[data-tab="all"]`);
      await page.waitForSelector(conversationRow(BRUNO.phone));
    });

    await step("a customer's photo and document show in the thread, fetched from Meta", diagnostics, async () => {
      await fakeGraph('/_fake/inbound_media', {
        from: ANA.from,
        name: ANA.name,
        kind: 'image',
        mime_type: 'image/png',
        data_base64: PHOTO_PNG,
        caption: 'Foto da fachada',
      });
      await fakeGraph('/_fake/inbound_media', {
        from: ANA.from,
        name: ANA.name,
        kind: 'document',
        mime_type: 'application/pdf',
        data_base64: Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64'),
        filename: 'orcamento.pdf',
      });
      const photo = page.locator(`${byTestId('message-media')}[data-kind="image"]`).filter({ hasText: 'Foto da fachada' });
      await photo.locator(byTestId('message-image')).waitFor();
      // Loaded through our tenant-checked route, not a link to Meta.
      const src = await photo.locator(byTestId('message-image')).getAttribute('src');
      assert.match(src, /^\/api\/v1\/messages\/[0-9a-f-]{36}\/media$/);
      await page.waitForFunction(() => {
        const img = document.querySelector('[data-testid="message-image"]');
        return img && img.complete && img.naturalWidth === 4;
      });
      const doc = page.locator(byTestId('message-document'));
      await doc.waitFor();
      assert.match(await doc.innerText(), /orcamento\.pdf/);
      assert.equal(await doc.getAttribute('download'), 'orcamento.pdf');
    });

    await step('opening a conversation reads it: unread goes to zero and Meta is told', diagnostics, async () => {
      const bruno = page.locator(conversationRow(BRUNO.phone));
      assert.ok(Number(await bruno.getAttribute('data-unread')) >= 1);
      await bruno.click();
      await page.locator(byTestId('message')).filter({ hasText: 'Bom dia, tem entrega?' }).waitFor();
      await page.waitForSelector(`${conversationRow(BRUNO.phone)}[data-unread="0"]`);
      // The mark-as-read job calls the fake's /messages with {"status": "read"}.
      const deadline = Date.now() + STEP_TIMEOUT;
      for (;;) {
        const requests = await (await fetch(`${FAKE_GRAPH_URL}/_fake/requests`)).json();
        const reads = requests.filter((r) => r.path.endsWith('/messages') && r.body.kind === 'json' && r.body.value.status === 'read');
        if (reads.some((r) => r.status === 200)) break;
        assert.ok(Date.now() < deadline, `no mark-as-read reached the fake: ${JSON.stringify(requests.map((r) => r.path))}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });

    await step('Connections and Inbox fit a 390 px phone; the thread has a way back', diagnostics, async () => {
      const phone = await phoneContext(browser, context);
      try {
        const small = await phone.newPage();
        watch(small, diagnostics);
        const overflow = () => small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        await small.goto('/connections');
        await small.waitForSelector(byTestId('connection-card'));
        await small.click(byTestId('connection-add'));
        await small.waitForSelector(byTestId('connection-form'));
        assert.ok((await overflow()) <= 0, 'Connections scrolls sideways');
        await small.goto('/inbox');
        await small.waitForSelector(conversationRow(ANA.phone));
        assert.ok(await small.isHidden(byTestId('thread-none')), 'the empty thread pane shows beside the list');
        assert.ok((await overflow()) <= 0, 'the inbox list scrolls sideways');
        await small.click(conversationRow(ANA.phone));
        await small.locator(byTestId('message')).filter({ hasText: 'Pode ser às 9h?' }).waitFor();
        assert.ok(await small.isHidden(byTestId('conversation-list')), 'the list still shows beside the thread');
        assert.ok((await overflow()) <= 0, 'the thread scrolls sideways');
        await screenshot(small, 'inbox-phone');
        await small.click(byTestId('inbox-back'));
        await small.waitForURL('**/inbox');
        await small.waitForSelector(conversationRow(ANA.phone));
      } finally {
        await phone.close();
      }
    });

    await step('templates sync from Meta and preview with their variables', diagnostics, async () => {
      await fakeGraph('/_fake/template', {
        name: 'order_update',
        language: 'pt_BR',
        category: 'UTILITY',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}' },
          { type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} saiu para entrega.' },
          { type: 'FOOTER', text: 'Loja da Ana' },
          { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Rastrear', url: 'https://example.com/r/{{1}}' }] },
        ],
      });
      await page.goto('/connections');
      await hydrated(page);
      const card = page.locator(byTestId('connection-card')).filter({ hasText: 'Sales number' });
      await card.locator(byTestId('connection-templates')).click();
      await page.waitForURL(/\/connections\/[0-9a-f-]{36}\/templates$/);
      // Empty until synced — unless the server's scheduled sync (a minute after it starts, then
      // hourly) already ran for this connection.
      await page.waitForSelector(`${byTestId('templates-empty')}, ${byTestId('templates-list')}`);
      assert.match(await page.innerText(byTestId('templates-title')), /Sales number/);
      await page.click(byTestId('templates-sync'));
      const row = page.locator(`${byTestId('template-row')}[data-name="order_update"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-status'), 'APPROVED');
      assert.match(await row.locator(byTestId('template-status')).innerText(), /Approved/);
      await row.locator(byTestId('template-preview-toggle')).click();
      const body = row.locator(byTestId('template-bubble-body'));
      assert.equal((await body.innerText()).trim(), 'Olá {{1}}, seu pedido {{2}} saiu para entrega.');
      await row.locator(`${byTestId('template-var')}[data-index="1"]`).fill('Ana');
      await row.locator(byTestId('template-header-var')).fill('#123');
      assert.equal((await body.innerText()).trim(), 'Olá Ana, seu pedido {{2}} saiu para entrega.');
      assert.equal((await row.locator(byTestId('template-bubble-header')).innerText()).trim(), 'Pedido #123');
      assert.equal((await row.locator(byTestId('template-bubble-footer')).innerText()).trim(), 'Loja da Ana');
      assert.equal((await row.locator(byTestId('template-bubble-button')).innerText()).trim(), 'Rastrear');
    });

    await step('a new template is checked, submitted to Meta, and turns approved live', diagnostics, async () => {
      await page.click(byTestId('template-new'));
      await page.waitForSelector(byTestId('template-form'));
      await page.fill(byTestId('tpl-new-name'), 'Boas Vindas');
      await page.click(byTestId('tpl-new-submit'));
      await page.waitForSelector('#tpl-new-name-error');
      assert.match(await page.innerText('#tpl-new-name-error'), /lower-case/);
      await page.fill(byTestId('tpl-new-name'), 'boas_vindas');
      await page.fill(byTestId('tpl-new-body'), 'Oi {{1}}, bem-vindo à Loja da Ana!');
      await page.click(byTestId('tpl-new-submit'));
      await page.waitForSelector('#tpl-new-examples-error');
      await page.fill(`${byTestId('tpl-new-example')}[data-index="1"]`, 'Ana');
      const bubble = page.locator(`${byTestId('template-form')} ${byTestId('template-bubble-body')}`);
      assert.equal((await bubble.innerText()).trim(), 'Oi Ana, bem-vindo à Loja da Ana!');
      await screenshot(page, 'template-new-desktop');
      await page.click(byTestId('tpl-new-submit'));
      await page.waitForSelector(byTestId('template-form'), { state: 'detached' });
      const row = page.locator(`${byTestId('template-row')}[data-name="boas_vindas"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-status'), 'PENDING');
      const created = (await (await fetch(`${FAKE_GRAPH_URL}/_fake/requests`)).json()).filter(
        (r) => r.method === 'POST' && r.path.endsWith('/message_templates'),
      );
      assert.equal(created.length, 1, 'one create request reached Meta');
      assert.deepEqual(created[0].body.value.components[0].example, { body_text: [['Ana']] });
      // Meta approves it: the signed webhook updates the row without a reload.
      const review = await fakeGraph('/_fake/template_status', { name: 'boas_vindas', language: 'pt_BR', status: 'APPROVED' });
      assert.equal(review.status, 200, `the review webhook was refused: ${JSON.stringify(review)}`);
      await page.waitForSelector(`${byTestId('template-row')}[data-name="boas_vindas"][data-status="APPROVED"]`);
      await screenshot(page, 'templates-desktop');
    });

    await step('editing keeps the secrets unless retyped; a refused token is explained; deleting asks first', diagnostics, async () => {
      await page.goto('/connections');
      const card = page.locator(byTestId('connection-card')).filter({ hasText: 'Sales number' });
      await card.locator(byTestId('connection-edit')).click();
      await page.waitForSelector(byTestId('connection-edit-form'));
      assert.equal(await page.inputValue(byTestId('conn-access-token')), '');
      assert.match(await page.innerText(byTestId('connection-edit-form')), /Leave empty to keep the current value/);
      await page.fill(byTestId('conn-name'), 'Sales (BR)');
      await page.click(byTestId('conn-submit'));
      const renamed = page.locator(byTestId('connection-card')).filter({ hasText: 'Sales (BR)' });
      await renamed.waitFor();
      // The stored token still works.
      await renamed.locator(byTestId('connection-test')).click();
      await renamed.locator(`${byTestId('connection-test-result')}[data-ok="true"]`).waitFor();
      // A token Meta refuses: the test says why, in words, and the card shows the error.
      await renamed.locator(byTestId('connection-edit')).click();
      await page.fill(byTestId('conn-access-token'), 'revoked-token');
      await page.click(byTestId('conn-submit'));
      await page.waitForSelector(byTestId('connection-edit-form'), { state: 'detached' });
      await renamed.locator(byTestId('connection-test')).click();
      const refused = renamed.locator(`${byTestId('connection-test-result')}[data-ok="false"]`);
      await refused.waitFor();
      assert.ok((await refused.innerText()).length > 40, 'the refusal is explained');
      await renamed.locator(`${byTestId('connection-status')}[data-status="error"]`).waitFor();
      await renamed.locator(byTestId('connection-last-error')).waitFor();
      await renamed.locator(byTestId('connection-delete')).click();
      await renamed.locator(byTestId('connection-delete-confirm')).click();
      await page.waitForSelector(byTestId('connections-empty'));
    });

    const crashes = diagnostics.filter((line) => line.startsWith('pageerror'));
    assert.deepEqual(crashes, [], 'the page raised uncaught errors');
  } finally {
    await context.close();
  }
});
