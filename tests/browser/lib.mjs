// Browser-test harness for Weerbaar: Debian's Chromium driven by playwright-core,
// accessibility checked with axe-core, the weerbaar binary started per test.
// Only Node's built-ins besides playwright-core and axe-core.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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

/** The weerbaar binary: $WEERBAAR_BIN (relative to the repo root if relative), else target/debug/weerbaar. */
export function weerbaarBin() {
  const bin = process.env.WEERBAAR_BIN || path.join('target', 'debug', 'weerbaar');
  return path.resolve(REPO_ROOT, bin);
}

/**
 * Start `weerbaar --data-dir <dir> serve --listen 127.0.0.1:<port>` and wait
 * until GET /healthz answers 200 (30 s at most).
 * options.dataDir: use this folder (kept afterwards); without it a temp
 * folder is made and removed by stop(). options.args: extra arguments after
 * `serve ...`; options.env: extra environment variables.
 * Returns { url, port, dataDir, output(), stop() }.
 */
export async function startServer({ dataDir, args = [], env = {}, timeoutMs = 30_000 } = {}) {
  const bin = weerbaarBin();
  if (!existsSync(bin)) {
    throw new Error(`weerbaar binary not found at ${bin}: cargo build -p weerbaar, or set WEERBAAR_BIN`);
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
  child.stdout.on('data', keep);
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

  return { url, port, dataDir: dir, output: () => log, stop };
}
