// The story, walked in the browser against the real weerbaar binary on a fresh
// data folder: setup, people, a raadslid's report from a phone (with a screenshot as
// evidence), a report made with the keyboard alone, the griffier's handling (inbox with
// deadlines, aftercare planned and held, a written warning), the burgemeester who sees
// that it happened but not what was said, and the raadslid who sees the progress and
// who opened the file.
//
// Every page the flow shows is checked with axe (WCAG 2.0/2.1 A and AA) and
// photographed into SCREENSHOT_DIR (a temp folder, removed afterwards, without it). The
// flow itself runs in contexts whose CSP is enforced; axe runs on a copy of each page in
// an accessibility context (see watcher() in lib.mjs).
//
// The steps share the server and the people's browsers, so they run in order; a step
// that fails leaves the next ones to report what they can.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  enrol,
  errorSummary,
  go,
  launch,
  newContext,
  overflowing,
  pathOf,
  signIn,
  startServer,
  tabTo,
  watcher,
  where,
} from './lib.mjs';

const NARRATIVE = 'Hij zei dat hij mij zou opwachten bij mijn huis.';
const KEYBOARD_NARRATIVE = 'Iemand belde drie keer anoniem en hing steeds op na een dreigende opmerking.';
const ORGANISATION = 'Gemeente Westerveld';

const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 900 } };

const ADMIN = {
  name: 'Anne de Vries',
  email: 'beheer@westerveld.example',
  role: 'ambtenaar',
  password: 'de eerste beheerder richt alles in',
};
const RAADSLID = {
  name: 'Rik Jansen',
  email: 'r.jansen@westerveld.example',
  role: 'raadslid',
  password: 'raadslid met een lang wachtwoord',
};
const GRIFFIER = {
  name: 'Gerda Bos',
  email: 'griffie@westerveld.example',
  role: 'griffier',
  password: 'de griffier behandelt de meldingen',
};
const BURGEMEESTER = {
  name: 'Bram Mulder',
  email: 'burgemeester@westerveld.example',
  role: 'burgemeester',
  password: 'de burgemeester wordt geinformeerd',
};

// A 1×1 PNG (a red pixel), as a phone's screenshot stands in for.
const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108020000009077' +
    '53de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082',
  'hex',
);

/** "YYYY-MM-DDTHH:MM" in Dutch time, as a datetime-local field holds it, `offsetMs` from now. */
function amsterdam(offsetMs = 0) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Amsterdam',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(Date.now() + offsetMs))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Submit the form posting to `action` by its button; the response must not be an error summary. */
async function submit(page, action, buttonName) {
  const form = page.locator(`form[action="${action}"]`);
  const button = buttonName ? form.getByRole('button', { name: buttonName }) : form.locator('button[type=submit]');
  const response = await go(page, () => button.click());
  const problems = await errorSummary(page);
  assert.equal(problems, '', `${action}: the form was refused: ${problems}`);
  assert.ok(response && response.status() < 400, `${action}: ${await where(page, response)}`);
}

/**
 * Type a moment ("YYYY-MM-DDTHH:MM") into the focused datetime-local field, segment by
 * segment as a keyboard user does. The segments' order follows the browser's own
 * language, not the page's: Debian's Chromium shows mm/dd/yyyy, hh:mm AM/PM; a Dutch
 * one dd-mm-jjjj uu:mm. The American order is tried first, then the Dutch one.
 */
async function typeDateTime(page, when) {
  const [date, time] = when.split('T');
  const [y, mo, d] = date.split('-');
  const [h, mi] = time.split(':').map(Number);
  const two = (n) => String(n).padStart(2, '0');
  const value = () => page.evaluate(() => document.activeElement.value);
  // Typing two digits fills a segment and moves on; the year takes up to six, so an
  // arrow moves on from it.
  await page.keyboard.type(`${mo}${d}${y}`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.type(`${two(h % 12 || 12)}${two(mi)}${h < 12 ? 'A' : 'P'}`);
  if ((await value()) === when) return;
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type(`${d}${mo}${y}`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.type(`${two(h)}${two(mi)}`);
}

describe('Weerbaar: een melding van begin tot eind', () => {
  let server;
  let browser;
  let shots;
  const open = []; // contexts and watchers to close
  /** Accessibility violations per step, collected so that the flow goes on. */
  const state = { setUp: false, peopleAdded: false, caseId: null, caseNumber: null, keyboardCaseId: null };

  before(async () => {
    server = await startServer();
    browser = await launch();
    shots = process.env.SCREENSHOT_DIR || (await mkdtemp(path.join(os.tmpdir(), 'weerbaar-flow-')));
  });

  after(async () => {
    for (const thing of open.reverse()) await thing.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    if (!process.env.SCREENSHOT_DIR && shots) await rm(shots, { recursive: true, force: true });
  });

  /**
   * A person's browser: a context with the CSP enforced, a page, and look(label), which
   * takes a screenshot and checks the page with axe. Violations are collected (the flow
   * goes on) and fail the step at its end through done().
   */
  async function person(prefix, options) {
    const context = await newContext(browser, options);
    // A step that cannot go on fails within seconds instead of Playwright's 30.
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(10_000);
    const page = await context.newPage();
    const check = await watcher(browser, page, { options, dir: shots, prefix: `${prefix}-` });
    open.push(context, check);
    const violations = [];
    const look = async (label) => {
      try {
        await check(label);
      } catch (err) {
        violations.push(err.message);
      }
    };
    const done = () => {
      assert.deepEqual(check.consoleErrors, [], 'no console errors (a CSP violation shows up here)');
      assert.equal(violations.length, 0, `accessibility:\n${violations.join('\n\n')}`);
    };
    return { context, page, look, done, violations };
  }

  let adminBrowser;
  let raadslidPhone;

  test('a. setup: the code, Gemeente Westerveld with the Westerveld protocol, the administrator with a second factor and recovery codes', async () => {
    const me = (adminBrowser = await person('a', DESKTOP));
    const { page, look } = me;
    const code = await server.waitForSetupCode();
    assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);

    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    assert.equal(pathOf(page), '/inrichten', 'a fresh register sends the first visitor to setup');
    await look('inrichten');

    await page.fill('#code', code);
    await page.fill('#organisation', ORGANISATION);
    await page.check('#protocol-westerveld');
    await page.fill('#name', ADMIN.name);
    await page.fill('#email', ADMIN.email);
    await page.selectOption('#role', ADMIN.role);
    await page.fill('#password', ADMIN.password);
    await page.fill('#password_again', ADMIN.password);
    const response = await go(page, () => page.getByRole('button', { name: 'Inrichten' }).click());
    assert.equal(await errorSummary(page), '');
    assert.equal(pathOf(page), '/aanmelden/tweede-factor', `setup goes on to the second factor; ${await where(page, response)}`);
    assert.ok(await page.locator('.wb-qr svg[role=img][aria-label]').count(), 'a QR code with a name');

    const { secret, codes } = await enrol(page, ADMIN.email, { onPage: look });
    assert.ok(secret);
    assert.ok(codes.length >= 5, `recovery codes shown (${codes.length})`);
    assert.equal(new Set(codes).size, codes.length, 'the recovery codes differ');

    assert.equal(pathOf(page), '/');
    assert.match(await page.locator('h1').innerText(), new RegExp(`Welkom, ${ADMIN.name}`));
    assert.match(await page.locator('.wb-who').innerText(), new RegExp(ORGANISATION));
    await look('start beheerder');

    // Setup is done: the setup page is closed.
    const again = await browser.newContext();
    const other = await again.newPage();
    await other.goto(`${server.url}/inrichten`, { waitUntil: 'load' });
    assert.equal(pathOf(other), '/aanmelden', 'after setup /inrichten sends to the sign-in page');
    await again.close();
    state.setUp = true;
    me.done();
  });

  test('b. the administrator adds a raadslid, a griffier and the burgemeester with initial passwords', async () => {
    assert.ok(state.setUp, 'step a set up the register and its administrator');
    const { page, look } = adminBrowser;
    for (const who of [RAADSLID, GRIFFIER, BURGEMEESTER]) {
      await addPerson(page, look, who);
    }
    state.peopleAdded = true;
    adminBrowser.done();
  });

  test('c. the raadslid reports a threat on a phone, with a screenshot as evidence, and sees what to do now', async () => {
    assert.ok(state.peopleAdded, 'step b added the raadslid');
    const me = (raadslidPhone = await person('c', PHONE));
    const { page, look } = me;
    const problems = [];
    await signIn(page, server.url, RAADSLID.email, RAADSLID.password, { onPage: look });
    assert.equal(pathOf(page), '/', `signed in (at ${page.url()})`);
    await look('start raadslid');

    await go(page, () => page.getByRole('link', { name: 'Een incident melden' }).click());
    assert.equal(pathOf(page), '/melden');
    await look('melden');
    const wide = await overflowing(page, PHONE.viewport.width);
    if (wide.length) problems.push(`/melden on a 375px phone: wider than the screen: ${wide.join(', ')}`);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'weerbaar-evidence-'));
    const png = path.join(dir, 'schermafbeelding.png');
    await writeFile(png, PNG_1X1);
    try {
      await page.check('#voor-zelf');
      await page.check('#b-dreigen_met_geweld');
      await page.fill('#narrative', NARRATIVE);
      await page.fill('#occurred_at', amsterdam(-DAY).replace(/T.*/, 'T20:15'));
      await page.selectOption('#channel', 'in_persoon');
      await page.fill('#place', 'Op straat bij het gemeentehuis');
      await page.selectOption('#perpetrator_kind', 'persoon');
      await page.fill('#p_description', 'Man van ongeveer vijftig, grijze jas, kaal.');
      await page.fill('#p_plate', 'XX-123-Y');
      await page.check('#criminal_offence_suspected');
      await page.setInputFiles('#evidence_file', png);
      await page.fill('#evidence_description', 'Schermafbeelding van zijn bericht achteraf');
      await submit(page, '/melden', 'Melding versturen');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const m = pathOf(page).match(/^\/melden\/([^/]+)\/ontvangen$/);
    assert.ok(m, `the confirmation page (at ${page.url()})`);
    state.caseId = m[1];
    assert.equal(new URL(page.url()).search, '', 'the evidence was kept (no ?bewijs=mislukt)');
    await look('melding ontvangen');
    const text = await page.locator('main').innerText();
    assert.match(text, /Uw melding is ontvangen/);
    const number = text.match(/Melding (\d+) is opgeslagen en staat bij de griffier/);
    assert.ok(number, `the confirmation names the number and the handler: ${text.slice(0, 300)}`);
    state.caseNumber = Number(number[1]);
    assert.match(text, /Wat u nu kunt doen/);
    assert.match(text, /Bedreiging, intimidatie/);
    assert.ok((await page.locator('main h2:has-text("Wat u nu kunt doen") + p + ul li, main h2:has-text("Wat u nu kunt doen") + ul li').count()) > 0, 'steps to take now');
    assert.match(text, /Steun en contact/);
    assert.match(text, /Slachtofferhulp Nederland/);
    assert.ok(await page.locator('a[href^="tel:"]').count(), 'contacts with a phone number to call');
    assert.doesNotMatch(text, /Het bewijs kon niet bij de melding worden bewaard/);
    assert.deepEqual(await overflowing(page, PHONE.viewport.width), [], 'the confirmation fits a 375px phone');
    me.done();
    assert.deepEqual(problems, [], 'the report form fits a phone');
  });

  test('the report form sent empty shows an error summary that passes axe and links to the fields', async () => {
    assert.ok(raadslidPhone && state.caseId, 'step c signed the raadslid in');
    const { page, look, violations } = raadslidPhone;
    const before = violations.length;
    await page.goto(`${server.url}/melden`, { waitUntil: 'load' });
    await go(page, () => page.getByRole('button', { name: 'Melding versturen' }).click());
    assert.equal(pathOf(page), '/melden', 'the form comes back');
    const summary = page.locator('.wb-error-summary');
    assert.equal(await summary.count(), 1, 'an error summary');
    assert.equal(await summary.getAttribute('role'), 'alert');
    await look('melden met fouten');
    const links = await summary.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
    assert.ok(links.length >= 3, `errors for behaviour, narrative and time (${JSON.stringify(links)})`);
    const hrefs = links.map(([href]) => href);
    for (const field of ['#behaviours', '#narrative', '#occurred_at']) {
      assert.ok(hrefs.includes(field), `the summary links to ${field}: ${JSON.stringify(links)}`);
    }
    for (const [href, message] of links) {
      assert.match(href, /^#[\w-]+$/, `${message}: a link to a field`);
      const target = page.locator(href);
      assert.equal(await target.count(), 1, `${href} exists once on the page`);
      const tag = await target.evaluate((el) => el.tagName.toLowerCase());
      assert.ok(['input', 'textarea', 'select', 'fieldset'].includes(tag), `${href} is a field (${tag})`);
      if (tag !== 'fieldset') {
        assert.equal(await target.getAttribute('aria-invalid'), 'true', `${href} is marked invalid`);
        const described = (await target.getAttribute('aria-describedby')) ?? '';
        assert.match(described, new RegExp(`${href.slice(1)}-fout`), `${href} is described by its message`);
      }
    }
    // Following a link of the summary brings the field into view.
    await page.locator('.wb-error-summary a[href="#narrative"]').click();
    assert.equal(new URL(page.url()).hash, '#narrative');
    assert.ok(await page.locator('#narrative').isVisible());
    const inView = await page
      .waitForFunction(() => {
        const r = document.getElementById('narrative').getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      }, null, { timeout: 2_000 })
      .then(() => true, () => false);
    if (!inView) {
      const where = await page.evaluate(() => ({ top: document.getElementById('narrative').getBoundingClientRect().top, scrollY, innerHeight }));
      await page.screenshot({ path: path.join(shots, 'c-error-link-not-in-view.png') });
      assert.fail(`the narrative field is not scrolled into view: ${JSON.stringify(where)}`);
    }
    assert.equal(violations.length, before, `accessibility:\n${violations.slice(before).join('\n\n')}`);
  });

  test('d. keyboard only: a second report made with Tab, Space, Enter and typing arrives', async () => {
    assert.ok(state.peopleAdded, 'step b added the raadslid');
    const me = await person('d', DESKTOP);
    const { page, look } = me;
    await signIn(page, server.url, RAADSLID.email, RAADSLID.password, { onPage: look });
    assert.equal(pathOf(page), '/');
    await look('start');

    // From here on only the keyboard.
    await tabTo(page, 'a[href="/melden"]');
    await go(page, () => page.keyboard.press('Enter'));
    assert.equal(pathOf(page), '/melden');
    await look('melden (toetsenbord)');

    await tabTo(page, '#b-intimidatie');
    await page.keyboard.press('Space');
    assert.ok(await page.locator('#b-intimidatie').isChecked(), 'Space ticks the checkbox');

    await tabTo(page, '#narrative');
    await page.keyboard.type(KEYBOARD_NARRATIVE);

    await tabTo(page, '#occurred_at');
    const when = amsterdam(-2 * DAY).replace(/T.*/, 'T09:30');
    await typeDateTime(page, when);
    assert.equal(await page.locator('#occurred_at').inputValue(), when, 'the moment typed into the date-time field');

    await tabTo(page, '#channel');
    await page.keyboard.press('ArrowDown'); // In persoon → Telefoon
    assert.equal(await page.locator('#channel').inputValue(), 'telefoon');

    await tabTo(page, 'form[action="/melden"] button[type=submit]');
    await go(page, () => page.keyboard.press('Enter'));
    assert.equal(await errorSummary(page), '');
    const m = pathOf(page).match(/^\/melden\/([^/]+)\/ontvangen$/);
    assert.ok(m, `the keyboard report arrives (at ${page.url()})`);
    state.keyboardCaseId = m[1];
    assert.notEqual(state.keyboardCaseId, state.caseId);
    assert.match(await page.locator('h1').innerText(), /Uw melding is ontvangen/);
    await look('melding ontvangen (toetsenbord)');
    me.done();
  });

  test('e. the griffier enrols a second factor, sees the report with deadlines, plans and holds aftercare, and decides a written warning', async () => {
    assert.ok(state.caseId, 'step c made the report');
    const me = await person('e', DESKTOP);
    const { page, look } = me;
    const { codes } = await signIn(page, server.url, GRIFFIER.email, GRIFFIER.password, { onPage: look });
    assert.ok(codes.length > 0, 'a handler must enrol a second factor, and sees recovery codes');
    assert.equal(pathOf(page), '/');
    await look('start griffier');

    await go(page, () => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Werkbak' }).click());
    assert.equal(pathOf(page), '/werkbak');
    await look('werkbak');
    const newReports = page.getByRole('region', { name: 'Nieuwe meldingen' });
    assert.ok(await newReports.locator(`a[href="/zaken/${state.caseId}"]`).count(), 'the report is among the new reports');
    const tasks = page.getByRole('region', { name: 'Taken' });
    const taskRows = tasks.locator('tbody tr', { has: page.locator(`a[href="/zaken/${state.caseId}"]`) });
    assert.ok((await taskRows.count()) > 0, "the report's tasks are in the inbox");
    const deadlines = await taskRows.locator('td:first-child').allInnerTexts();
    assert.ok(deadlines.some((d) => /uiterlijk|tussen/.test(d)), `tasks with deadlines: ${JSON.stringify(deadlines)}`);
    assert.ok(deadlines.some((d) => /uiterlijk \S+ \d+ \S+ \d{4}/.test(d)), `a deadline as "uiterlijk <day>": ${JSON.stringify(deadlines)}`);

    await go(page, () => newReports.locator(`a[href="/zaken/${state.caseId}"]`).click());
    assert.equal(pathOf(page), `/zaken/${state.caseId}`);
    await look('zaak');
    const kern = await page.locator('#kern').innerText();
    assert.match(kern, new RegExp(NARRATIVE.replace(/\./g, '\\.')), 'the handler reads the narrative');
    assert.match(kern, /XX-123-Y/, 'and the licence plate');

    // The first aftercare conversation: planned an hour ago, with the griffier herself.
    await page.selectOption('#nazorg_gesprek', 'eerste');
    await page.fill('#nazorg_op', amsterdam(-HOUR));
    await page.selectOption('#nazorg_door', { label: 'Ikzelf' });
    await submit(page, `/zaken/${state.caseId}/nazorg`, 'Gesprek plannen');
    assert.equal(pathOf(page), `/zaken/${state.caseId}`);
    await look('zaak: nazorg gepland');
    const heldForm = page.locator(`form[action="/zaken/${state.caseId}/nazorg-gehouden"]`);
    assert.equal(await heldForm.count(), 1, 'the planned conversation can be recorded as held');
    const item = await heldForm.locator('input[name=item]').inputValue();
    await page.fill(`#gehouden_${item}`, amsterdam(-30 * 60_000));
    await page.fill(`#verwijzing_${item}`, 'Slachtofferhulp');
    await page.fill(`#aantekeningen_${item}`, 'Geschrokken, slaapt slecht; tweede gesprek over vier weken.');
    await submit(page, `/zaken/${state.caseId}/nazorg-gehouden`, 'Gesprek vastleggen');
    await look('zaak: nazorg gehouden');
    const aftercare = await page.locator('#nazorg').innerText();
    assert.match(aftercare, /Eerste nazorggesprek/);
    assert.equal(await page.locator(`form[action="/zaken/${state.caseId}/nazorg-gehouden"]`).count(), 0, 'held: no form to hold it again');

    // A written warning to the perpetrator, from today.
    await page.selectOption('#maatregel_soort', 'schriftelijke_waarschuwing');
    await page.fill('#maatregel_vanaf', amsterdam().slice(0, 10));
    await page.fill('#maatregel_toelichting', 'Brief van de burgemeester aan de man met de grijze jas.');
    await submit(page, `/zaken/${state.caseId}/maatregel`, 'Maatregel vastleggen');
    await look('zaak: maatregel');
    assert.match(await page.locator('#maatregelen').innerText(), /Schriftelijke waarschuwing/);

    // The evidence the raadslid sent from the phone, and the dossier for the police.
    await go(page, () => page.locator('nav.wb-toc').getByRole('link', { name: 'Bewijs' }).click());
    assert.equal(pathOf(page), `/zaken/${state.caseId}/bewijs`);
    await look('bewijs');
    const evidence = await page.locator('main').innerText();
    assert.match(evidence, /schermafbeelding\.png|Schermafbeelding van zijn bericht/, 'the screenshot is listed');
    await go(page, () => page.getByRole('link', { name: /Terug naar melding/ }).click());
    await go(page, () => page.locator('nav.wb-toc').getByRole('link', { name: 'Dossier voor de politie' }).click());
    assert.equal(pathOf(page), `/zaken/${state.caseId}/dossier`);
    await look('dossier voor de politie');
    assert.match(await page.locator('main').innerText(), /XX-123-Y/);
    me.done();
  });

  test('f. the burgemeester sees that it happened, its category and status, and never the narrative', async () => {
    assert.ok(state.caseId, 'step c made the report');
    const me = await person('f', DESKTOP);
    const { page, look } = me;
    await signIn(page, server.url, BURGEMEESTER.email, BURGEMEESTER.password, { onPage: look });
    assert.equal(pathOf(page), '/');
    await look('start burgemeester');
    const seen = [];
    const noNarrative = async (what) => {
      const html = await page.content();
      seen.push(`${what} → ${pathOf(page)}`);
      assert.ok(!html.includes(NARRATIVE), `${what}: the narrative is not on the page`);
      assert.ok(!html.includes('opwachten'), `${what}: not even a piece of it`);
      assert.ok(!html.includes('XX-123-Y'), `${what}: nor the licence plate`);
    };
    await noNarrative('start');

    await go(page, () => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Geïnformeerd' }).click());
    assert.equal(pathOf(page), '/overzicht');
    await look('overzicht');
    await noNarrative('overzicht');
    const row = page.locator('tbody tr', { has: page.locator(`a[href="/overzicht/${state.caseId}"]`) });
    assert.equal(await row.count(), 1, 'the report is in the overview');
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[2], 'Bedreiging, intimidatie', `the category (${JSON.stringify(cells)})`);
    assert.ok(cells[4].length > 0, `a status (${JSON.stringify(cells)})`);

    await go(page, () => row.locator('a').click());
    assert.equal(pathOf(page), `/overzicht/${state.caseId}`);
    await look('overzicht melding');
    await noNarrative('overzicht melding');
    const summary = await page.locator('main').innerText();
    assert.match(summary, /Bedreiging, intimidatie/);
    assert.match(summary, /Stand/);
    assert.match(summary, /De inhoud van de melding ziet u alleen als de behandelaar u daarvoor toegang geeft/);

    // Every other page that could show the case: a 404 page or the summary.
    const tries = [
      `/zaken/${state.caseId}`,
      `/zaken/${state.caseId}/bewijs`,
      `/zaken/${state.caseId}/dossier`,
      `/mijn-meldingen/${state.caseId}`,
      `/melden/${state.caseId}/ontvangen`,
      '/mijn-meldingen',
      '/werkbak',
    ];
    for (const url of tries) {
      const response = await page.goto(`${server.url}${url}`, { waitUntil: 'load' });
      const status = response.status();
      const landed = pathOf(page);
      await look(`burgemeester ${url.replace(state.caseId, 'id')}`);
      await noNarrative(url);
      if (url === `/zaken/${state.caseId}`) {
        assert.ok(
          status === 404 || landed === `/overzicht/${state.caseId}`,
          `${url}: a 404 page or the summary (status ${status} at ${landed})`,
        );
      } else if (url.includes(state.caseId)) {
        assert.ok(
          status === 404 || status === 403 || landed === `/overzicht/${state.caseId}`,
          `${url}: no content for the burgemeester (status ${status} at ${landed})`,
        );
      }
    }
    me.done();
  });

  test('g. the raadslid sees on the phone the aftercare and who opened the file', async () => {
    assert.ok(raadslidPhone && state.caseId, 'steps c and e ran');
    const { page, look, done } = raadslidPhone;
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    await go(page, () => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn meldingen' }).click());
    assert.equal(pathOf(page), '/mijn-meldingen');
    await look('mijn meldingen');
    await go(page, () => page.locator(`a[href="/mijn-meldingen/${state.caseId}"]`).click());
    assert.equal(pathOf(page), `/mijn-meldingen/${state.caseId}`);
    await look('mijn melding');

    const text = await page.locator('main').innerText();
    assert.match(text, /Eerste nazorggesprek: [^\n]*\d{4}, \d{2}:\d{2}[^\n]*met Gerda Bos[^\n]*\(gehouden op [^)]*\d{2}:\d{2}\)/, `the aftercare conversation, held:\n${text}`);

    const log = page.getByRole('region', { name: 'Wie heeft uw dossier geopend' });
    assert.equal(await log.count(), 1, 'the access log');
    const rows = await log.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    );
    const by = (name) => rows.filter((r) => r[1] === name);
    const dated = /^\S+ \d{1,2} \S+ \d{4}, \d{2}:\d{2}$/;
    assert.ok(by(GRIFFIER.name).length > 0, `the griffier is in the access log: ${JSON.stringify(rows)}`);
    assert.ok(by(BURGEMEESTER.name).length > 0, `the burgemeester is in the access log: ${JSON.stringify(rows)}`);
    for (const r of [...by(GRIFFIER.name), ...by(BURGEMEESTER.name)]) {
      assert.match(r[0], dated, `a date with each line: ${JSON.stringify(r)}`);
    }
    assert.ok(by(BURGEMEESTER.name).every((r) => /samenvatting/.test(r[3])), `the burgemeester read only the summary: ${JSON.stringify(by(BURGEMEESTER.name))}`);
    const wide = await overflowing(page, PHONE.viewport.width);
    assert.deepEqual(wide, [], `/mijn-meldingen/{id} fits a 375px phone`);
    done();
  });

  /** Step b's work: a person with a role and an initial password, added in /beheer. */
  async function addPerson(page, look, who) {
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    await go(page, () => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Beheer' }).click());
    assert.equal(pathOf(page), '/beheer');
    await look('beheer');
    await go(page, () => page.locator('main a[href="/beheer/personen"]').click());
    assert.equal(pathOf(page), '/beheer/personen');
    await look('personen');
    await go(page, () => page.getByRole('link', { name: 'Persoon toevoegen' }).click());
    assert.equal(pathOf(page), '/beheer/personen/nieuw');
    await look(`persoon toevoegen (${who.role})`);
    await page.fill('#name', who.name);
    await page.fill('#email', who.email);
    await page.selectOption(`#role_${who.role}`, 'huidig');
    await page.fill('#password', who.password);
    await page.fill('#password_again', who.password);
    await submit(page, '/beheer/personen/nieuw', 'Persoon toevoegen');
    assert.match(pathOf(page), /^\/beheer\/personen\/[^/]+$/, `the new person's page (at ${page.url()})`);
    await look(`persoon toegevoegd (${who.role})`);
    const text = await page.locator('main').innerText();
    assert.match(text, /De persoon is toegevoegd/);
    assert.match(text, new RegExp(who.name));
    assert.match(text, new RegExp(who.email.replace(/\./g, '\\.')));
  }
});

