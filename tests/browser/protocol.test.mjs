// The protocol as people read it and as an administrator changes it, walked in the
// browser against the real weerbaar binary: a raadslid reads "Ons protocol" on a phone;
// the administrator writes a draft with an own behaviour and a choice of recipient
// (PROTOCOL.md §16), sees a mistake named, sees what the draft changes on the sample
// incidents and on an incident of her own, and only then activates it; the raadslid
// then finds the own behaviour on the report form and in the protocol. The griffier
// records the yearly evaluation of the protocol, a mistake named first.
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
  name: 'Gerda Smit',
  email: 'griffie@westerveld.example',
  role: 'griffier',
  password: 'griffier met een lang wachtwoord',
};

const OWN_BEHAVIOUR = `
[behaviours.gijzeling]
label = "Gijzeling"
explanation = "Iemand wordt tegen zijn wil vastgehouden."
category = "fysiek_geweld"
`;

describe('Weerbaar: het protocol lezen, en een nieuw protocol eerst bekijken en dan activeren', () => {
  let server;
  let browser;
  let shots;
  const open = [];
  let admin;
  let raadslid;

  before(async () => {
    server = await startServer();
    browser = await launch();
    shots = process.env.SCREENSHOT_DIR || (await mkdtemp(path.join(os.tmpdir(), 'weerbaar-protocol-')));
  });

  after(async () => {
    for (const thing of open.reverse()) await thing.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    if (!process.env.SCREENSHOT_DIR && shots) await rm(shots, { recursive: true, force: true });
  });

  /** A person's browser; look(label) runs axe (and the phone's width), done() fails the step on problems. */
  async function person(prefix, options) {
    const context = await newContext(browser, options);
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(10_000);
    const page = await context.newPage();
    const check = await watcher(browser, page, { options, dir: shots, prefix: `p${prefix}-` });
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
        if (wide.length) problems.push(`${label} (${pathOf(page)}): wider than a ${PHONE_WIDTH}px phone: ${wide.join(', ')}`);
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

  test('a. setup: the register with the Westerveld protocol, and a raadslid', async () => {
    admin = await person('a', DESKTOP);
    const { page, look, done } = admin;
    await setUpRegister(page, server, ORGANISATION, ADMIN, { onPage: look });
    await addPerson(page, server.url, RAADSLID, { onPage: look });
    done();
  });

  test('b. the raadslid reads the protocol on a phone: in Dutch, without codes', async () => {
    raadslid = await person('b', PHONE);
    const { page, look, done } = raadslid;
    await signIn(page, server.url, RAADSLID.email, RAADSLID.password, { onPage: look });
    await go(page, () => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Ons protocol' }).click());
    assert.equal(pathOf(page), '/protocol');
    assert.equal(await page.locator('h1').innerText(), 'Agressieprotocol Gemeente Westerveld');
    const routes = page.getByRole('table', { name: 'Bij wie u meldt en wie het hoort' });
    const raadslidRow = routes.getByRole('row', { name: /^Raadslid/ });
    assert.match(await raadslidRow.innerText(), /de griffier/);
    const text = await page.locator('main').innerText();
    assert.match(text, /binnen 24 uur/);
    assert.match(text, /tussen 4 en 6 weken na het incident/);
    for (const code of ['nazorg_gesprek', 'adviseur_vpt', 'bedreiging_intimidatie', '[routing', 'TOML']) {
      assert.ok(!text.includes(code), `no code on the page: ${code}`);
    }
    await look('ons protocol (telefoon)');
    done();
  });

  test('c. the administrator writes a draft: a mistake is named, then she sees what it changes and activates it', async () => {
    const { page, look, done } = admin;
    await page.goto(`${server.url}/beheer/protocol`, { waitUntil: 'load' });
    await look('beheer protocol');
    const current = await page.locator('#protocol_toml').inputValue();

    // A water board's secretaris in a municipal file: named with the code meant.
    const wrong = current.replace('handler = "gemeentesecretaris"', 'handler = "secretaris"');
    assert.notEqual(wrong, current, 'the Westerveld file routes the burgemeester to the gemeentesecretaris');
    await page.check('#protocol-eigen');
    await page.fill('#protocol_toml', wrong);
    let response = await go(page, () => page.getByRole('button', { name: 'Bekijk wat het verandert' }).click());
    assert.equal(response.status(), 422, await where(page, response));
    assert.match(await errorSummary(page), /Het protocolbestand bevat fouten/);
    assert.match(await page.locator('#protocol-fouten').innerText(), /did you mean `gemeentesecretaris`/);
    await look('beheer protocol: een fout');

    // A sound draft: a choice of recipient for the wethouder and an own behaviour.
    const draft = current.replace(
      /handler = "burgemeester"( +#[^\n]*)?\ninformed = \["gemeentesecretaris"\]/,
      'report_to = ["burgemeester", "gemeentesecretaris"]\ninformed = ["griffier"]',
    ) + OWN_BEHAVIOUR;
    assert.notEqual(draft, current + OWN_BEHAVIOUR, 'the wethouder route was changed');
    await page.fill('#protocol_toml', draft);
    response = await go(page, () => page.getByRole('button', { name: 'Bekijk wat het verandert' }).click());
    assert.equal(response.status(), 200, await where(page, response));
    assert.equal(await errorSummary(page), '');
    const changes = page.getByRole('region', { name: /Wat Gemeente Westerveld \(versie .*\) verandert/ });
    const said = await changes.innerText();
    assert.match(said, /Verschil 1 \(bij \d+ voorbeelden\)/);
    assert.match(said, /Keuze bij wie te melden: geen keuze wordt burgemeester of gemeentesecretaris/);
    await look('beheer protocol: wat het verandert');

    // An incident of her own: every field named when one is missing, then the answer.
    await page.selectOption('#proef_rol', 'wethouder');
    response = await go(page, () => page.getByRole('button', { name: 'Probeer dit voorbeeld' }).click());
    assert.equal(response.status(), 422);
    assert.match(await errorSummary(page), /Kies wat er gebeurde/);
    await look('beheer protocol: voorbeeld onvolledig');
    await page.selectOption('#proef_gedrag', 'beledigen');
    await page.selectOption('#proef_kanaal', 'in_persoon');
    await page.fill('#proef_moment', '2026-03-02T20:15');
    response = await go(page, () => page.getByRole('button', { name: 'Probeer dit voorbeeld' }).click());
    assert.equal(response.status(), 200, await where(page, response));
    const outcome = await page.locator('#proef-uitkomst').innerText();
    assert.match(outcome, /Geïnformeerd, erbij: de griffier/);
    await look('beheer protocol: eigen voorbeeld');

    // Nothing has changed until she activates it.
    response = await go(page, () => page.getByRole('button', { name: 'Activeer dit protocol' }).click());
    assert.equal(pathOf(page), '/beheer/protocol', await where(page, response));
    assert.match(await page.locator('main').innerText(), /Het protocol is vervangen/);
    await look('beheer protocol: geactiveerd');
    done();
  });

  test('d. the raadslid finds the own behaviour in its group on the report form and in the protocol', async () => {
    const { page, look, done } = raadslid;
    await page.goto(`${server.url}/melden`, { waitUntil: 'load' });
    const group = page.getByRole('group', { name: 'Fysiek geweld' });
    await group.getByRole('checkbox', { name: 'Gijzeling' }).check();
    assert.match(await group.innerText(), /Iemand wordt tegen zijn wil vastgehouden/);
    // A raadslid has no choice of recipient in this protocol: the form does not ask.
    assert.equal(await page.getByRole('group', { name: 'Bij wie wilt u melden?' }).count(), 0);
    await look('melden met eigen gedrag');
    await page.goto(`${server.url}/protocol`, { waitUntil: 'load' });
    const text = await page.locator('main').innerText();
    assert.match(text, /Gijzeling: Iemand wordt tegen zijn wil vastgehouden\./);
    assert.match(text, /de burgemeester of de gemeentesecretaris: u kiest zelf/);
    await look('ons protocol na de wijziging');
    // A raadslid is not led to the evaluations.
    assert.equal(await page.getByRole('link', { name: 'Evaluaties van het protocol' }).count(), 0);
    done();
  });

  test('e. the griffier records the yearly evaluation of the protocol', async () => {
    await addPerson(admin.page, server.url, GRIFFIER, { onPage: admin.look });
    admin.done();
    const { page, look, done } = await person('e', DESKTOP);
    await signIn(page, server.url, GRIFFIER.email, GRIFFIER.password, { onPage: look });
    await page.goto(`${server.url}/protocol`, { waitUntil: 'load' });
    await go(page, () => page.getByRole('link', { name: 'Evaluaties van het protocol' }).click());
    assert.equal(pathOf(page), '/protocol/evaluaties');
    assert.match(await page.locator('main').innerText(), /Er is nog geen evaluatie vastgelegd/);
    await look('evaluaties: nog geen');

    // Sent empty: every missing answer named, nothing kept.
    let response = await go(page, () => page.getByRole('button', { name: 'Evaluatie vastleggen' }).click());
    assert.equal(response.status(), 422, await where(page, response));
    const summary = await errorSummary(page);
    assert.match(summary, /Vul de datum in waarop de evaluatie is gehouden/);
    assert.match(summary, /Vul in wie er aan de evaluatie deelnamen/);
    assert.match(summary, /Vul in wat er is besproken/);
    await look('evaluaties: fouten');

    await page.fill('#gehouden_op', '2026-11-24');
    await page.fill('#deelnemers', 'Presidium, burgemeester, griffier en adviseur VPT');
    await page.fill('#besproken', 'De bedreigingen via sociale media na het debat over de windmolens.\nWat ging goed: de snelle nazorg.');
    await page.fill('#wijzigingen', 'Bij een online bedreiging ook de fractievoorzitter informeren.');
    response = await go(page, () => page.getByRole('button', { name: 'Evaluatie vastleggen' }).click());
    assert.equal(pathOf(page), '/protocol/evaluaties', await where(page, response));
    const text = await page.locator('main').innerText();
    assert.match(text, /De evaluatie is vastgelegd/);
    assert.match(text, /Evaluatie van di 24 nov 2026/);
    assert.match(text, /Bij een online bedreiging ook de fractievoorzitter informeren/);
    assert.match(text, /Er is sindsdien nog geen nieuwe versie van het protocol/);
    assert.match(text, /Vastgelegd door Gerda Smit/);
    await look('evaluaties: vastgelegd');
    done();
  });
});
