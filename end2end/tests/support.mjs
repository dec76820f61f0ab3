// Shared helpers of the browser tests: environment, the email outbox, and step reporting.
import fs from 'node:fs/promises';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

/** Reads a required environment variable or stops with a message saying what is missing. */
export function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run through scripts/e2e.sh, or see end2end/README.md`);
  }
  return value;
}

export const BASE_URL = requireEnv('BASE_URL').replace(/\/+$/, '');
export const OUTBOX_DIR = requireEnv('OUTBOX_DIR');
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || '';

/** Longest wait of one UI step (navigation, a request and its re-render). */
export const STEP_TIMEOUT = 20_000;

/** Debian's Chromium; no browser download happens anywhere in this suite. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** A unique address per run, so reruns against the same data directory never collide. */
export function uniqueEmail(label) {
  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  return `${label}-${stamp}@example.test`;
}

/**
 * Runs one named step; a failure names the step and carries what the browser reported, so the
 * log says where the flow broke instead of only "timeout".
 */
export async function step(name, diagnostics, fn) {
  const started = Date.now();
  try {
    const result = await fn();
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
    return result;
  } catch (error) {
    const extra = diagnostics.length ? `\n  browser said:\n    ${diagnostics.slice(-15).join('\n    ')}` : '';
    const wrapped = new Error(`step "${name}" failed: ${error.message}${extra}`);
    wrapped.cause = error;
    throw wrapped;
  }
}

/** Undoes quoted-printable: soft line breaks (`=\r\n`) and `=XX` escapes (UTF-8 bytes). */
export function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The readable texts of a raw RFC 822 message, decoded first: base64 parts, then the
 * quoted-printable reading, and the raw text only when nothing declares an encoding (a raw
 * quoted-printable body would yield a link cut at a soft line break, with `=3D` in it).
 */
export function readableBodies(raw) {
  const texts = [];
  const base64Part = /Content-Transfer-Encoding:\s*base64[^\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi;
  for (const match of raw.matchAll(base64Part)) {
    texts.push(Buffer.from(match[1].replace(/\s+/g, ''), 'base64').toString('utf8'));
  }
  if (/Content-Transfer-Encoding:\s*quoted-printable/i.test(raw)) {
    texts.push(decodeQuotedPrintable(raw));
  }
  if (!/Content-Transfer-Encoding:/i.test(raw)) {
    texts.push(raw);
  }
  return texts.map((text) => text.replace(/&amp;/g, '&'));
}

/** The `To:` header of a raw message (unfolded), lower-cased. */
function recipients(raw) {
  const headers = raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const to = headers.split(/\r?\n/).find((line) => /^to:/i.test(line));
  return (to || '').toLowerCase();
}

/**
 * Waits for the newest `.eml` addressed to `email` that contains a link to `pathname`, and
 * returns that link re-rooted on BASE_URL (the server may know itself under another address).
 */
export async function waitForEmailLink(email, pathname, { timeout = 15_000 } = {}) {
  const deadline = Date.now() + timeout;
  const linkPattern = new RegExp(`https?://[^\\s"'<>]*?${pathname.replace(/[-/]/g, '\\$&')}\\?token=[^\\s"'<>]+`);
  let seen = 0;
  while (Date.now() < deadline) {
    let names = [];
    try {
      names = (await fs.readdir(OUTBOX_DIR)).filter((name) => name.endsWith('.eml'));
    } catch {
      // The outbox folder appears with the first email.
    }
    seen = names.length;
    const candidates = [];
    for (const name of names) {
      const file = path.join(OUTBOX_DIR, name);
      const [raw, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
      if (recipients(raw).includes(email.toLowerCase())) candidates.push({ raw, mtime: stat.mtimeMs });
    }
    candidates.sort((a, b) => b.mtime - a.mtime);
    for (const { raw } of candidates) {
      for (const text of readableBodies(raw)) {
        const found = text.match(linkPattern);
        if (found) {
          const url = new URL(found[0]);
          return `${BASE_URL}${url.pathname}${url.search}`;
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no email to ${email} with a ${pathname} link in ${OUTBOX_DIR} after ${timeout} ms (${seen} .eml files there)`);
}

/** The password every end-to-end account uses. */
export const PASSWORD = 'correct horse battery staple 42';

/** The selector of an element by its `data-testid`. */
export const byTestId = (id) => `[data-testid="${id}"]`;

/** Waits until the app on `page` is interactive (the WASM bundle hydrated the page). */
export const hydrated = (page) => page.waitForSelector('[data-hydrated="true"]', { state: 'attached' });

/** Collects uncaught page errors and console errors of `page` into `diagnostics`. */
export function watch(page, diagnostics) {
  page.on('pageerror', (error) => diagnostics.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') diagnostics.push(`console: ${message.text()}`);
  });
}

/**
 * Signs up a new company as its owner, follows the emailed verification link, and logs in,
 * landing on `next` (a path such as `/connections`) once the page is interactive.
 */
export async function signUpAndLogIn(page, { email, company, name, next }) {
  await page.goto('/signup');
  await hydrated(page);
  await page.fill(byTestId('signup-company'), company);
  await page.fill(byTestId('signup-name'), name);
  await page.fill(byTestId('signup-email'), email);
  await page.fill(byTestId('signup-password'), PASSWORD);
  await page.click(byTestId('signup-submit'));
  await page.waitForSelector(byTestId('signup-done'));
  await page.goto(await waitForEmailLink(email, '/verify-email'));
  await page.waitForSelector(byTestId('verify-success'));
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await hydrated(page);
  await page.fill(byTestId('login-email'), email);
  await page.fill(byTestId('login-password'), PASSWORD);
  await page.click(byTestId('login-submit'));
  await page.waitForURL(`**${next}`);
  await hydrated(page);
}

/** Saves `<name>.png` when the run refreshes the README screenshots (`make screenshots`). */
export async function screenshot(page, name) {
  if (!SCREENSHOT_DIR) return;
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.mouse.move(0, 0);
  // Earlier steps' toasts would cover the page.
  for (const close of await page.$$('[data-testid="toast"] button')) await close.click().catch(() => {});
  await page.waitForSelector('[data-testid="toast"]', { state: 'detached' }).catch(() => {});
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/**
 * A phone-sized touch context (390×844 unless `viewport` says otherwise) logged in as `from`
 * (a desktop context of the same test): its cookies are copied, no second login is spent.
 */
export async function phoneContext(browser, from, viewport = { width: 390, height: 844 }) {
  const phone = await browser.newContext({
    storageState: await from.storageState(),
    viewport,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
    baseURL: BASE_URL,
  });
  phone.setDefaultTimeout(STEP_TIMEOUT);
  return phone;
}

/**
 * Calls our REST API from inside `page`, with its session cookie and CSRF token; `body` is sent
 * as JSON unless it is already a string (a CSV upload with `contentType: 'text/csv'`).
 */
export async function api(page, method, path, body, contentType = 'application/json') {
  return page.evaluate(
    async ({ method, path, body, contentType }) => {
      const me = await (await fetch('/api/v1/me')).json();
      const response = await fetch(`/api/v1${path}`, {
        method,
        headers: { 'content-type': contentType, 'x-csrf-token': me.csrf_token },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { method, path, body, contentType },
  );
}

/**
 * Calls a `/_fake/...` control of the fake Graph API (`FAKE_GRAPH_URL`). When the control posted
 * a webhook to our server, our server must have accepted it.
 */
export async function fakeGraph(route, body) {
  const response = await fetch(`${requireEnv('FAKE_GRAPH_URL')}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  assert.equal(response.status, 200, `${route}: ${JSON.stringify(answer)}`);
  if (answer.status !== undefined) assert.equal(answer.status, 200, `the webhook was refused: ${JSON.stringify(answer)}`);
  return answer;
}
