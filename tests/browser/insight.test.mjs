// The yearly report for the council (/inzicht/jaarverslag, PROTOCOL.md §17), walked in
// the browser against the real weerbaar binary on a fresh data folder: a raadslid
// reports six incidents (one through the form on a phone, five through the API with a
// key made on the page), so that this year has numbers, some of them large enough for a
// bar; the griffier reads the report on a desktop, chooses the year with the selector
// and sees a mistaken year named; the adviseur VPT (informed of every incident) reads it
// on a phone; the raadslid and the administrator are refused (403), and have no link;
// the griffier writes the text of the yearly discussion, saves a draft, has a mistake
// named, makes it final and downloads the PDF.
//
// Every page shown is checked with axe (WCAG 2.0/2.1 A and AA) through watcher() in
// lib.mjs, and the phone's pages against a 375px screen.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  addPerson,
  errorSummary,
  go,
  launch,
  newContext,
  overflowing,
  pathOf,
  setUpRegister,
  signIn,
  startServer,
  watcher,
  where,
} from './lib.mjs';

const ORGANISATION = 'Gemeente Westerveld';
const PHONE_WIDTH = 375;
const PHONE = { viewport: { width: PHONE_WIDTH, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
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
const ADVISEUR = {
  name: 'Vera Smit',
  email: 'vpt@westerveld.example',
  role: 'adviseur_vpt',
  password: 'de adviseur wordt over alles geinformeerd',
};

/** This year in Dutch time, where the report counts an incident. */
function thisYear() {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', year: 'numeric' }).format(new Date()));
}

/** "YYYY-MM-DDTHH:MM" in Dutch time, `offsetMs` from now, as a datetime-local field holds it. */
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

/** The cells of a table's body rows, each row an object keyed by its column headers. */
async function tableRows(table) {
  return table.evaluate((t) => {
    const heads = [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return [...t.querySelectorAll('tbody tr')].map((tr) =>
      Object.fromEntries([...tr.querySelectorAll('td, th')].map((td, i) => [heads[i] || `#${i}`, td.textContent.trim()])),
    );
  });
}

describe('Weerbaar: het jaarverslag voor de raad', () => {
  let server;
  let browser;
  let shots;
  const open = [];
  const state = { peopleAdded: false, reported: 0 };
  const YEAR = thisYear();

  before(async () => {
    server = await startServer();
    browser = await launch();
    shots = process.env.SCREENSHOT_DIR || (await mkdtemp(path.join(os.tmpdir(), 'weerbaar-insight-')));
  });

  after(async () => {
    for (const thing of open.reverse()) await thing.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    if (!process.env.SCREENSHOT_DIR && shots) await rm(shots, { recursive: true, force: true });
  });

  /** A person's browser with the CSP enforced; look(label) checks with axe (and the width on a phone). */
  async function person(prefix, options) {
    const context = await newContext(browser, options);
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(10_000);
    const page = await context.newPage();
    const check = await watcher(browser, page, { options, dir: shots, prefix: `i${prefix}-` });
    open.push(context, check);
    const problems = [];
    const phone = options.viewport.width <= PHONE_WIDTH;
    const fits = async (label) => {
      const size = page.viewportSize();
      if (!phone) await page.setViewportSize({ width: PHONE_WIDTH, height: 667 });
      const wide = await overflowing(page, PHONE_WIDTH);
      if (!phone) await page.setViewportSize(size);
      if (wide.length) problems.push(`${label} (${pathOf(page)}) on a ${PHONE_WIDTH}px phone: wider than the screen: ${wide.join(', ')}`);
    };
    const look = async (label) => {
      try {
        await check(label);
      } catch (err) {
        problems.push(err.message);
      }
      if (phone) await fits(label);
    };
    const done = () => {
      const errors = check.consoleErrors.splice(0);
      const found = problems.splice(0);
      assert.deepEqual(errors, [], 'no console errors (a CSP violation shows up here)');
      assert.equal(found.length, 0, `accessibility and width:\n${found.join('\n\n')}`);
    };
    return { context, page, look, fits, done };
  }

  /** The menu's link to insight (the dashboard, which links to the report), if the person has one. */
  const menuLink = (page) => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Inzicht' });

  /** Opens the report's address directly and expects the refusal page. */
  async function refused(page, look, label) {
    const response = await page.goto(`${server.url}/inzicht/jaarverslag?jaar=${YEAR}`, { waitUntil: 'load' });
    assert.equal(response.status(), 403, `${label}: ${await where(page, response)}`);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Geen toegang');
    assert.ok(!(await page.content()).includes('incidenten gemeld'), `${label}: no figures on the refusal`);
    await look(`${label}: geen toegang`);
  }

  test('a. setup: the register, its administrator (no report for her), a raadslid, a griffier and the adviseur VPT', async () => {
    const me = await person('a', DESKTOP);
    const { page, look } = me;
    await setUpRegister(page, server, ORGANISATION, ADMIN, { onPage: look });
    await look('start beheerder');
    assert.equal(await menuLink(page).count(), 0, 'the administrator has no link to the report');
    for (const who of [RAADSLID, GRIFFIER, ADVISEUR]) await addPerson(page, server.url, who, { onPage: look });
    state.peopleAdded = true;
    await refused(page, look, 'beheerder');
    me.done();
  });

  test('b. the raadslid reports six incidents this year (one on the form, five through the API) and may not read the report', async () => {
    assert.ok(state.peopleAdded, 'step a added the people');
    const me = await person('b', PHONE);
    const { page, look } = me;
    await signIn(page, server.url, RAADSLID.email, RAADSLID.password, { onPage: look });
    await look('start raadslid');
    assert.equal(await menuLink(page).count(), 0, 'the raadslid has no link to the report');

    // One through the form, a few minutes ago (this year, unless the test runs in the
    // first minutes of 1 January).
    await page.goto(`${server.url}/melden`, { waitUntil: 'load' });
    await page.check('#voor-zelf');
    await page.check('#b-dreigen_met_geweld');
    await page.fill('#narrative', 'Hij riep dat hij mij zou opwachten na de raadsvergadering.');
    await page.fill('#occurred_at', amsterdam(-10 * 60_000));
    await page.selectOption('#channel', 'in_persoon');
    const response = await go(page, () => page.getByRole('button', { name: 'Melding versturen' }).click());
    assert.equal(await errorSummary(page), '', 'the report is accepted');
    assert.match(pathOf(page), /^\/melden\/[^/]+\/ontvangen$/, await where(page, response));
    state.reported += 1;

    // Five more through the API, with a key made on the page.
    await page.goto(`${server.url}/instellingen/tokens`, { waitUntil: 'load' });
    await page.getByLabel('Naam', { exact: true }).fill('Meldingen uit de app');
    await page.getByRole('group', { name: 'Wat mag de sleutel?' }).getByLabel('Lezen en handelen', { exact: true }).check();
    await go(page, () => page.getByRole('button', { name: 'Sleutel maken' }).click());
    const token = ((await page.locator('#nieuwe-sleutel').innerText()).match(/wbr_[A-Za-z0-9_-]{20,}/) ?? [])[0];
    assert.ok(token, 'a key is made');
    for (let i = 0; i < 5; i += 1) {
      const answer = await fetch(`${server.url}/api/v1/reports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          behaviours: ['schelden'],
          occurred_at: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
          channel: 'sociale_media',
          narrative: `Een scheldbericht onder een bericht van de fractie (${i + 1}).`,
        }),
      });
      assert.equal(answer.status, 201, `report ${i + 1}: ${await answer.text()}`);
      state.reported += 1;
    }

    // The raadslid's key may not read the figures either.
    const figures = await fetch(`${server.url}/api/v1/reports/yearly?year=${YEAR}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(figures.status, 403, 'the API refuses the raadslid too');
    await refused(page, look, 'raadslid');
    me.done();
  });

  test('c. the griffier reads the report on a desktop: last year first, then this year with the selector; a wrong year is named', async () => {
    assert.equal(state.reported, 6, 'step b made six reports');
    const me = await person('c', DESKTOP);
    const { page, look, fits, done } = me;
    await signIn(page, server.url, GRIFFIER.email, GRIFFIER.password, { onPage: look });
    await look('start griffier');
    assert.equal(await menuLink(page).count(), 1, 'the menu leads to insight');
    assert.equal(await page.locator('main').getByRole('link', { name: 'Jaarverslag' }).count(), 1, 'a card on the start page');

    await go(page, () => page.locator('main').getByRole('link', { name: 'Jaarverslag' }).click());
    assert.equal(pathOf(page), '/inzicht/jaarverslag');
    assert.equal(await page.locator('h1').innerText(), `Jaarverslag ${YEAR - 1}`, 'without a year: last year');
    assert.match(await page.locator('main').innerText(), new RegExp(`In ${YEAR - 1} zijn geen incidenten gemeld\\.`));
    await look('jaarverslag vorig jaar');

    // This year, with the labelled selector.
    const select = page.getByLabel('Jaar', { exact: true });
    assert.equal(await select.inputValue(), String(YEAR - 1));
    await select.selectOption(String(YEAR));
    await go(page, () => page.getByRole('button', { name: 'Toon dit jaar' }).click());
    assert.equal(new URL(page.url()).search, `?jaar=${YEAR}`);
    assert.equal(await page.locator('h1').innerText(), `Jaarverslag ${YEAR}`);
    const main = await page.locator('main').innerText();
    assert.match(main, new RegExp(`In ${YEAR} zijn 6 incidenten gemeld\\. Dat is meer dan in ${YEAR - 1} \\(0\\)\\.`));
    await look('jaarverslag dit jaar');
    await fits('jaarverslag dit jaar');

    // Ten figures, each with a caption, a one-sentence summary, a chart that is an image
    // with a name, and a table of the same numbers.
    const figures = page.locator('main figure');
    assert.equal(await figures.count(), 10);
    for (let i = 0; i < 10; i += 1) {
      const figure = figures.nth(i);
      const title = (await figure.locator('figcaption').innerText()).trim();
      assert.ok(title.length > 0, `figure ${i + 1} has a caption`);
      const chart = figure.getByRole('img');
      assert.equal(await chart.count(), 1, `${title}: one chart`);
      assert.match(await chart.evaluate((svg) => svg.querySelector('title').textContent), /De getallen staan ook in de tabel\./);
      assert.equal(await figure.getByRole('table').count(), 1, `${title}: a table`);
      assert.ok(!(await figure.innerHTML()).includes('style='), `${title}: no style attributes`);
    }

    // The channels: five by social media is a number with a bar; the one in person is
    // "<5", and then the five are hidden as "x" too (or 6 − 5 = 1): text, no bars.
    const channels = figures.filter({ has: page.getByRole('heading', { name: 'Naar kanaal' }) });
    const rows = await tableRows(channels.getByRole('table'));
    const row = (name) => rows.find((r) => r.Kanaal === name);
    assert.equal(row('In persoon')?.[String(YEAR)], '<5', JSON.stringify(rows));
    assert.equal(row('Sociale media')?.[String(YEAR)], 'x', JSON.stringify(rows));
    assert.equal(row('Sociale media')?.[String(YEAR - 1)], '0');
    assert.equal(await channels.locator('svg rect').count(), 0, 'no bar for <5 or x');
    assert.deepEqual(
      (await channels.locator('svg text.wb-chart__value').allTextContents()).filter((t) => t !== '0').sort(),
      ['<5', 'x'],
    );
    // The victim group: six against the raad, a number, so a bar labelled with it.
    const groups = figures.filter({ has: page.getByRole('heading', { name: 'Naar groep ambtsdragers' }) });
    assert.equal(await groups.locator('svg rect').count(), 1, 'one bar: the raad');
    assert.ok((await groups.locator('svg text.wb-chart__value').allTextContents()).includes('6'), 'the bar says its number');
    assert.match(await groups.locator('p').first().innerText(), /^Het hoogste aantal in \d{4}: gemeenteraad \(6\)\.$/);

    // A year that is no year: the selector's mistake, named at the field.
    const wrong = await page.goto(`${server.url}/inzicht/jaarverslag?jaar=tweeduizend`, { waitUntil: 'load' });
    assert.equal(wrong.status(), 422, await where(page, wrong));
    assert.match(await errorSummary(page), /Kies een jaar van 1900 tot en met 2999\./);
    assert.equal(await page.getByLabel('Jaar', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('main figure').count(), 0, 'no figures for a wrong year');
    await look('jaarverslag: fout jaar');
    done();
  });

  test('d. the adviseur VPT, informed of every incident, reads the report on a phone', async () => {
    assert.equal(state.reported, 6, 'step b made six reports');
    const me = await person('d', PHONE);
    const { page, look, done } = me;
    await signIn(page, server.url, ADVISEUR.email, ADVISEUR.password, { onPage: look });
    await look('start adviseur');
    await go(page, () => page.locator('main').getByRole('link', { name: 'Jaarverslag' }).click());
    assert.equal(pathOf(page), '/inzicht/jaarverslag');
    await page.getByLabel('Jaar', { exact: true }).selectOption(String(YEAR));
    await go(page, () => page.getByRole('button', { name: 'Toon dit jaar' }).click());
    assert.match(await page.locator('main').innerText(), new RegExp(`In ${YEAR} zijn 6 incidenten gemeld\\.`));
    await look('jaarverslag op een telefoon');
    // The charts fit the phone's width without scrolling sideways.
    const widths = await page.locator('svg.wb-chart').evaluateAll((svgs) => svgs.map((s) => s.getBoundingClientRect().right));
    assert.ok(widths.every((right) => right <= PHONE_WIDTH), `charts inside the screen: ${widths.join(', ')}`);
    // The adviseur reads the discussion but does not write it.
    assert.equal(await page.locator('#bespreking').count(), 1, 'the discussion section');
    assert.equal(await page.locator('textarea').count(), 0, 'no form for who does not handle cases');
    done();
  });

  test('e. the griffier writes the yearly discussion: a draft, a mistake named, then the final version and its PDF', async () => {
    assert.equal(state.reported, 6, 'step b made six reports');
    const me = await person('e', DESKTOP);
    const { page, look, fits, done } = me;
    await signIn(page, server.url, GRIFFIER.email, GRIFFIER.password, { onPage: look });
    await page.goto(`${server.url}/inzicht/jaarverslag?jaar=${YEAR}#bespreking`, { waitUntil: 'load' });
    const section = page.getByRole('region', { name: 'De jaarbespreking' });
    assert.equal(await section.count(), 1, 'a section named by its heading');
    await page.getByLabel("Dilemma's", { exact: true }).fill('Doen we aangifte als de pleger anoniem blijft op sociale media?');
    await page.getByLabel('Voorgestelde wijzigingen van het protocol', { exact: true }).fill('Het eerste nazorggesprek binnen 2 dagen.');
    await section.scrollIntoViewIfNeeded();
    await look('jaarbespreking: formulier ingevuld');
    await fits('jaarbespreking: formulier ingevuld');
    await go(page, () => page.getByRole('button', { name: 'Concept opslaan' }).click());
    assert.equal(new URL(page.url()).search, `?jaar=${YEAR}`);
    assert.match(await section.innerText(), /Het concept is het laatst opgeslagen op .* door Gerda Bos\./);
    assert.equal(
      await page.getByLabel("Dilemma's", { exact: true }).inputValue(),
      'Doen we aangifte als de pleger anoniem blijft op sociale media?',
      'the draft is back in the form',
    );
    await look('jaarbespreking: concept opgeslagen');

    // The concept as a PDF, downloaded with the session.
    const concept = await page.request.get(`${server.url}/inzicht/jaarverslag.pdf?jaar=${YEAR}`);
    assert.equal(concept.status(), 200);
    assert.equal(concept.headers()['content-type'], 'application/pdf');
    assert.match(concept.headers()['content-disposition'], new RegExp(`^attachment; filename="jaarverslag-gemeente-westerveld-${YEAR}\\.pdf"$`));
    assert.ok((await concept.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF');

    // A text that is too long: named at its field, the error summary on top.
    await page.getByLabel('Conclusies', { exact: true }).fill('x'.repeat(10_001));
    const refused = await go(page, () => page.getByRole('button', { name: 'Definitief maken' }).click());
    assert.equal(refused.status(), 422, await where(page, refused));
    assert.match(await errorSummary(page), /Conclusies: hoogstens 10\.000 tekens\. Nu zijn het er 10\.001\./);
    assert.equal(await page.getByLabel('Conclusies', { exact: true }).getAttribute('aria-invalid'), 'true');
    await look('jaarbespreking: te lange tekst');

    // Final.
    await page.getByLabel('Conclusies', { exact: true }).fill('Aangifte doen, ook als de pleger anoniem is.');
    await go(page, () => page.getByRole('button', { name: 'Definitief maken' }).click());
    assert.match(await section.innerText(), /Deze tekst is definitief gemaakt op .* door Gerda Bos\./);
    assert.equal(await page.locator('textarea').count(), 0, 'no form after the final version');
    assert.match(await section.innerText(), /Aangifte doen, ook als de pleger anoniem is\./);
    assert.equal(await section.getByRole('link', { name: 'Download de definitieve versie als pdf' }).count(), 1);
    await look('jaarbespreking: definitief');
    const final = await page.request.get(`${server.url}/inzicht/jaarverslag.pdf?jaar=${YEAR}`);
    assert.equal(final.status(), 200);
    done();
  });
});
