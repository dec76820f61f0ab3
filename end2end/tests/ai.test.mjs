// The AI area in the browser: an owner writes a knowledge base (a pasted policy text and an
// uploaded file), watches it index live, checks what a question finds, creates a persona on an
// OpenAI-compatible server (the fake, which checks every request against OpenAI's spec) with
// that knowledge, and tries it in the test chat: the answer quotes the right passage and lists it
// as a source; asking for a person shows the handoff; an agent sees everything read-only.
//
// Auth budget: one sign-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, byTestId, hydrated, launchBrowser, requireEnv, screenshot, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, watch } from './support.mjs';

const FAKE_AI_URL = requireEnv('FAKE_AI_URL');
const FAKE_AI_KEY = requireEnv('FAKE_AI_KEY');

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
