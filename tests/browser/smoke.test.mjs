// Smoke test of the harness itself, independent of the weerbaar web server:
// a tiny node:http server serves a page built from the vendored NL Design
// System CSS and /static/weerbaar.css under a strict CSP like the app's;
// Chromium loads it, axe checks it, and a screenshot is taken.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  STATIC_DIR,
  checkA11y,
  launch,
  newA11yContext,
  newContext,
  overflowing,
  startServer,
} from './lib.mjs';

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const HEAD = `<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/nlds/voorbeeld-theme.css">
<link rel="stylesheet" href="/static/nlds/utrecht-component-library.css">
<link rel="stylesheet" href="/static/weerbaar.css">`;

// The page uses the class names from crates/web/static/nlds/CLASSES.md.
const GOOD_PAGE = `<!doctype html>
<html lang="nl" class="voorbeeld-theme utrecht-root">
<head>
${HEAD}
<title>Melding doen – Weerbaar</title>
</head>
<body class="utrecht-body">
<a href="#main" class="utrecht-skip-link utrecht-skip-link--visible-on-focus wb-skip-link">Naar de inhoud</a>
<div class="utrecht-page-layout">
  <header class="utrecht-page-header">
    <div class="utrecht-page-header__content wb-site-header">
      <p class="utrecht-paragraph"><a class="utrecht-link" href="/">Weerbaar</a></p>
      <nav class="wb-site-nav" aria-label="Hoofdmenu">
        <ul class="utrecht-nav-list">
          <li class="utrecht-nav-list__item"><a class="utrecht-nav-list__link utrecht-link" href="/meldingen" aria-current="page">Meldingen</a></li>
          <li class="utrecht-nav-list__item"><a class="utrecht-nav-list__link utrecht-link" href="/uitloggen">Uitloggen</a></li>
        </ul>
      </nav>
    </div>
  </header>
  <main class="utrecht-page-body" id="main" tabindex="-1">
    <div class="utrecht-page-body__content wb-stack">
      <nav class="utrecht-breadcrumb-nav" aria-label="Kruimelpad">
        <ol class="utrecht-breadcrumb-nav__list utrecht-breadcrumb-nav__list--html-ol">
          <li class="utrecht-breadcrumb-nav__item"><a class="utrecht-breadcrumb-nav__link utrecht-link" href="/">Home</a></li>
          <li class="utrecht-breadcrumb-nav__item"><a class="utrecht-breadcrumb-nav__link utrecht-breadcrumb-nav__link--current utrecht-link" href="/melding" aria-current="page">Melding doen</a></li>
        </ol>
      </nav>
      <h1 class="utrecht-heading-1">Melding doen</h1>
      <p class="utrecht-paragraph utrecht-paragraph--lead">Meld agressie of intimidatie tegen een politieke ambtsdrager.</p>
      <div class="wb-error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
        <h2 class="wb-error-summary__title" id="error-summary-title">Er is een probleem</h2>
        <ul class="wb-error-summary__list"><li><a href="#omschrijving">Vul een omschrijving in</a></li></ul>
      </div>
      <div class="utrecht-alert utrecht-alert--info" role="status">
        <div class="utrecht-alert__content"><div class="utrecht-alert__message">
          <p class="utrecht-paragraph">Uw melding wordt vertrouwelijk behandeld.</p>
        </div></div>
      </div>
      <form class="utrecht-form wb-stack" method="post" action="/melding" novalidate>
        <div class="utrecht-form-field utrecht-form-field--distanced">
          <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="naam">Naam</label></div>
          <div class="utrecht-form-field__description utrecht-form-field-description" id="naam-beschrijving">Zoals op uw legitimatie.</div>
          <div class="utrecht-form-field__input">
            <input class="utrecht-textbox utrecht-textbox--html-input" id="naam" name="naam" type="text" autocomplete="name" aria-describedby="naam-beschrijving">
          </div>
        </div>
        <div class="utrecht-form-field utrecht-form-field--invalid utrecht-form-field--distanced">
          <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="omschrijving">Omschrijving</label></div>
          <div class="utrecht-form-field__error-message utrecht-form-field-error-message" id="omschrijving-fout">Vul een omschrijving in</div>
          <div class="utrecht-form-field__input">
            <textarea class="utrecht-textarea utrecht-textarea--html-textarea utrecht-textarea--invalid" id="omschrijving" name="omschrijving" rows="4" aria-invalid="true" aria-describedby="omschrijving-fout"></textarea>
          </div>
        </div>
        <div class="utrecht-form-field utrecht-form-field--distanced">
          <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="soort">Soort incident</label></div>
          <div class="utrecht-form-field__input">
            <select class="utrecht-select utrecht-select--html-select" id="soort" name="soort">
              <option value="bedreiging">Bedreiging</option><option value="intimidatie">Intimidatie</option>
            </select>
          </div>
        </div>
        <div class="utrecht-form-field utrecht-form-field--checkbox utrecht-form-field--distanced">
          <div class="utrecht-form-field__label">
            <label class="utrecht-form-label utrecht-form-label--checkbox" for="aangifte">
              <input class="utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom utrecht-form-field__input" type="checkbox" id="aangifte" name="aangifte">
              Ik heb aangifte gedaan
            </label>
          </div>
        </div>
        <fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset utrecht-form-fieldset--distanced">
          <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">Online of fysiek?</legend>
          <div class="utrecht-form-field utrecht-form-field--radio">
            <div class="utrecht-form-field__label">
              <label class="utrecht-form-label utrecht-form-label--radio" for="kanaal-online">
                <input class="utrecht-radio-button utrecht-radio-button--html-input utrecht-form-field__input" type="radio" id="kanaal-online" name="kanaal" value="online">
                Online
              </label>
            </div>
          </div>
          <div class="utrecht-form-field utrecht-form-field--radio">
            <div class="utrecht-form-field__label">
              <label class="utrecht-form-label utrecht-form-label--radio" for="kanaal-fysiek">
                <input class="utrecht-radio-button utrecht-radio-button--html-input utrecht-form-field__input" type="radio" id="kanaal-fysiek" name="kanaal" value="fysiek">
                Fysiek
              </label>
            </div>
          </div>
        </fieldset>
        <div class="utrecht-button-group">
          <button type="submit" class="utrecht-button utrecht-button--primary-action">Versturen</button>
          <button type="button" class="utrecht-button utrecht-button--secondary-action">Opslaan als concept</button>
          <button type="button" class="utrecht-button utrecht-button--secondary-action utrecht-button--danger">Verwijderen</button>
          <button type="button" class="utrecht-button utrecht-button--primary-action utrecht-button--danger">Definitief verwijderen</button>
        </div>
      </form>
      <div class="wb-table-scroll" role="region" aria-label="Recente meldingen" tabindex="0">
        <table class="utrecht-table utrecht-table--html-table">
          <caption class="utrecht-table__caption">Recente meldingen</caption>
          <thead class="utrecht-table__header"><tr class="utrecht-table__row">
            <th class="utrecht-table__header-cell" scope="col">Kenmerk</th>
            <th class="utrecht-table__header-cell" scope="col">Status</th>
          </tr></thead>
          <tbody class="utrecht-table__body"><tr class="utrecht-table__row">
            <td class="utrecht-table__cell">W-2026-0001</td>
            <td class="utrecht-table__cell"><span class="utrecht-status-badge utrecht-status-badge--warning">In behandeling</span></td>
          </tr></tbody>
        </table>
      </div>
      <ul class="utrecht-unordered-list"><li class="utrecht-unordered-list__item">Bewaar bewijsmateriaal.</li></ul>
    </div>
  </main>
  <footer class="utrecht-page-footer">
    <div class="utrecht-page-footer__content"><p class="utrecht-paragraph">Weerbaar</p></div>
  </footer>
</div>
</body>
</html>`;

// Deliberately broken: an input without a label.
const BAD_PAGE = `<!doctype html>
<html lang="nl" class="voorbeeld-theme utrecht-root">
<head>${HEAD}<title>Fout</title></head>
<body class="utrecht-body"><main><h1 class="utrecht-heading-1">Fout</h1>
<input class="utrecht-textbox utrecht-textbox--html-input" id="zonder-label" type="text">
</main></body></html>`;

// Weerbaar's own corrections of the components, on a phone: an alert with a heading and
// paragraphs (the new API key, the calendar link) and a wide table in its scroll box
// whose last cell holds a button with visually hidden words (a revoke button).
const WB_CSS_PAGE = `<!doctype html>
<html lang="nl" class="voorbeeld-theme utrecht-root">
<head>${HEAD}<title>Sleutels</title></head>
<body class="utrecht-body"><main class="utrecht-page-body"><div class="utrecht-page-body__content wb-container wb-stack">
<h1 class="utrecht-heading-1">Sleutels</h1>
<div class="utrecht-alert utrecht-alert--warning" role="status" id="melding">
  <h2 class="utrecht-heading-2">Uw nieuwe sleutel</h2>
  <p class="utrecht-paragraph">Kopieer de sleutel nu en bewaar hem veilig.</p>
  <p class="utrecht-paragraph"><code>wbr_abcdefghijklmnopqrstuvwxyz0123456789</code></p>
</div>
<div class="wb-table-scroll" role="region" aria-label="Uw sleutels" tabindex="0">
<table class="utrecht-table utrecht-table--html-table">
  <caption class="utrecht-table__caption wb-visually-hidden">Uw sleutels</caption>
  <thead class="utrecht-table__header"><tr class="utrecht-table__row">
    ${['Naam', 'Begint met', 'Mag', 'Gemaakt', 'Geldig tot', 'Laatst gebruikt', 'Stand'].map((h) => `<th class="utrecht-table__header-cell" scope="col">${h}</th>`).join('')}
    <th class="utrecht-table__header-cell" scope="col"><span class="wb-visually-hidden">Intrekken</span></th>
  </tr></thead>
  <tbody class="utrecht-table__body"><tr class="utrecht-table__row">
    ${['Zaaksysteem', 'wbr_abcdefgh…', 'Lezen', 'zo 22 nov 2026, 18:43', 'zo 29 nov 2026, 18:43', 'nog niet', 'actief'].map((c) => `<td class="utrecht-table__cell">${c}</td>`).join('')}
    <td class="utrecht-table__cell"><button type="button" class="utrecht-button utrecht-button--secondary-action">Intrekken<span class="wb-visually-hidden"> (Zaaksysteem)</span></button></td>
  </tr></tbody>
</table>
</div>
</div></main></body></html>`;

const CONTENT_TYPES = { '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/** Serve the two pages and crates/web/static/ under /static/, with the CSP header. */
async function startStaticServer() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' };
    const pages = { '/': GOOD_PAGE, '/bad': BAD_PAGE, '/wb-css': WB_CSS_PAGE };
    if (Object.hasOwn(pages, url.pathname)) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(pages[url.pathname]);
      return;
    }
    if (url.pathname.startsWith('/static/')) {
      const file = path.resolve(STATIC_DIR, '.' + decodeURIComponent(url.pathname.slice('/static'.length)));
      if (file.startsWith(STATIC_DIR + path.sep)) {
        try {
          const body = await readFile(file);
          res.writeHead(200, {
            ...headers,
            'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
          });
          res.end(body);
          return;
        } catch {
          // fall through to 404
        }
      }
    }
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('niet gevonden');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('harness smoke test (static page, vendored CSS)', () => {
  let browser;
  let site;

  before(async () => {
    site = await startStaticServer();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  test('the page loads every stylesheet under a strict CSP, from this host only, and the theme applies', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = [];
    const foreign = [];
    const failed = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('request', (req) => {
      if (!req.url().startsWith(site.url) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
    await page.goto(site.url + '/', { waitUntil: 'load' });

    assert.deepEqual(failed, [], 'every request succeeds');
    assert.deepEqual(foreign, [], 'nothing is fetched from another host');
    assert.deepEqual(problems, [], 'no console errors (CSP violations show up here)');

    const sheets = await page.evaluate(() => [...document.styleSheets].map((s) => s.cssRules.length));
    assert.equal(sheets.length, 3);
    for (const n of sheets) assert.ok(n > 0, 'each stylesheet has rules');

    const style = await page.evaluate(() => {
      const cs = (sel) => getComputedStyle(document.querySelector(sel));
      return {
        button: cs('.utrecht-button--primary-action').backgroundColor,
        heading: cs('.utrecht-heading-1').fontFamily,
        textboxBorder: cs('.utrecht-textbox').borderTopWidth,
        summaryBorder: cs('.wb-error-summary').borderTopColor,
        skipTop: document.querySelector('.wb-skip-link').getBoundingClientRect().bottom,
      };
    });
    // Voorbeeld theme: primary action background is violet-500 (#5115ef).
    assert.equal(style.button, 'rgb(81, 21, 239)');
    assert.match(style.heading, /Noto Serif/);
    assert.notEqual(style.textboxBorder, '0px');
    assert.equal(style.summaryBorder, 'rgb(205, 38, 45)');
    assert.ok(style.skipTop <= 0, 'the skip link is off screen until focused');

    // Keyboard: the skip link comes first and shows itself; the focus ring is clear.
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return { text: el.textContent, top: r.top, bottom: r.bottom, outline: cs.outlineStyle, width: cs.outlineWidth };
    });
    assert.equal(skip.text, 'Naar de inhoud');
    assert.ok(skip.top >= 0 && skip.bottom > 0, `the focused skip link is on screen (${skip.top}..${skip.bottom})`);
    assert.notEqual(skip.outline, 'none');

    await page.focus('#naam');
    await page.keyboard.press('Tab'); // keyboard focus, so :focus-visible applies
    await page.keyboard.press('Shift+Tab');
    const ring = await page.evaluate(() => {
      const cs = getComputedStyle(document.activeElement);
      return { id: document.activeElement.id, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth) };
    });
    assert.equal(ring.id, 'naam');
    assert.notEqual(ring.style, 'none');
    assert.ok(ring.width >= 2, `outline at least 2px (${ring.width})`);
    await context.close();
  });

  test('axe finds no WCAG 2.1 A/AA violation, and a screenshot is taken', async (t) => {
    const context = await newA11yContext(browser, { viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await page.goto(site.url + '/', { waitUntil: 'load' });
    const results = await checkA11y(page, 'smoke page');
    assert.ok(results.passes.length === 0 || Array.isArray(results.passes));

    const dir = process.env.SCREENSHOT_DIR || (await mkdtemp(path.join(os.tmpdir(), 'weerbaar-smoke-')));
    const file = path.join(dir, 'smoke.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = await readFile(file);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok((await stat(file)).size > 10_000);
    t.diagnostic(`screenshot: ${file}`);
    if (!process.env.SCREENSHOT_DIR) await rm(dir, { recursive: true, force: true });

    // Mobile width: still no violation (reflow, WCAG 1.4.10).
    await page.setViewportSize({ width: 320, height: 640 });
    await checkA11y(page, 'smoke page at 320px');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 320px (${overflow}px too wide)`);
    await context.close();
  });

  test("weerbaar.css on a 375px phone: an alert's heading and paragraphs stack, and a table's hidden words do not widen the page nor its words break", async () => {
    const context = await newA11yContext(browser, { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(site.url + '/wb-css', { waitUntil: 'load' });
    await checkA11y(page, 'weerbaar.css page');
    assert.deepEqual(await overflowing(page, 375), [], 'nothing sticks out past the screen');
    assert.equal(await page.evaluate(() => window.innerWidth), 375, 'the phone does not widen its layout viewport');
    const tops = await page.locator('#melding').evaluate((alert) =>
      [...alert.children].map((c) => [Math.round(c.getBoundingClientRect().top), Math.round(c.getBoundingClientRect().bottom)]),
    );
    for (let i = 1; i < tops.length; i += 1) {
      assert.ok(tops[i][0] >= tops[i - 1][1] - 1, `the alert's blocks lie one below the other: ${JSON.stringify(tops)}`);
    }
    // Words in the table stay whole: a cell of one word is one line high, as its header is.
    const heights = await page.locator('.wb-table-scroll td, .wb-table-scroll th').evaluateAll((cells) =>
      cells
        .filter((cell) => !/\s/.test(cell.innerText.trim()) && cell.innerText.trim() !== '')
        .map((cell) => {
          // The lines of the visible text (words only for screen readers lie elsewhere).
          const lines = new Set();
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.textContent.trim() || node.parentElement.closest('.wb-visually-hidden')) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const rect of range.getClientRects()) lines.add(Math.round(rect.top));
          }
          return [cell.innerText.trim(), lines.size];
        })
        .filter(([, lines]) => lines > 0),
    );
    assert.ok(heights.length >= 4, `one-word cells found: ${JSON.stringify(heights)}`);
    for (const [word, lines] of heights) assert.equal(lines, 1, `"${word}" is not broken over lines: ${JSON.stringify(heights)}`);
    // The revoke button can be reached by scrolling the table's box, and pressed.
    const button = page.getByRole('button', { name: 'Intrekken (Zaaksysteem)' });
    await button.click({ timeout: 5_000 });
    await context.close();
  });

  test('checkA11y reports a violation with rule id, impact, help and target', async () => {
    const context = await newA11yContext(browser);
    const page = await context.newPage();
    await page.goto(site.url + '/bad', { waitUntil: 'load' });
    await assert.rejects(checkA11y(page, 'bad page'), (err) => {
      assert.match(err.message, /^bad page: \d+ accessibility rule\(s\) violated/);
      assert.match(err.message, /- label \[critical\]: Form elements must have labels/);
      assert.match(err.message, /at #zonder-label/);
      return true;
    });
    await context.close();
  });

  test('axe cannot be injected where the CSP is enforced, and says so', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(site.url + '/', { waitUntil: 'load' });
    await assert.rejects(checkA11y(page, 'csp page'), /newA11yContext/);
    await context.close();
  });
});

describe('vendored CSS', () => {
  // Names that CLASSES.md mentions only to say they do not exist or are not vendored.
  const NOT_CLASSES = new Set(['utrecht-theme', 'utrecht-badge-status', 'utrecht-button--hint', 'utrecht-component-library']);

  async function cssClasses() {
    const css = await readFile(path.join(STATIC_DIR, 'nlds', 'utrecht-component-library.css'), 'utf8');
    return new Set(css.match(/\.utrecht-[a-z0-9_-]*[a-z0-9]/g).map((c) => c.slice(1)));
  }

  function mentioned(text) {
    // Class names, not custom properties (--utrecht-…).
    return [...text.matchAll(/(?<![-\w])utrecht-[a-z0-9_-]*[a-z0-9]/g)].map((m) => m[0]);
  }

  test('every utrecht-* class named in CLASSES.md exists in the vendored CSS', async () => {
    const classes = await cssClasses();
    const doc = await readFile(path.join(STATIC_DIR, 'nlds', 'CLASSES.md'), 'utf8');
    const names = new Set(mentioned(doc));
    assert.ok(names.size > 100, `CLASSES.md names ${names.size} classes`);
    const missing = [...names].filter((c) => !classes.has(c) && !NOT_CLASSES.has(c));
    assert.deepEqual(missing, []);
  });

  test('every utrecht-* class in the smoke page exists in the vendored CSS', async () => {
    const classes = await cssClasses();
    const missing = [...new Set(mentioned(GOOD_PAGE))].filter((c) => !classes.has(c) && !NOT_CLASSES.has(c));
    assert.deepEqual(missing, []);
  });

  test('no stylesheet fetches anything from the network', async () => {
    for (const file of ['nlds/utrecht-component-library.css', 'nlds/voorbeeld-theme.css', 'weerbaar.css']) {
      const css = await readFile(path.join(STATIC_DIR, file), 'utf8');
      assert.doesNotMatch(css, /@import/, file);
      for (const [u] of css.matchAll(/url\([^)]*\)/g)) assert.match(u, /^url\(\s*["']?data:/, `${file}: ${u}`);
    }
  });
});

describe('startServer (with a stand-in for the weerbaar binary)', () => {
  test('passes --data-dir and serve --listen, waits for /healthz, and stop() cleans up', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'weerbaar-fake-bin-'));
    const fake = path.join(dir, 'weerbaar');
    // Answers 503 on /healthz for the first few polls, then 200; echoes its argv.
    await writeFile(
      fake,
      `#!${process.execPath}
const http = require('node:http');
const argv = process.argv.slice(2);
const [host, port] = argv[argv.indexOf('--listen') + 1].split(':');
let polls = 0;
http.createServer((req, res) => {
  if (req.url === '/healthz') { polls += 1; res.writeHead(polls < 3 ? 503 : 200); res.end('ok'); return; }
  res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(argv));
}).listen(Number(port), host, () => console.log('listening'));
`,
    );
    await chmod(fake, 0o755);
    const saved = process.env.WB_BIN;
    process.env.WB_BIN = fake;
    try {
      const server = await startServer();
      const argv = await (await fetch(server.url + '/')).json();
      assert.deepEqual(argv, ['--data-dir', server.dataDir, 'serve', '--listen', `127.0.0.1:${server.port}`]);
      assert.ok(existsSync(server.dataDir));
      await server.stop();
      assert.ok(!existsSync(server.dataDir), 'the temp data dir is removed');
      await assert.rejects(fetch(server.url + '/healthz'), 'the server is gone');
    } finally {
      if (saved === undefined) delete process.env.WB_BIN;
      else process.env.WB_BIN = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a binary that exits early is reported with its output', async () => {
    const saved = process.env.WB_BIN;
    process.env.WB_BIN = '/bin/false';
    try {
      await assert.rejects(startServer(), /ended before \/healthz answered/);
    } finally {
      if (saved === undefined) delete process.env.WB_BIN;
      else process.env.WB_BIN = saved;
    }
  });
});
