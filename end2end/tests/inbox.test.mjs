// The team inbox with two people at once: an owner and an agent in two browser contexts. A
// customer's message (posted by the fake Graph API as a signed webhook) appears live for both;
// the agent takes the conversation and the owner sees who has it; the agent answers with a canned
// reply, the owner leaves a private note and a label, each seen live by the other; a conversation
// outside the 24-hour window is answered with a template; and the agent does the same on a phone.
//
// Auth budget: one sign-up, one invitation accepted, two logins.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, byTestId, hydrated, launchBrowser, PASSWORD, phoneContext, requireEnv, screenshot, signUpAndLogIn, step, STEP_TIMEOUT, uniqueEmail, waitForEmailLink, watch, api, fakeGraph } from './support.mjs';

const FAKE_GRAPH_URL = requireEnv('FAKE_GRAPH_URL');
const PHONE_NUMBER_ID = requireEnv('FAKE_GRAPH_PHONE_NUMBER_ID');
const WABA_ID = requireEnv('FAKE_GRAPH_WABA_ID');
const GRAPH_TOKEN = requireEnv('FAKE_GRAPH_TOKEN');
const APP_SECRET = 'e2e-inbox-secret-77a1';

const ANA = { from: '5511987650001', name: 'Ana Cliente', phone: '+5511987650001' };
const CARLA = { from: '5511987650002', name: 'Carla Antiga', phone: '+5511987650002' };
const DANI = { from: '5511987650003', name: 'Dani Nova', phone: '+5511987650003' };
const CANNED = 'Abrimos de segunda a sábado, das 9h às 18h.';
const conversationRow = (phone) => `${byTestId('conversation-row')}[data-phone="${phone}"]`;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Waits until the fake Graph API accepted a send to `to` that `matches`. */
async function waitForSent(to, matches, what) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const sent = await (await fetch(`${FAKE_GRAPH_URL}/_fake/sent`)).json();
    if (sent.some((m) => m.body?.to?.replace(/\D/g, '') === to && matches(m.body))) return;
    assert.ok(Date.now() < deadline, `${what} never reached Meta: ${JSON.stringify(sent.map((m) => m.body))}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const messageText = (page, text) => page.locator(byTestId('message')).filter({ hasText: text });

test('Inbox: two people work the same conversations live', { timeout: 240_000 }, async () => {
  const diagnostics = [];
  const newContext = async (viewport = { width: 1280, height: 900 }) => {
    const context = await browser.newContext({ viewport, locale: 'en-US', baseURL: BASE_URL });
    context.setDefaultTimeout(STEP_TIMEOUT);
    return context;
  };
  const ownerContext = await newContext();
  const agentContext = await newContext();
  const owner = await ownerContext.newPage();
  const agent = await agentContext.newPage();
  watch(owner, diagnostics);
  watch(agent, diagnostics);
  const agentEmail = uniqueEmail('agent-inbox');
  let connectionId;
  try {
    await step('an owner connects a number, saves an answer and invites an agent', diagnostics, async () => {
      await signUpAndLogIn(owner, { email: uniqueEmail('owner-inbox'), company: 'Padaria Central', name: 'Olga Dona', next: '/inbox' });
      const created = await api(owner, 'POST', '/connections', {
        kind: 'whatsapp_cloud', name: 'Atendimento', phone_number_id: PHONE_NUMBER_ID, waba_id: WABA_ID,
        access_token: GRAPH_TOKEN, app_secret: APP_SECRET, verify_token: 'e2e-inbox-verify',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      connectionId = created.body.id;
      await fakeGraph('/_fake/webhook', { url: created.body.webhook_url, app_secret: APP_SECRET });
      const canned = await api(owner, 'POST', '/canned-replies', { shortcut: 'horario', body: CANNED });
      assert.equal(canned.status, 201, JSON.stringify(canned.body));
      await fakeGraph('/_fake/template', {
        name: 'retomar_contato', language: 'pt_BR', category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Olá {{1}}, podemos continuar seu atendimento?' }],
      });
      const synced = await api(owner, 'POST', `/connections/${connectionId}/templates/sync`);
      assert.equal(synced.status, 200, JSON.stringify(synced.body));
      const invited = await api(owner, 'POST', '/invitations', { email: agentEmail, role: 'agent' });
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
    });

    await step('the agent accepts the invitation and opens the inbox', diagnostics, async () => {
      await agent.goto(await waitForEmailLink(agentEmail, '/invite'));
      await agent.waitForSelector(byTestId('accept-form'));
      await hydrated(agent);
      await agent.fill(byTestId('accept-name'), 'Bia Agente');
      await agent.fill(byTestId('accept-password'), PASSWORD);
      await agent.click(byTestId('accept-submit'));
      await agent.waitForURL('**/login?notice=invite_accepted**');
      await agent.fill(byTestId('login-password'), PASSWORD);
      await agent.click(byTestId('login-submit'));
      await agent.waitForURL('**/dashboard');
      await agent.goto('/inbox');
      await hydrated(agent);
      for (const page of [owner, agent]) {
        await page.waitForSelector(`${byTestId('live-indicator')}[data-state="live"]`);
      }
    });

    await step("a customer's message appears for both without a reload", diagnostics, async () => {
      await fakeGraph('/_fake/inbound', { from: ANA.from, name: ANA.name, text: 'Oi, vocês abrem no sábado?' });
      for (const page of [owner, agent]) {
        await page.locator(conversationRow(ANA.phone)).waitFor();
      }
    });

    await step('the agent takes it; the owner sees who has it', diagnostics, async () => {
      await agent.click(conversationRow(ANA.phone));
      await messageText(agent, 'Oi, vocês abrem no sábado?').waitFor();
      await agent.click(byTestId('conversation-claim'));
      await agent.locator(byTestId('conversation-assignee')).filter({ hasText: 'Yours' }).waitFor();
      await owner.click(conversationRow(ANA.phone));
      await owner.locator(byTestId('conversation-assignee')).filter({ hasText: 'With Bia Agente' }).waitFor();
      assert.equal(await owner.locator(byTestId('conversation-claim')).count(), 0, 'a taken conversation offers no "Take it"');
      await owner.locator(byTestId('activity-line')).filter({ hasText: 'Bia Agente took the conversation' }).waitFor();
    });

    await step('the agent answers with a canned reply; the owner sees it arrive', diagnostics, async () => {
      await agent.fill(byTestId('composer-text'), '/hor');
      await agent.locator(`${byTestId('canned-suggestion')}[data-shortcut="horario"]`).waitFor();
      await agent.press(byTestId('composer-text'), 'Enter');
      assert.equal(await agent.inputValue(byTestId('composer-text')), CANNED);
      await agent.press(byTestId('composer-text'), 'Enter');
      await agent.locator(`${byTestId('message')}[data-direction="out"]`).filter({ hasText: CANNED }).waitFor();
      // The bubble may arrive live before the send's own answer clears the composer: wait for it.
      await agent.waitForFunction((selector) => document.querySelector(selector)?.value === '', byTestId('composer-text'));
      await owner.locator(`${byTestId('message')}[data-direction="out"]`).filter({ hasText: CANNED }).waitFor();
      await waitForSent(ANA.from, (body) => body.type === 'text' && body.text?.body === CANNED, 'the canned reply');
    });

    await step('a private note and a label from the owner reach the agent live', diagnostics, async () => {
      await owner.click(byTestId('composer-note-tab'));
      await owner.fill(byTestId('composer-note'), 'Cliente antiga, tratar com carinho');
      await owner.press(byTestId('composer-note'), 'Enter');
      await agent.locator(`${byTestId('message')}[data-kind="note"]`).filter({ hasText: 'Cliente antiga, tratar com carinho' }).waitFor();
      assert.match(await agent.locator(`${byTestId('message')}[data-kind="note"]`).innerText(), /Note by Olga Dona/);

      await owner.fill(byTestId('conversation-label-input'), 'vip');
      await owner.press(byTestId('conversation-label-input'), 'Enter');
      await agent.locator(`${byTestId('conversation-label-chip')}[data-label="vip"]`).waitFor();
      // A label on a list row filters the list by it.
      await agent.locator(conversationRow(ANA.phone)).locator(byTestId('conversation-label')).click();
      await agent.locator(`${byTestId('inbox-label-filter')}[data-label="vip"]`).waitFor();
      await agent.click(byTestId('inbox-label-clear'));
      await screenshot(agent, 'inbox-agent-desktop');
    });

    await step("the customer's details and past conversations open from the thread, editable there", diagnostics, async () => {
      await owner.click(byTestId('thread-contact'));
      await owner.waitForSelector(byTestId('contact-form'));
      const past = owner.locator(byTestId('contact-conversation'));
      await past.first().waitFor();
      assert.equal(await past.count(), 1, 'one conversation with Ana so far');
      assert.equal(await owner.inputValue(byTestId('contact-name')), ANA.name);
      await owner.fill(byTestId('contact-name'), 'Ana Cliente Fiel');
      await owner.click(byTestId('contact-save'));
      await owner.waitForSelector(byTestId('contact-form'), { state: 'detached' });
      await owner.locator(byTestId('thread-name')).filter({ hasText: 'Ana Cliente Fiel' }).waitFor();
    });

    await step('outside the 24-hour window the agent sends an approved template', diagnostics, async () => {
      await fakeGraph('/_fake/inbound', { from: CARLA.from, name: CARLA.name, text: 'Olá, lembram de mim?', sent_seconds_ago: 90_000 });
      await agent.click(conversationRow(CARLA.phone));
      await agent.waitForSelector(byTestId('template-composer'));
      assert.equal(await agent.locator(byTestId('composer-text')).count(), 0, 'no free text outside the window');
      const option = await agent.locator(`${byTestId('template-composer-select')} option`).filter({ hasText: 'retomar_contato' }).getAttribute('value');
      await agent.selectOption(byTestId('template-composer-select'), option);
      assert.ok(await agent.isDisabled(byTestId('template-composer-send')), 'a template with an empty variable cannot be sent');
      await agent.fill(`${byTestId('template-composer-var')}[data-index="1"]`, 'Carla');
      assert.equal(
        (await agent.innerText(`${byTestId('template-composer')} ${byTestId('template-bubble-body')}`)).trim(),
        'Olá Carla, podemos continuar seu atendimento?',
      );
      await agent.click(byTestId('template-composer-send'));
      await agent.locator(`${byTestId('message')}[data-direction="out"][data-kind="template"]`).waitFor();
      await waitForSent(CARLA.from, (body) => body.type === 'template' && body.template?.name === 'retomar_contato', 'the template');
    });

    await step('resolving takes the conversation out of the open list, for both', diagnostics, async () => {
      await agent.click(conversationRow(ANA.phone));
      await agent.locator(byTestId('conversation-assignee')).filter({ hasText: 'Yours' }).waitFor();
      await agent.selectOption(byTestId('conversation-status'), 'resolved');
      for (const page of [agent, owner]) {
        await page.waitForSelector(conversationRow(ANA.phone), { state: 'detached' });
      }
      await agent.click(`${byTestId('inbox-tab')}[data-tab="resolved"]`);
      await agent.locator(conversationRow(ANA.phone)).waitFor();
      await agent.click(`${byTestId('inbox-scope')}[data-scope="mine"]`);
      await agent.locator(conversationRow(ANA.phone)).waitFor();
      await agent.click(`${byTestId('inbox-scope')}[data-scope="unassigned"]`);
      await agent.waitForSelector(conversationRow(ANA.phone), { state: 'detached' });
    });

    await step('with auto-assignment on, a new customer goes at once to someone who is online', diagnostics, async () => {
      await owner.goto('/settings/team');
      await hydrated(owner);
      await owner.check(byTestId('company-auto-assign'));
      await owner.click(byTestId('company-save'));
      await owner.locator(byTestId('toast')).filter({ hasText: 'Company settings saved' }).waitFor();
      await agent.click(`${byTestId('inbox-scope')}[data-scope="all"]`);
      await agent.click(`${byTestId('inbox-tab')}[data-tab="open"]`);
      await fakeGraph('/_fake/inbound', { from: DANI.from, name: DANI.name, text: 'Bom dia! Tem pão de queijo?' });
      const row = conversationRow(DANI.phone);
      await agent.waitForFunction((selector) => document.querySelector(selector)?.getAttribute('data-assignee'), row);
      await agent.click(row);
      await agent.locator(byTestId('activity-line')).filter({ hasText: /Assigned automatically to (Olga Dona|Bia Agente)/ }).waitFor();
    });

    await step('the app is installable: a manifest with icons and a service worker for the shell', diagnostics, async () => {
      const href = await owner.getAttribute('link[rel="manifest"]', 'href');
      const manifest = await (await fetch(new URL(href, BASE_URL))).json();
      assert.equal(manifest.start_url, '/inbox');
      assert.equal(manifest.display, 'standalone');
      for (const icon of manifest.icons) {
        const response = await fetch(new URL(icon.src, BASE_URL));
        assert.equal(response.headers.get('content-type'), 'image/png', icon.src);
      }
      const active = await owner.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active));
      assert.ok(active, 'the service worker is active');
    });

    await step('on a phone the agent searches, opens the thread and replies', diagnostics, async () => {
      const phone = await phoneContext(browser, agentContext);
      try {
        const small = await phone.newPage();
        watch(small, diagnostics);
        await small.goto('/inbox');
        await hydrated(small);
        await small.click(`${byTestId('inbox-tab')}[data-tab="all"]`);
        await small.fill(byTestId('inbox-search'), 'sábado');
        await small.locator(conversationRow(ANA.phone)).waitFor();
        await small.waitForSelector(conversationRow(CARLA.phone), { state: 'detached' });
        await small.click(conversationRow(ANA.phone));
        await small.waitForSelector(byTestId('composer-text'));
        const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, 'the thread scrolls sideways on a phone');
        await small.fill(byTestId('composer-text'), 'Até sábado!');
        // Typing shows "typing…" on the customer's phone (read receipt + typing indicator).
        const deadline = Date.now() + STEP_TIMEOUT;
        for (;;) {
          const requests = await (await fetch(`${FAKE_GRAPH_URL}/_fake/requests`)).json();
          if (requests.some((r) => r.body.kind === 'json' && r.body.value.typing_indicator?.type === 'text')) break;
          assert.ok(Date.now() < deadline, 'no typing indicator reached Meta');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        await small.click(byTestId('composer-send'));
        await small.locator(`${byTestId('message')}[data-direction="out"]`).filter({ hasText: 'Até sábado!' }).waitFor();
        await screenshot(small, 'inbox-composer-phone');
        await waitForSent(ANA.from, (body) => body.text?.body === 'Até sábado!', 'the reply from the phone');
      } finally {
        await phone.close();
      }
    });

    const crashes = diagnostics.filter((line) => line.startsWith('pageerror'));
    assert.deepEqual(crashes, [], 'a page raised uncaught errors');
  } finally {
    if (connectionId) await api(owner, 'DELETE', `/connections/${connectionId}`).catch(() => {});
    await ownerContext.close();
    await agentContext.close();
  }
});
