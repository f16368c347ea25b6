// The privacy officer's overview (/privacy, issue 14), walked in the browser against the
// real weerbaar binary on a fresh data folder: the administrator cannot make herself
// griffier (the reason at the roles), a raadslid reports through the API, the griffier
// opens the case, and the privacy officer, on a phone, finds in the menu who opened which
// case with which role, names a wrong case number at its field, and looks at one case;
// the griffier has no way in.
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
const FG = { name: 'Frits Gerritsen', email: 'fg@westerveld.example', role: 'ambtenaar', password: 'de privacyfunctionaris kijkt wie wat opende' };
const NARRATIVE = 'Hij stond bij de ingang van het gemeentehuis te schreeuwen.';

describe('Weerbaar: het privacy-overzicht van de privacyfunctionaris', () => {
  let server;
  let browser;
  let shots;
  const open = [];
  const state = { peopleAdded: false, caseId: null, caseNumber: null, read: false };

  before(async () => {
    server = await startServer();
    browser = await launch();
    shots = process.env.SCREENSHOT_DIR || (await mkdtemp(path.join(os.tmpdir(), 'weerbaar-privacy-')));
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
    const check = await watcher(browser, page, { options, dir: shots, prefix: `fg${prefix}-` });
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

  const menuLink = (page) => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Privacy' });

  test('a. setup: the administrator adds the people, makes Frits privacy officer, and cannot make herself griffier', async () => {
    const me = await person('a', DESKTOP);
    const { page, look } = me;
    await setUpRegister(page, server, ORGANISATION, ADMIN, { onPage: look });
    for (const who of [RAADSLID, GRIFFIER, FG]) await addPerson(page, server.url, who);
    // On Frits's page: the privacy duty.
    await page.getByLabel('Privacyfunctionaris (FG)').check();
    await go(page, () => page.getByRole('button', { name: 'Functies en taken opslaan' }).click());
    assert.equal(await errorSummary(page), '', 'the duty is saved');
    state.peopleAdded = true;
    assert.equal(await menuLink(page).count(), 0, 'the administrator has no link');
    const response = await page.goto(`${server.url}/privacy`, { waitUntil: 'load' });
    assert.equal(response.status(), 403, `administrator: ${await where(page, response)}`);
    await look('beheerder geen toegang');

    // Her own page: griffier beside her own role is refused, with the reason at the roles.
    await page.goto(`${server.url}/beheer/personen`, { waitUntil: 'load' });
    await go(page, () => page.getByRole('link', { name: ADMIN.name }).click());
    await page.selectOption('#role_griffier', 'huidig');
    await go(page, () => page.getByRole('button', { name: 'Functies en taken opslaan' }).click());
    assert.match(await errorSummary(page), /U kunt uzelf geen functie of taak geven\. Vraag dit aan een andere beheerder\./);
    assert.match(await page.locator('#roles').innerText(), /U kunt uzelf geen functie of taak geven/);
    await look('eigen functie geweigerd');
    me.done();
  });

  test('b. the raadslid reports through the API; the griffier opens the case', async () => {
    assert.ok(state.peopleAdded, 'step a added the people');
    const reporter = await person('b', DESKTOP);
    await signIn(reporter.page, server.url, RAADSLID.email, RAADSLID.password, { onPage: reporter.look });
    const page = reporter.page;
    await page.goto(`${server.url}/instellingen/tokens`, { waitUntil: 'load' });
    await page.getByLabel('Naam', { exact: true }).fill('Meldingen uit de app');
    await page.getByRole('group', { name: 'Wat mag de sleutel?' }).getByLabel('Lezen en handelen', { exact: true }).check();
    await go(page, () => page.getByRole('button', { name: 'Sleutel maken' }).click());
    const token = ((await page.locator('#nieuwe-sleutel').innerText()).match(/wbr_[A-Za-z0-9_-]{20,}/) ?? [])[0];
    assert.ok(token, 'a key is made');
    const answer = await fetch(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        behaviours: ['dreigen_met_geweld'],
        occurred_at: new Date(Date.now() - 3_600_000).toISOString(),
        channel: 'in_persoon',
        narrative: NARRATIVE,
      }),
    });
    const text = await answer.text();
    assert.equal(answer.status, 201, text);
    const made = JSON.parse(text);
    state.caseId = made.id;
    state.caseNumber = made.number;
    assert.ok(Number.isInteger(state.caseNumber), `a case number: ${text}`);
    reporter.done();

    const handler = await person('c', DESKTOP);
    await signIn(handler.page, server.url, GRIFFIER.email, GRIFFIER.password, { onPage: handler.look });
    await handler.page.goto(`${server.url}/zaken/${state.caseId}`, { waitUntil: 'load' });
    assert.ok((await handler.page.content()).includes(NARRATIVE), 'the griffier reads the case');
    state.read = true;
    assert.equal(await menuLink(handler.page).count(), 0, 'the griffier has no link');
    const response = await handler.page.goto(`${server.url}/privacy`, { waitUntil: 'load' });
    assert.equal(response.status(), 403, `griffier: ${await where(handler.page, response)}`);
    await handler.look('griffier geen toegang');
    handler.done();
  });

  test('d. the privacy officer, on a phone, sees who opened the case with which role, and nothing of it', async () => {
    assert.ok(state.read, 'step b had the case read');
    const me = await person('d', PHONE);
    const { page, look } = me;
    await signIn(page, server.url, FG.email, FG.password, { onPage: look });
    await go(page, () => menuLink(page).click());
    assert.equal(pathOf(page), '/privacy');
    assert.equal(await page.locator('h1').innerText(), 'Privacy-overzicht');
    const main = await page.locator('main').innerText();
    const row = page.getByRole('region', { name: 'Wie opende welke melding' }).getByRole('row').filter({ hasText: GRIFFIER.name });
    assert.equal(await row.count(), 1, main);
    const cells = await row.getByRole('cell').allInnerTexts();
    assert.deepEqual(cells.slice(1), [String(state.caseNumber), GRIFFIER.name, 'griffier', 'het hele dossier']);
    assert.match(main, /Taken van Frits Gerritsen gewijzigd: was geen, nu privacyfunctionaris/);
    assert.ok(!main.includes(NARRATIVE) && !main.includes('schreeuwen'), 'no content of the case');
    await look('privacy-overzicht op een telefoon');

    await page.getByLabel('Alleen deze melding').fill('twaalf');
    await go(page, () => page.getByRole('button', { name: 'Toon' }).click());
    assert.match(await errorSummary(page), /Vul het nummer van een melding in/);
    assert.equal(await page.getByLabel('Alleen deze melding').getAttribute('aria-invalid'), 'true');
    await look('privacy-overzicht fout nummer');

    await page.getByLabel('Alleen deze melding').fill(String(state.caseNumber));
    await go(page, () => page.getByRole('button', { name: 'Toon' }).click());
    assert.equal(await errorSummary(page), '');
    assert.match(await page.locator('main').innerText(), new RegExp(GRIFFIER.name));
    assert.ok(await page.getByRole('link', { name: 'Toon alle meldingen' }).count(), 'a way back to everything');
    await look('privacy-overzicht een melding');
    me.done();
  });
});
