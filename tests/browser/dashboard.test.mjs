// The dashboard for who handles and follows cases (/inzicht, issue 12), walked in the
// browser against the real weerbaar binary on a fresh data folder: a raadslid reports
// seven incidents through the API (five insults on social media, two threats in person)
// and has no way in; the griffier reads the dashboard on a desktop, agrees an
// improvement action in a case's evaluation (after a mistake named at its field), sees
// it on the dashboard and marks it done; the burgemeester reads it on a phone (390 px)
// and chooses a month; the adviseur VPT sees small cells and no names; the
// administrator is refused.
//
// Every page shown is checked with axe (WCAG 2.0/2.1 A and AA) through watcher() in
// lib.mjs, and the phone's pages against its width.

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
const PHONE_WIDTH = 390;
const PHONE = { viewport: { width: PHONE_WIDTH, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 900 } };

const ADMIN = { name: 'Anne de Vries', email: 'beheer@westerveld.example', role: 'ambtenaar', password: 'de eerste beheerder richt alles in' };
const RAADSLID = { name: 'Rik Jansen', email: 'r.jansen@westerveld.example', role: 'raadslid', password: 'raadslid met een lang wachtwoord' };
const GRIFFIER = { name: 'Gerda Bos', email: 'griffie@westerveld.example', role: 'griffier', password: 'de griffier behandelt de meldingen' };
const BURGEMEESTER = { name: 'Bert Mulder', email: 'bm@westerveld.example', role: 'burgemeester', password: 'de burgemeester kijkt mee op zijn telefoon' };
const ADVISEUR = { name: 'Vera Smit', email: 'vpt@westerveld.example', role: 'adviseur_vpt', password: 'de adviseur wordt over alles geinformeerd' };

/** Today and `days` later in Dutch time, as "YYYY-MM-DD". */
function amsterdamDate(days = 0) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + days * 86_400_000),
  );
}

/** The current quarter's key, as the chooser writes it: "2026-K4". */
function thisQuarter() {
  const [year, month] = amsterdamDate().split('-').map(Number);
  return `${year}-K${Math.floor((month - 1) / 3) + 1}`;
}

describe('Weerbaar: inzicht voor wie meldingen behandelt', () => {
  let server;
  let browser;
  let shots;
  const open = [];
  const state = { peopleAdded: false, cases: [] };

  before(async () => {
    server = await startServer();
    browser = await launch();
    shots = process.env.SCREENSHOT_DIR || (await mkdtemp(path.join(os.tmpdir(), 'weerbaar-dashboard-')));
  });

  after(async () => {
    for (const thing of open.reverse()) await thing.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    if (!process.env.SCREENSHOT_DIR && shots) await rm(shots, { recursive: true, force: true });
  });

  /** A person's browser; look(label) checks with axe (and the width on a phone). */
  async function person(prefix, options) {
    const context = await newContext(browser, options);
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(10_000);
    const page = await context.newPage();
    const check = await watcher(browser, page, { options, dir: shots, prefix: `d${prefix}-` });
    open.push(context, check);
    const problems = [];
    const phone = options.viewport.width <= PHONE_WIDTH;
    const look = async (label) => {
      try {
        await check(label);
      } catch (err) {
        problems.push(err.message);
      }
      if (phone) {
        const wide = await overflowing(page, PHONE_WIDTH);
        if (wide.length) problems.push(`${label} (${pathOf(page)}) on a ${PHONE_WIDTH}px phone: wider than the screen: ${wide.join(', ')}`);
      }
    };
    const done = () => {
      const errors = check.consoleErrors.splice(0);
      const found = problems.splice(0);
      assert.deepEqual(errors, [], 'no console errors (a CSP violation shows up here)');
      assert.equal(found.length, 0, `accessibility and width:\n${found.join('\n\n')}`);
    };
    return { page, look, done };
  }

  const menuLink = (page) => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Inzicht' });

  async function refused(page, look, label) {
    const response = await page.goto(`${server.url}/inzicht`, { waitUntil: 'load' });
    assert.equal(response.status(), 403, `${label}: ${await where(page, response)}`);
    assert.ok(!(await page.content()).includes('incidenten gemeld'), `${label}: no figures on the refusal`);
    await look(`${label}: geen toegang`);
  }

  test('a. setup: the register, its administrator (no dashboard for her) and the people', async () => {
    const me = await person('a', DESKTOP);
    const { page, look } = me;
    await setUpRegister(page, server, ORGANISATION, ADMIN, { onPage: look });
    assert.equal(await menuLink(page).count(), 0, 'the administrator has no link');
    for (const who of [RAADSLID, GRIFFIER, BURGEMEESTER, ADVISEUR]) await addPerson(page, server.url, who);
    state.peopleAdded = true;
    await refused(page, look, 'beheerder');
    me.done();
  });

  test('b. the raadslid reports seven incidents through the API and has no way in', async () => {
    assert.ok(state.peopleAdded, 'step a added the people');
    const me = await person('b', PHONE);
    const { page, look } = me;
    await signIn(page, server.url, RAADSLID.email, RAADSLID.password, { onPage: look });
    assert.equal(await menuLink(page).count(), 0, 'the raadslid has no link');
    await page.goto(`${server.url}/instellingen/tokens`, { waitUntil: 'load' });
    await page.getByLabel('Naam', { exact: true }).fill('Meldingen uit de app');
    await page.getByRole('group', { name: 'Wat mag de sleutel?' }).getByLabel('Lezen en handelen', { exact: true }).check();
    await go(page, () => page.getByRole('button', { name: 'Sleutel maken' }).click());
    const token = ((await page.locator('#nieuwe-sleutel').innerText()).match(/wbr_[A-Za-z0-9_-]{20,}/) ?? [])[0];
    assert.ok(token, 'a key is made');
    const reports = [
      ...Array.from({ length: 5 }, () => ['schelden', 'sociale_media']),
      ['dreigen_met_geweld', 'in_persoon'],
      ['dreigen_met_geweld', 'in_persoon'],
    ];
    for (const [i, [behaviour, channel]] of reports.entries()) {
      const answer = await fetch(`${server.url}/api/v1/reports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          behaviours: [behaviour],
          occurred_at: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
          channel,
          narrative: `Wat er gebeurde (${i + 1}).`,
        }),
      });
      const text = await answer.text();
      assert.equal(answer.status, 201, `report ${i + 1}: ${text}`);
      state.cases.push(JSON.parse(text).id);
    }
    await refused(page, look, 'raadslid');
    me.done();
  });

  test('c. the griffier reads the dashboard on a desktop and agrees an improvement action that stays until done', async () => {
    assert.equal(state.cases.length, 7, 'step b made seven reports');
    const me = await person('c', DESKTOP);
    const { page, look, done } = me;
    await signIn(page, server.url, GRIFFIER.email, GRIFFIER.password, { onPage: look });
    await go(page, () => menuLink(page).click());
    assert.equal(pathOf(page), '/inzicht');
    assert.match(await page.locator('h1').innerText(), /^Inzicht: \de kwartaal \d{4}$/);
    assert.equal(await page.getByLabel('Periode', { exact: true }).inputValue(), thisQuarter(), 'the chooser starts on this quarter');
    const main = await page.locator('main').innerText();
    assert.match(main, /Dit kwartaal zijn 7 incidenten gemeld\./);
    assert.match(main, /Griffier \(Gerda Bos\)/, 'the handler by name');
    assert.match(main, /Er staan geen verbeteracties open\./);
    assert.ok(!main.includes('<5'), 'exact numbers for who handles');
    assert.ok(await page.getByRole('link', { name: 'jaarverslag' }).count(), 'a link to the yearly report');
    // Every figure: a caption, a chart that is a named image, and a table.
    const figures = page.locator('main figure');
    assert.ok((await figures.count()) >= 5);
    for (let i = 0; i < (await figures.count()); i += 1) {
      const figure = figures.nth(i);
      assert.equal(await figure.getByRole('img').count(), 1);
      assert.equal(await figure.getByRole('table').count(), 1);
      assert.ok(!(await figure.innerHTML()).includes('style='), 'no style attributes');
    }
    await look('inzicht griffier');

    // An improvement action in the evaluation of the first case; first with a mistake.
    const caseId = state.cases[0];
    await page.goto(`${server.url}/zaken/${caseId}`, { waitUntil: 'load' });
    await look('melding met evaluatieformulier');
    const evaluate = page.locator(`form[action="/zaken/${caseId}/evaluatie"]`);
    assert.equal(await evaluate.getByLabel('Risico').inputValue(), '', 'nothing chosen for the handler');
    await evaluate.getByLabel('Risico').selectOption('midden');
    await evaluate.getByLabel('Oorzaak').fill('Een besluit over de woonwijk.');
    await evaluate.locator('#actie_1_wat').fill('Camera bij de balie van het gemeentehuis');
    await go(page, () => evaluate.getByRole('button', { name: 'Vastleggen' }).click());
    assert.match(await errorSummary(page), /Kies bij verbeteractie 1 wie het doet\./);
    assert.match(await errorSummary(page), /Vul bij verbeteractie 1 in wanneer het klaar moet zijn\./);
    await look('evaluatie met fout');
    const again = page.locator(`form[action="/zaken/${caseId}/evaluatie"]`);
    assert.equal(await again.locator('#actie_1_wat').inputValue(), 'Camera bij de balie van het gemeentehuis', 'what was typed stays');
    await again.getByLabel('Risico').selectOption('midden');
    await again.getByLabel('Oorzaak').fill('Een besluit over de woonwijk.');
    await again.locator('#actie_1_wie').selectOption({ label: 'Bert Mulder (burgemeester)' });
    await again.locator('#actie_1_datum').fill(amsterdamDate(30));
    await go(page, () => again.getByRole('button', { name: 'Vastleggen' }).click());
    assert.equal(await errorSummary(page), '');
    assert.equal(pathOf(page), `/zaken/${caseId}`);
    assert.match(await page.locator('#taken').innerText(), /Verbeteractie: Camera bij de balie van het gemeentehuis/);
    await look('melding met verbeteractie');

    await go(page, () => menuLink(page).click());
    const actions = page.getByRole('table', { name: 'Open verbeteracties' });
    assert.match(await actions.innerText(), /Melding 1\s+Bert Mulder/);
    assert.ok(!(await page.locator('main').innerText()).includes('Camera bij de balie'), 'what the action says stays in the case');
    await look('inzicht met verbeteractie');

    // Done like any task: it leaves the dashboard.
    await page.goto(`${server.url}/zaken/${caseId}`, { waitUntil: 'load' });
    const task = page.locator(`form[action="/zaken/${caseId}/taak"]`);
    await task.getByLabel('Taak', { exact: true }).selectOption({ label: 'Verbeteractie: Camera bij de balie van het gemeentehuis' });
    await go(page, () => task.getByRole('button', { name: 'Afgerond' }).click());
    await go(page, () => menuLink(page).click());
    assert.match(await page.locator('main').innerText(), /Er staan geen verbeteracties open\./);

    // A period that is none: named at the field.
    const wrong = await page.goto(`${server.url}/inzicht?periode=2026-K9`, { waitUntil: 'load' });
    assert.equal(wrong.status(), 422);
    assert.match(await errorSummary(page), /Kies een maand, kwartaal of jaar uit de lijst\./);
    await look('inzicht: foute periode');
    done();
  });

  test('d. the burgemeester reads it on a phone and chooses this month', async () => {
    const me = await person('d', PHONE);
    const { page, look, done } = me;
    await signIn(page, server.url, BURGEMEESTER.email, BURGEMEESTER.password, { onPage: look });
    await page.goto(`${server.url}/inzicht`, { waitUntil: 'load' });
    await look('inzicht op een telefoon');
    const month = amsterdamDate().slice(0, 7);
    await page.getByLabel('Periode', { exact: true }).selectOption(month);
    await go(page, () => page.getByRole('button', { name: 'Toon deze periode' }).click());
    assert.equal(new URL(page.url()).search, `?periode=${month}`);
    assert.match(await page.locator('main').innerText(), /Deze maand zijn 7 incidenten gemeld\./);
    await look('inzicht deze maand op een telefoon');
    const widths = await page.locator('svg.wb-chart').evaluateAll((svgs) => svgs.map((s) => s.getBoundingClientRect().right));
    assert.ok(widths.every((right) => right <= PHONE_WIDTH), `charts inside the screen: ${widths.join(', ')}`);
    done();
  });

  test('e. the adviseur VPT sees small cells, and no names or case numbers', async () => {
    const me = await person('e', PHONE);
    const { page, look, done } = me;
    await signIn(page, server.url, ADVISEUR.email, ADVISEUR.password, { onPage: look });
    await go(page, () => menuLink(page).click());
    const main = await page.locator('main').innerText();
    assert.match(main, /<5/);
    assert.ok(!main.includes('Gerda Bos'), 'no handler names');
    assert.ok(!main.includes('Melding 1'), 'no case numbers');
    assert.ok(!main.includes('Plegers met meer dan'), 'no repeat perpetrators');
    await look('inzicht adviseur');
    done();
  });
});
