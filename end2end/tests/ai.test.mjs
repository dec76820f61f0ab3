// The AI area in the browser: an owner writes a knowledge base (a pasted policy text and an
// uploaded file), watches it index live, checks what a question finds, creates a persona on an
// OpenAI-compatible server (the fake, which checks every request against OpenAI's spec) with
// that knowledge, and tries it in the test chat: the answer quotes the right passage and lists it
// as a source; asking for a person shows the handoff. Then the persona goes live on a WhatsApp
// number (the fake Graph API): a customer's question gets the AI's answer in the inbox, marked as
// AI with the passage it used; the customer asks for a person and the conversation moves to the
// team's queue with a notice, where the person taking over asks for a summary and a drafted reply.
//
// Auth budget: one sign-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { api, BASE_URL, byTestId, fakeGraph, hydrated, launchBrowser, requireEnv, screenshot, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, watch } from './support.mjs';

const FAKE_AI_URL = requireEnv('FAKE_AI_URL');
const FAKE_AI_KEY = requireEnv('FAKE_AI_KEY');
const FAKE_GRAPH_URL = requireEnv('FAKE_GRAPH_URL');
const PHONE_NUMBER_ID = requireEnv('FAKE_GRAPH_PHONE_NUMBER_ID');
const WABA_ID = requireEnv('FAKE_GRAPH_WABA_ID');
const GRAPH_TOKEN = requireEnv('FAKE_GRAPH_TOKEN');
const APP_SECRET = 'e2e-ai-secret-5c2e';
const CUSTOMER = { from: '5511987650042', name: 'Rita Cliente', phone: '+5511987650042' };
const conversationRow = `${byTestId('conversation-row')}[data-phone="${CUSTOMER.phone}"]`;

/** Waits until the fake Graph API accepted a text to the customer that `matches`. */
async function waitForSentText(matches, what) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const sent = await (await fetch(`${FAKE_GRAPH_URL}/_fake/sent`)).json();
    if (sent.some((m) => m.body?.to === CUSTOMER.from && matches.test(m.body?.text?.body ?? ''))) return;
    assert.ok(Date.now() < deadline, `${what} never reached Meta: ${JSON.stringify(sent.map((m) => m.body))}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const POLICY = [
  '# Entregas',
  '',
  'Enviamos para todo o Brasil pelos Correios.',
  '',
  '## Prazos',
  '',
  'O prazo de entrega é de 3 a 5 dias úteis para capitais e até 10 dias úteis para o interior.',
  '',
  '# Trocas',
  '',
  'Trocas e devoluções em até 7 dias depois do recebimento, com a nota fiscal.',
].join('\n');

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('AI: a knowledge base and a persona that answers from it', { timeout: 180_000 }, async () => {
  const diagnostics = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', baseURL: BASE_URL });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  watch(page, diagnostics);
  try {
    await step('an owner creates a knowledge base embedded by an OpenAI-compatible server', diagnostics, async () => {
      await signUpAndLogIn(page, { email: uniqueEmail('owner-ai'), company: 'Loja Azul', name: 'Ana Dona', next: '/ai?tab=knowledge' });
      await page.click(byTestId('kb-new'));
      await page.waitForSelector(byTestId('kb-form'));
      await page.fill(byTestId('kb-name'), 'Políticas da loja');
      await page.selectOption(byTestId('kb-provider'), 'openai_compatible');
      await page.fill(byTestId('kb-model'), 'text-embedding-3-small');
      await page.fill(byTestId('kb-base-url'), FAKE_AI_URL);
      await page.fill(byTestId('kb-api-key'), FAKE_AI_KEY);
      await page.click(byTestId('kb-save'));
      await page.waitForURL(/\/ai\/knowledge\/[0-9a-f-]{36}$/);
      await page.waitForSelector(byTestId('kb-documents-empty'));
    });

    await step('a pasted text and an uploaded file are indexed live', diagnostics, async () => {
      await page.click(byTestId('kb-add-text'));
      await page.fill(byTestId('kb-paste-title'), 'Política de entregas');
      await page.fill(byTestId('kb-paste-text'), POLICY);
      await page.click(byTestId('kb-paste-save'));
      await page.waitForSelector(`${byTestId('kb-document')}[data-title="Política de entregas"][data-status="ready"]`);

      await page.click(byTestId('kb-add-file'));
      await page.setInputFiles(byTestId('kb-upload-input'), {
        name: 'pagamentos.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('Aceitamos Pix com 5% de desconto e cartão em até 10 vezes sem juros.'),
      });
      await page.waitForSelector(`${byTestId('kb-document')}[data-title="pagamentos"][data-status="ready"]`);
      assert.equal(await page.locator(byTestId('kb-document')).count(), 2);
    });

    await step('"Try a question" shows the passage a persona would get', diagnostics, async () => {
      await page.fill(byTestId('kb-search-input'), 'Qual o prazo de entrega para o interior?');
      await page.click(byTestId('kb-search-submit'));
      const first = page.locator(byTestId('kb-search-result')).first();
      await first.waitFor();
      assert.match(await first.innerText(), /10 dias úteis/);
      await screenshot(page, 'ai-knowledge');
    });

    let personaUrl;
    await step('a persona uses the knowledge base', diagnostics, async () => {
      await page.goto('/ai/personas/new');
      await hydrated(page);
      await page.waitForSelector(byTestId('persona-form'));
      await page.fill(byTestId('persona-name'), 'Bia');
      await page.selectOption(byTestId('persona-provider'), 'openai_compatible');
      await page.fill(byTestId('persona-model'), 'gpt-4o-mini');
      await page.fill(byTestId('persona-base-url'), FAKE_AI_URL);
      await page.fill(byTestId('persona-api-key'), FAKE_AI_KEY);
      await page.fill(byTestId('persona-prompt'), 'Você é a Bia, atendente da Loja Azul. Seja breve.');
      await page.selectOption(byTestId('persona-knowledge-base'), { label: 'Políticas da loja' });
      await page.click(byTestId('persona-save'));
      await page.waitForURL(/\/ai\/personas\/[0-9a-f-]{36}$/);
      personaUrl = page.url();
      await page.waitForSelector(byTestId('test-chat'));
      assert.match(await page.locator(byTestId('persona-api-key-hint')).innerText(), /…7f3a/);
    });

    await step('the test chat answers from the right passage and names it as a source', diagnostics, async () => {
      await page.fill(byTestId('test-chat-input'), 'Qual o prazo de entrega para o interior?');
      await page.click(byTestId('test-chat-send'));
      const reply = page.locator(byTestId('test-chat-reply')).last();
      await reply.waitFor();
      assert.match(await reply.innerText(), /10 dias úteis/);
      assert.ok(Number(await reply.getAttribute('data-sources')) >= 1);
      // The sources sit folded under the answer.
      await page.locator(byTestId('test-chat-sources-toggle')).last().click();
      const source = page.locator(byTestId('test-chat-source')).first();
      await source.waitFor();
      assert.match(await source.innerText(), /Política de entregas/);
      assert.match(await source.innerText(), /Prazos/);
      await screenshot(page, 'ai-test-chat');
    });

    await step('asking for a person shows the handoff', diagnostics, async () => {
      await page.fill(byTestId('test-chat-input'), 'quero falar com um humano');
      await page.click(byTestId('test-chat-send'));
      await page.waitForSelector(byTestId('test-chat-handoff'));
      const reply = page.locator(byTestId('test-chat-reply')).last();
      assert.equal(await reply.getAttribute('data-handoff'), 'true');
    });

    await step('working hours are saved with the persona, and cleared', diagnostics, async () => {
      const id = personaUrl.split('/').pop();
      const hoursOf = async () => (await api(page, 'GET', `/personas/${id}`)).body.working_hours;
      const until = async (wanted) => {
        const deadline = Date.now() + STEP_TIMEOUT;
        while (JSON.stringify(await hoursOf()) !== JSON.stringify(wanted)) {
          assert.ok(Date.now() < deadline, `working hours stayed ${JSON.stringify(await hoursOf())}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };
      await page.click(byTestId('persona-hours-add'));
      await page.click(`${byTestId('persona-hours-day')}[data-day="6"]`);
      await page.fill(byTestId('persona-hours-start'), '08:00');
      await page.click(byTestId('persona-save'));
      await until([{ days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '18:00' }]);
      // Any time again, so the persona answers whenever this test runs.
      await page.click(byTestId('persona-hours-remove'));
      await page.click(byTestId('persona-save'));
      await until(null);
    });

    await step('the persona answers new conversations on a WhatsApp number', diagnostics, async () => {
      const created = await api(page, 'POST', '/connections', {
        kind: 'whatsapp_cloud', name: 'Loja Azul WhatsApp', phone_number_id: PHONE_NUMBER_ID, waba_id: WABA_ID,
        access_token: GRAPH_TOKEN, app_secret: APP_SECRET, verify_token: 'e2e-ai-verify',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await fakeGraph('/_fake/webhook', { url: created.body.webhook_url, app_secret: APP_SECRET });
      await page.goto('/connections');
      await hydrated(page);
      const picker = page.locator(`${byTestId('connection-card')}[data-name="Loja Azul WhatsApp"] ${byTestId('connection-persona')}`);
      await picker.locator('option', { hasText: 'Bia' }).waitFor({ state: 'attached' });
      await picker.selectOption({ label: 'Bia' });
      await page.waitForSelector(`${byTestId('toast')}[data-kind="success"]`);
      const saved = await api(page, 'GET', `/connections/${created.body.id}`);
      assert.ok(saved.body.default_persona_id, JSON.stringify(saved.body));
    });

    await step("a customer's question gets the AI's answer, marked with its source", diagnostics, async () => {
      await page.goto('/inbox');
      await hydrated(page);
      await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
      await fakeGraph('/_fake/inbound', { from: CUSTOMER.from, name: CUSTOMER.name, text: 'Qual o prazo de entrega para o interior?' });
      await waitForSentText(/10 dias úteis/, "the AI's answer");
      await page.click(conversationRow);
      const answer = page.locator(`${byTestId('message')}[data-ai]`).filter({ hasText: '10 dias úteis' });
      await answer.waitFor();
      assert.match(await answer.locator(byTestId('message-ai')).innerText(), /Bia/);
      await answer.locator(`${byTestId('message-ai-sources')} summary`).click();
      const source = answer.locator(byTestId('message-ai-source')).first();
      await source.waitFor();
      assert.match(await source.innerText(), /Política de entregas/);
      await page.waitForSelector(byTestId('conversation-persona'));
      await screenshot(page, 'ai-inbox-answer');
    });

    await step('asking for a person moves the conversation to the team', diagnostics, async () => {
      await fakeGraph('/_fake/inbound', { from: CUSTOMER.from, name: CUSTOMER.name, text: 'quero falar com um humano' });
      await page.waitForSelector(`${byTestId('toast')}[data-kind="notice"]`);
      await page.locator(byTestId('message')).filter({ hasText: 'Vou chamar uma pessoa' }).waitFor();
      await page.locator(byTestId('conversation-persona')).waitFor({ state: 'detached' });
      await page.click(`${byTestId('inbox-scope')}[data-scope="unassigned"]`);
      await page.locator(conversationRow).waitFor();
      assert.equal(await page.locator(conversationRow).getAttribute('data-persona'), '');
      await screenshot(page, 'ai-inbox-handoff');
    });

    await step('the person taking over gets a summary and a drafted reply', diagnostics, async () => {
      await page.click(byTestId('thread-summarize'));
      const summary = page.locator(byTestId('thread-summary-text'));
      await summary.waitFor();
      assert.ok((await summary.innerText()).trim().length > 0);
      await page.click(byTestId('composer-suggest'));
      await page.waitForSelector(byTestId('composer-ai-draft'));
      assert.ok((await page.inputValue(byTestId('composer-text'))).trim().length > 0);
      // A draft is never sent by itself.
      const sent = await (await fetch(`${FAKE_GRAPH_URL}/_fake/sent`)).json();
      assert.equal(sent.filter((m) => m.body?.to === CUSTOMER.from).length, 2, 'the answer and the handoff message only');
      await screenshot(page, 'ai-inbox-assist');
    });

    await step('the lists show the persona and the base', diagnostics, async () => {
      await page.goto('/ai');
      await hydrated(page);
      await page.waitForSelector(`${byTestId('persona-row')}[data-name="Bia"]`);
      await page.click(byTestId('ai-tab-knowledge'));
      const base = page.locator(`${byTestId('kb-row')}[data-name="Políticas da loja"]`);
      await base.waitFor();
      assert.match(await base.locator(byTestId('kb-counts')).innerText(), /2/);
      assert.ok(personaUrl);
    });
  } catch (err) {
    console.error(diagnostics.join('\n'));
    throw err;
  } finally {
    await context.close();
  }
});
