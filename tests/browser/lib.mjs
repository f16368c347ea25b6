// Browser-test harness for Weerbaar: Debian's Chromium driven by playwright-core,
// accessibility checked with axe-core, the weerbaar binary started per test.
// Only Node's built-ins besides playwright-core and axe-core.

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const STATIC_DIR = path.join(REPO_ROOT, 'crates', 'web', 'static');
const AXE_PATH = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps trying to reach
// Google's hosts, which this machine's closed network refuses.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Start headless Chromium. Playwright's launch() gives every browser a new,
 * empty user data dir in the temp folder and removes it on close(), so no
 * profile state carries over between tests.
 */
export async function launch() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A context for driving the application: its Content-Security-Policy is
 * enforced, as in a real browser. Use this for flows.
 */
export async function newContext(browser, options = {}) {
  return browser.newContext({ locale: 'nl-NL', ...options, bypassCSP: false });
}

/**
 * A context for accessibility checks only. The app's CSP forbids inline
 * script, and injecting axe-core is inline script, so this context bypasses
 * CSP. Do not use it to test behaviour: it would hide CSP violations.
 */
export async function newA11yContext(browser, options = {}) {
  return browser.newContext({ locale: 'nl-NL', ...options, bypassCSP: true });
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Readable list of axe violations, one line per rule and one per element. */
export function formatViolations(violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact ?? 'unknown'}]: ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes) {
      lines.push(`    at ${node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', ')}`);
      if (node.failureSummary) {
        for (const s of node.failureSummary.split('\n')) lines.push(`       ${s.trim()}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * Run axe-core (WCAG 2.0/2.1 A and AA) on the page as it is now; throw with
 * the rule id, impact, help and target selectors of every violation.
 * The page must come from newA11yContext() (CSP bypassed for the injection).
 * Returns axe's results when there is no violation.
 */
export async function checkA11y(page, label = page.url()) {
  const present = await page.evaluate(() => typeof window.axe === 'object');
  if (!present) {
    try {
      await page.addScriptTag({ path: AXE_PATH });
    } catch (err) {
      throw new Error(
        `${label}: could not inject axe-core (${err.message.split('\n')[0]}); ` +
          'was the page opened in a context from newA11yContext()?',
      );
    }
    const loaded = await page.evaluate(() => typeof window.axe === 'object');
    if (!loaded) {
      throw new Error(
        `${label}: axe-core did not load; the page's CSP blocked it. ` +
          'Open the page in a context from newA11yContext() (bypassCSP: true).',
      );
    }
  }
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  if (results.violations.length > 0) {
    const n = results.violations.reduce((sum, v) => sum + v.nodes.length, 0);
    throw new Error(
      `${label}: ${results.violations.length} accessibility rule(s) violated on ${n} element(s):\n` +
        formatViolations(results.violations),
    );
  }
  return results;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The weerbaar binary: $WB_BIN (not WEERBAAR_*: weerbaar reads those as its configuration) (relative to the repo root if relative), else target/debug/weerbaar. */
export function weerbaarBin() {
  const bin = process.env.WB_BIN || path.join('target', 'debug', 'weerbaar');
  return path.resolve(REPO_ROOT, bin);
}

/**
 * Start `weerbaar --data-dir <dir> serve --listen 127.0.0.1:<port>` and wait
 * until GET /healthz answers 200 (30 s at most).
 * options.dataDir: use this folder (kept afterwards); without it a temp
 * folder is made and removed by stop(). options.args: extra arguments after
 * `serve ...`; options.env: extra environment variables.
 * Returns { url, port, dataDir, output(), setupCode(), waitForSetupCode(), stop() }:
 * setupCode() is the code from the line `Inrichtingscode: XXXX-XXXX` that serve prints
 * on standard output on a register without an administrator (null until then);
 * waitForSetupCode(ms) waits for that line.
 */
export async function startServer({ dataDir, args = [], env = {}, timeoutMs = 30_000 } = {}) {
  const bin = weerbaarBin();
  if (!existsSync(bin)) {
    throw new Error(`weerbaar binary not found at ${bin}: cargo build -p weerbaar, or set WB_BIN`);
  }
  const ownDir = !dataDir;
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'weerbaar-browser-')));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(bin, ['--data-dir', dir, 'serve', '--listen', `127.0.0.1:${port}`, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk) => {
    log += chunk.toString();
    if (log.length > 64_000) log = log.slice(-32_000);
  };
  // Standard output on its own, for the setup code: the first 64 kB are kept whole,
  // so the code cannot scroll out of it.
  let stdout = '';
  let code = null;
  child.stdout.on('data', (chunk) => {
    keep(chunk);
    if (code === null && stdout.length < 64_000) {
      stdout += chunk.toString();
      const m = stdout.match(/Inrichtingscode: (\S+)/);
      if (m) code = m[1];
    }
  });
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (err) => {
      exited = { code: null, signal: null, error: err };
      resolve(exited);
    });
  });
  // If the test process dies without calling stop(), do not leave the server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    if (exited === null) {
      child.kill('SIGTERM');
      const done = await Promise.race([exitPromise, sleep(5_000).then(() => null)]);
      if (done === null) {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) {
      await stop();
      const why = exited.error ? exited.error.message : `exit code ${exited.code}, signal ${exited.signal}`;
      throw new Error(`weerbaar serve ended before /healthz answered (${why}); its output:\n${log}`);
    }
    if ((await httpStatus(`${url}/healthz`, 1_000)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`weerbaar serve: no 200 from ${url}/healthz within ${timeoutMs} ms; its output:\n${log}`);
    }
    await sleep(100);
  }

  const setupCode = () => code;
  const waitForSetupCode = async (ms = 5_000) => {
    const until = Date.now() + ms;
    while (code === null) {
      if (Date.now() > until || exited !== null) {
        throw new Error(`weerbaar serve printed no "Inrichtingscode: …" line; its output:\n${log}`);
      }
      await sleep(50);
    }
    return code;
  };

  return { url, port, dataDir: dir, output: () => log, setupCode, waitForSetupCode, stop };
}

// ---------------------------------------------------------------------------
// Second factor: TOTP (RFC 6238) as the authenticator apps compute it.

/** Bytes from RFC 4648 base32 (spaces, dashes, padding and case ignored). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(ch)} in ${JSON.stringify(text)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

export const TOTP_STEP_SECONDS = 30;

/** The time step of a moment (ms since the epoch): RFC 6238's T. */
export function totpStep(atMs = Date.now()) {
  return Math.floor(atMs / 1000 / TOTP_STEP_SECONDS);
}

/**
 * The six-digit TOTP code of a base32 secret (as the enrolment page shows it, groups of
 * four allowed) at a moment or, with { step }, for a time step: HMAC-SHA1, 30 s steps,
 * RFC 4226's dynamic truncation.
 */
export function totp(base32Secret, { atMs = Date.now(), step = totpStep(atMs) } = {}) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(base32Secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, '0');
}

// The app accepts a time step only once per person (a code seen over someone's shoulder
// cannot be used again), so the helpers remember the last step used per e-mail address
// and wait for a later one.
const secrets = new Map();
const usedSteps = new Map();

/** The second-factor secret signIn() or enrol() stored for an e-mail address. */
export function secretOf(email) {
  return secrets.get(email.toLowerCase()) ?? null;
}

/**
 * A code for `email` from a step later than the last one used for that address; waits
 * for the next step when this one was used. Records the step as used.
 */
export async function freshCode(email, secret) {
  const key = email.toLowerCase();
  for (;;) {
    const step = totpStep();
    const last = usedSteps.get(key);
    if (last === undefined || step > last) {
      usedSteps.set(key, step);
      return totp(secret, { step });
    }
    const wait = (last + 1) * TOTP_STEP_SECONDS * 1000 - Date.now() + 200;
    await sleep(Math.max(wait, 50));
  }
}

// ---------------------------------------------------------------------------
// Signing in.

async function onPageHook(options, label) {
  if (options.onPage) await options.onPage(label);
}

async function submitForm(page, formSelector) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(`${formSelector} button[type=submit]`).first().click(),
  ]);
}

/** The path of the page's URL. */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/**
 * On the enrolment page (/aanmelden/tweede-factor): read the secret from
 * <code class="wb-secret">, type the app's code, store the secret for `email`; then
 * past the recovery codes page (whose codes are returned). options.onPage(label) is
 * called on each page (for accessibility checks and screenshots).
 */
export async function enrol(page, email, options = {}) {
  if (pathOf(page) !== '/aanmelden/tweede-factor') {
    throw new Error(`enrol: expected the enrolment page, got ${page.url()}`);
  }
  await onPageHook(options, 'tweede factor instellen');
  const secret = (await page.locator('code.wb-secret').textContent()).trim();
  if (!/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/.test(secret)) {
    throw new Error(`enrol: the secret is not base32 in groups of four: ${JSON.stringify(secret)}`);
  }
  secrets.set(email.toLowerCase(), secret);
  await page.fill('#code', await freshCode(email, secret));
  await submitForm(page, 'form[action="/aanmelden/tweede-factor"]');
  const heading = (await page.locator('h1').first().textContent()).trim();
  if (heading !== 'Uw herstelcodes') {
    const problem = await page.locator('.wb-error-summary').textContent().catch(() => '');
    throw new Error(`enrol: no recovery codes after the code, but "${heading}" at ${page.url()} ${problem}`);
  }
  await onPageHook(options, 'herstelcodes');
  const codes = (await page.locator('.wb-recovery-codes code').allTextContents()).map((c) => c.trim());
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('link', { name: 'Ik heb de codes bewaard, ga verder' }).click(),
  ]);
  return { secret, codes };
}

/**
 * Sign in at /aanmelden with e-mail and password; enrol a second factor when the app
 * asks for one (the secret is stored for later sign-ins and returned), or type the code
 * when it asks for that (from options.totpSecret, else the stored secret). Ends on the
 * page the app sends the person to. options.onPage(label) is called on every page
 * passed (the sign-in form, enrolment, recovery codes, code).
 * Returns { secret, codes } (codes only after enrolment).
 */
export async function signIn(page, baseUrl, email, password, options = {}) {
  await page.goto(`${baseUrl}/aanmelden`, { waitUntil: 'load' });
  await onPageHook(options, 'aanmelden');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await submitForm(page, 'form[action="/aanmelden"]');
  let result = { secret: secretOf(email), codes: [] };
  const path = pathOf(page);
  if (path === '/aanmelden') {
    const problem = (await page.locator('.wb-error-summary').textContent().catch(() => '')).trim();
    throw new Error(`signIn ${email}: refused: ${problem.replace(/\s+/g, ' ')}`);
  }
  if (path === '/aanmelden/tweede-factor') {
    result = await enrol(page, email, options);
  } else if (path === '/aanmelden/code') {
    await onPageHook(options, 'code invoeren');
    const secret = options.totpSecret ?? secretOf(email);
    if (!secret) throw new Error(`signIn ${email}: the app asks for a code and no secret is known`);
    await page.fill('#code', await freshCode(email, secret));
    await submitForm(page, 'form[action="/aanmelden/code"]');
    if (pathOf(page) === '/aanmelden/code') {
      const problem = (await page.locator('.wb-error-summary').textContent().catch(() => '')).trim();
      throw new Error(`signIn ${email}: the code was refused: ${problem.replace(/\s+/g, ' ')}`);
    }
    result.secret = secret;
  }
  return result;
}

// ---------------------------------------------------------------------------
// Looking at the pages a flow visits: accessibility and screenshots.

/**
 * For a flow driven in a context whose CSP is enforced (newContext): an accessibility
 * context with the same options (viewport, isMobile …) where each page the flow shows
 * is rendered again from a snapshot of its DOM, at the same URL and with the same
 * stylesheets, and checked with axe; a screenshot of the real page in SCREENSHOT_DIR.
 * Pages that came from a POST (an error summary, recovery codes) are checked the same
 * way, and no GET is sent again (opening a case a second time would add a line to its
 * access log).
 *   const look = await watcher(browser, page, { options, dir, prefix });
 *   await look('werkbak');            // throws on a violation
 *   look.consoleErrors                // console errors of the flow page (CSP reports),
 *                                     // without the "Failed to load resource" of 4xx answers
 */
export async function watcher(browser, page, { options = {}, dir = null, prefix = '' } = {}) {
  const a11yContext = await newA11yContext(browser, options);
  const a11yPage = await a11yContext.newPage();
  let n = 0;
  const consoleErrors = [];
  page.on('console', (msg) => {
    // A 404 or 422 answer is logged as "Failed to load resource" (the pages with an
    // error summary, the browser's own /favicon.ico): those are not the page's errors.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource:')) {
      consoleErrors.push(`${page.url()}: ${msg.text()}`);
    }
  });
  if (dir) await mkdir(dir, { recursive: true });
  const look = async (label) => {
    n += 1;
    const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const file = dir ? path.join(dir, `${prefix}${String(n).padStart(2, '0')}-${slug}.png`) : null;
    if (file) await page.screenshot({ path: file, fullPage: true });
    const url = page.url();
    const html = await page.content();
    const target = url.split('#')[0];
    const matches = (u) => u.href.split('#')[0] === target;
    const handler = (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    await a11yPage.route(matches, handler);
    try {
      await a11yPage.goto(url, { waitUntil: 'load' });
    } finally {
      await a11yPage.unroute(matches, handler);
    }
    return checkA11y(a11yPage, label);
  };
  look.consoleErrors = consoleErrors;
  look.close = () => a11yContext.close();
  return look;
}

// ---------------------------------------------------------------------------
// Driving the pages: navigation, error summaries, the keyboard, a phone's width.

/** Follow a link or press a button and wait for the page it leads to; gives the response. */
export async function go(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return response;
}

/** Where the page is, for a failure's message: status, path and what the page says. */
export async function where(page, response) {
  const text = (await page.locator('main').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 300);
  return `HTTP ${response?.status() ?? '?'} at ${pathOf(page)}: "${text}"`;
}

/** The text of the page's error summary, or '' without one. */
export async function errorSummary(page) {
  const summary = page.locator('.wb-error-summary');
  return (await summary.count()) ? (await summary.innerText()).replace(/\s+/g, ' ') : '';
}

/**
 * The elements that stick out past the right edge of a `width` wide screen, other than
 * inside a box that scrolls or clips sideways (a wide table in its scroll region).
 * On a phone (isMobile) the browser widens the layout viewport to fit what sticks out,
 * so comparing scrollWidth with innerWidth would not see it; the page's own width is
 * compared with `width` instead. A box clips an absolutely positioned element only when
 * it holds the element's containing block: a visually hidden text (position: absolute)
 * in a scroll box that is not positioned itself is not clipped by it, and widens the page.
 */
export async function overflowing(page, width) {
  return page.evaluate((w) => {
    const out = [];
    const pageWidth = document.documentElement.scrollWidth;
    if (pageWidth > w + 0.5) out.push(`the page itself (${pageWidth}px wide)`);
    const clips = (a) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX);
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= w + 0.5) continue;
      const position = getComputedStyle(el).position;
      // The first ancestor that can clip it: the containing block of an absolutely
      // positioned element (its nearest positioned ancestor); none for a fixed one.
      let start = el.parentElement;
      if (position === 'fixed') start = null;
      if (position === 'absolute') {
        start = el.parentElement;
        while (start && start !== document.body && getComputedStyle(start).position === 'static') start = start.parentElement;
      }
      let clipped = false;
      for (let a = start; a && a !== document.body; a = a.parentElement) {
        if (clips(a)) clipped = true;
      }
      if (clipped) continue;
      const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + (el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/)[0]}` : '');
      out.push(`${name} (right edge at ${Math.round(r.right)}px)`);
    }
    return out;
  }, width);
}

/** Press Tab until the focused element matches `selector` (keyboard only; reading the focus is not input). */
export async function tabTo(page, selector, { max = 250, backwards = false } = {}) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`${selector}: not reached with ${max} presses of Tab`);
}

// ---------------------------------------------------------------------------
// A register to test in: setup and people.

/**
 * Set up a fresh register at /inrichten with the code `server` printed: the organisation
 * (with the Westerveld protocol) and its administrator `admin` ({ name, email, role,
 * password }), who enrols a second factor. Ends on the start page, signed in.
 * options.onPage(label) is called on each page (for accessibility checks).
 * Returns { secret, codes } from enrol().
 */
export async function setUpRegister(page, server, organisation, admin, options = {}) {
  const code = await server.waitForSetupCode();
  await page.goto(`${server.url}/`, { waitUntil: 'load' });
  if (pathOf(page) !== '/inrichten') throw new Error(`setUpRegister: expected /inrichten, got ${page.url()}`);
  await onPageHook(options, 'inrichten');
  await page.fill('#code', code);
  await page.fill('#organisation', organisation);
  await page.check('#protocol-westerveld');
  await page.fill('#name', admin.name);
  await page.fill('#email', admin.email);
  await page.selectOption('#role', admin.role);
  await page.fill('#password', admin.password);
  await page.fill('#password_again', admin.password);
  await go(page, () => page.getByRole('button', { name: 'Inrichten' }).click());
  const problems = await errorSummary(page);
  if (problems) throw new Error(`setUpRegister: setup refused: ${problems}`);
  const result = await enrol(page, admin.email, options);
  if (pathOf(page) !== '/') throw new Error(`setUpRegister: expected the start page, got ${page.url()}`);
  return result;
}

/**
 * As an administrator: add a person ({ name, email, role, password }) with a current
 * role and an initial password at /beheer/personen/nieuw. Ends on the person's page.
 * options.onPage(label) is called on the form and on the answer.
 */
export async function addPerson(page, baseUrl, who, options = {}) {
  await page.goto(`${baseUrl}/beheer/personen/nieuw`, { waitUntil: 'load' });
  await onPageHook(options, `persoon toevoegen (${who.role})`);
  await page.fill('#name', who.name);
  await page.fill('#email', who.email);
  await page.selectOption(`#role_${who.role}`, 'huidig');
  await page.fill('#password', who.password);
  await page.fill('#password_again', who.password);
  await go(page, () => page.getByRole('button', { name: 'Persoon toevoegen' }).click());
  const problems = await errorSummary(page);
  if (problems || !/^\/beheer\/personen\/[^/]+$/.test(pathOf(page))) {
    throw new Error(`addPerson ${who.email}: not added (at ${page.url()}): ${problems}`);
  }
  await onPageHook(options, `persoon toegevoegd (${who.role})`);
}
