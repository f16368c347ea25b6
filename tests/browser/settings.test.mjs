// The pages for the API, the notifications and the calendar, walked in the browser
// against the real weerbaar binary on a fresh data folder: API keys made (shown once,
// listed, revoked; a refused form with its error summary), mail choices kept, the secret
// calendar link made, fetched, replaced and revoked, and the administrators' outbox (and
// no access to it for others). One of the forms is filled and sent with the keyboard
// alone; the pages are measured against a 375px phone.
//
// Every page the test shows is checked with axe (WCAG 2.0/2.1 A and AA), error pages
// included, through watcher() in lib.mjs: the flow runs with the CSP enforced, axe on a
// copy of each page. Selectors go by labels, roles and names, not by layout: the token
// and calendar pages may grow (a use list, a full address).

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
  tabTo,
  startServer,
  watcher,
  where,
} from './lib.mjs';

const NARRATIVE = 'Hij schreeg dat hij wist waar mijn kinderen op school zitten.';
const PLACE = 'Parkeerplaats achter de Brink';
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

const DAY = 24 * 3_600_000;

/** The cells of a table's body rows, each row an object keyed by its column headers. */
async function tableRows(table) {
  return table.evaluate((t) => {
    const heads = [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return [...t.querySelectorAll('tbody tr')].map((tr) =>
      Object.fromEntries([...tr.querySelectorAll('td, th')].map((td, i) => [heads[i] || `#${i}`, td.textContent.trim()])),
    );
  });
}

/** Press Tab until the focused element's accessible text is `name` (a button's words). */
async function tabToName(page, name, { max = 250 } = {}) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate(() => document.activeElement?.textContent.trim().replace(/\s+/g, ' ') ?? '');
    if (here === name) return;
  }
  throw new Error(`"${name}": not reached with ${max} presses of Tab`);
}

/**
 * The headings and paragraphs in a box that lie beside one another instead of one below
 * the other (a box laid out as a row squeezes a heading to a letter's width), as
 * "heading | paragraph" pairs; [] when they stack.
 */
async function besideEachOther(box) {
  return box.evaluate((el) => {
    const blocks = [...el.querySelectorAll('h1, h2, h3, h4, p')].filter((b) => b.getClientRects().length > 0);
    const out = [];
    for (let i = 1; i < blocks.length; i += 1) {
      const above = blocks[i - 1].getBoundingClientRect();
      const below = blocks[i].getBoundingClientRect();
      if (below.top < above.bottom - 1) {
        const words = (b) => b.textContent.trim().replace(/\s+/g, ' ').slice(0, 30);
        out.push(`"${words(blocks[i - 1])}" | "${words(blocks[i])}"`);
      }
    }
    return out;
  });
}

/** The checkboxes of a group as [label, checked]. */
async function ticks(group) {
  return group.getByRole('checkbox').evaluateAll((boxes) =>
    boxes.map((b) => [document.querySelector(`label[for="${b.id}"]`)?.textContent.trim() ?? b.name, b.checked]),
  );
}

describe('Weerbaar: API-sleutels, e-mail, agenda en de e-mailwachtrij', () => {
  let server;
  let browser;
  let shots;
  const open = [];
  const state = { setUp: false, peopleAdded: false, caseNumber: null };
  let adminBrowser;
  let raadslidPhone;

  before(async () => {
    server = await startServer();
    browser = await launch();
    shots = process.env.SCREENSHOT_DIR || (await mkdtemp(path.join(os.tmpdir(), 'weerbaar-settings-')));
  });

  after(async () => {
    for (const thing of open.reverse()) await thing.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    if (!process.env.SCREENSHOT_DIR && shots) await rm(shots, { recursive: true, force: true });
  });

  /**
   * A person's browser with the CSP enforced. look(label) checks the page with axe
   * (and, in a phone's context, that nothing sticks out past 375px); fits(label) checks
   * the width on a desktop page by narrowing the window to a phone's for a moment.
   * Problems are collected, so the step goes on, and fail it at done().
   */
  async function person(prefix, options) {
    const context = await newContext(browser, options);
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(10_000);
    const page = await context.newPage();
    const check = await watcher(browser, page, { options, dir: shots, prefix: `s${prefix}-` });
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
    // Each step answers for its own pages: what done() reports is then forgotten.
    const done = () => {
      const errors = check.consoleErrors.splice(0);
      const found = problems.splice(0);
      assert.deepEqual(errors, [], 'no console errors (a CSP violation shows up here)');
      assert.equal(found.length, 0, `accessibility and width:\n${found.join('\n\n')}`);
    };
    return { context, page, look, fits, done };
  }

  /** Follow a link of the header's "who" bar (E-mail, Agenda, API-sleutels). */
  async function settingsLink(page, name) {
    await go(page, () => page.locator('header').getByRole('link', { name, exact: true }).click());
  }

  test('a. setup: the register, its administrator, a raadslid and a griffier', async () => {
    const me = (adminBrowser = await person('a', DESKTOP));
    const { page, look } = me;
    await setUpRegister(page, server, ORGANISATION, ADMIN, { onPage: look });
    await look('start beheerder');
    state.setUp = true;
    for (const who of [RAADSLID, GRIFFIER]) await addPerson(page, server.url, who, { onPage: look });
    state.peopleAdded = true;
    me.done();
  });

  test('b. the raadslid reports an incident on a phone (tasks for the griffier, mails in the outbox)', async () => {
    assert.ok(state.peopleAdded, 'step a added the raadslid');
    const me = (raadslidPhone = await person('b', PHONE));
    const { page, look } = me;
    await signIn(page, server.url, RAADSLID.email, RAADSLID.password, { onPage: look });
    assert.equal(pathOf(page), '/', `signed in (at ${page.url()})`);
    await look('start raadslid');
    await go(page, () => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Melden' }).click());
    assert.equal(pathOf(page), '/melden');
    await look('melden');
    await page.check('#voor-zelf');
    await page.check('#b-dreigen_met_geweld');
    await page.fill('#narrative', NARRATIVE);
    await page.fill('#occurred_at', amsterdam(-DAY).replace(/T.*/, 'T21:40'));
    await page.selectOption('#channel', 'in_persoon');
    await page.fill('#place', PLACE);
    const response = await go(page, () => page.getByRole('button', { name: 'Melding versturen' }).click());
    assert.equal(await errorSummary(page), '', 'the report is accepted');
    assert.match(pathOf(page), /^\/melden\/[^/]+\/ontvangen$/, await where(page, response));
    const number = (await page.locator('main').innerText()).match(/Melding (\d+) is opgeslagen/);
    assert.ok(number, 'the confirmation names the number');
    state.caseNumber = Number(number[1]);
    await look('melding ontvangen');
    me.done();
  });

  test('c. API-sleutels: a refused form shows the error summary; a read key for a week is shown once, listed, works, and is revoked', async () => {
    assert.ok(raadslidPhone, 'step b signed the raadslid in');
    const { page, look, done } = raadslidPhone;
    const NAME = 'Zaaksysteem gemeente';
    // The header's links are on every page: from the confirmation of step b.
    await settingsLink(page, 'API-sleutels');
    assert.equal(pathOf(page), '/instellingen/tokens');
    assert.equal(await page.locator('h1').innerText(), 'API-sleutels');
    await look('api-sleutels');
    const form = page.locator('form[action="/instellingen/tokens"]');

    // Refused: no name, no scope, and a lifetime the list does not offer (ten years: a
    // tampered form, as a crafted request would send it).
    await page.getByLabel('Hoe lang is de sleutel geldig?').evaluate((select) => {
      const option = document.createElement('option');
      option.value = '3650';
      option.textContent = 'tien jaar';
      select.append(option);
      select.value = '3650';
    });
    const refused = await go(page, () => form.getByRole('button', { name: 'Sleutel maken' }).click());
    assert.equal(refused.status(), 422, 'a refused form answers 422');
    const summary = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Controleer het formulier' }) });
    assert.equal(await summary.count(), 1, `the Dutch error summary: ${await where(page, refused)}`);
    await look('api-sleutels: fouten');
    const links = await summary.getByRole('link').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
    assert.deepEqual(links.map(([href]) => href).sort(), ['#bereik', '#geldig', '#naam'], `a link to each field in error: ${JSON.stringify(links)}`);
    for (const [href, message] of links) {
      assert.match(message, /^(Geef|Kies|Vul)\b/, `${href}: a Dutch message (${message})`);
      const target = page.locator(href);
      assert.equal(await target.count(), 1, `${href} exists once`);
      const tag = await target.evaluate((el) => el.tagName.toLowerCase());
      assert.ok(['input', 'select', 'fieldset'].includes(tag), `${href} is a field (${tag})`);
      if (tag !== 'fieldset') assert.equal(await target.getAttribute('aria-invalid'), 'true', `${href} is marked invalid`);
      assert.match((await target.getAttribute('aria-describedby')) ?? '', new RegExp(`\\b${href.slice(1)}-fout\\b`), `${href} is described by its message`);
      assert.equal(await page.locator(`${href}-fout`).innerText(), message, `${href}: the same message beside the field`);
    }
    await summary.getByRole('link', { name: /naam/i }).click();
    assert.equal(new URL(page.url()).hash, '#naam');
    assert.ok(await page.getByLabel('Naam', { exact: true }).isVisible(), 'the summary leads to the name field');
    assert.equal(await page.getByLabel('Naam', { exact: true }).inputValue(), '');

    // Made: read only, a week.
    await page.getByLabel('Naam', { exact: true }).fill(NAME);
    await page.getByRole('group', { name: 'Wat mag de sleutel?' }).getByLabel('Lezen', { exact: true }).check();
    await page.getByLabel('Hoe lang is de sleutel geldig?').selectOption({ label: 'een week' });
    const made = await go(page, () => form.getByRole('button', { name: 'Sleutel maken' }).click());
    assert.equal(await errorSummary(page), '', 'the key is made');
    assert.equal(made.status(), 200, await where(page, made));
    const shown = page.getByRole('status').filter({ has: page.getByRole('heading', { name: 'Uw nieuwe sleutel' }) });
    assert.equal(await shown.count(), 1, 'the new key is shown in a status message');
    const token = ((await shown.innerText()).match(/wbr_[A-Za-z0-9_-]{20,}/) ?? [])[0];
    assert.ok(token, `the key itself: ${await shown.innerText()}`);
    await look('api-sleutels: nieuwe sleutel');
    assert.deepEqual(await besideEachOther(shown), [], 'the heading, the advice and the key read from top to bottom');
    assert.equal((await page.content()).split(token).length - 1, 1, 'the key appears once on the page');

    const table = page.getByRole('region', { name: 'Uw sleutels', exact: true }).getByRole('table');
    const row = (await tableRows(table)).find((r) => r.Naam === NAME);
    assert.ok(row, `the key is in the list: ${JSON.stringify(await tableRows(table))}`);
    assert.equal(row.Mag, 'Lezen');
    assert.equal(row.Stand, 'actief');
    assert.ok(token.startsWith(row['Begint met'].replace(/…$/, '')), `the list shows the key's beginning (${row['Begint met']})`);
    assert.ok(row['Begint met'].replace(/…$/, '').length < token.length - 16, 'and not the key');
    const [y, m, d] = amsterdam(7 * DAY).slice(0, 10).split('-').map(Number);
    assert.match(row['Geldig tot'], new RegExp(`\\b${d} \\S+ ${y},`), `valid for a week (${row['Geldig tot']}; expected the ${d}th, ${y}-${m})`);

    // The key works on the API, once; the page never shows it again.
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200, 'the key works on /api/v1/me');
    await page.goto(`${server.url}/instellingen/tokens`, { waitUntil: 'load' });
    assert.ok(!(await page.content()).includes(token), 'the key is not on the page again');
    assert.equal(await page.getByRole('heading', { name: 'Uw nieuwe sleutel' }).count(), 0);
    await look('api-sleutels: lijst');

    // Revoked.
    await go(page, () => page.getByRole('button', { name: `Intrekken (${NAME})` }).click());
    assert.equal(pathOf(page), '/instellingen/tokens');
    assert.match(await page.getByRole('status').allInnerTexts().then((t) => t.join(' ')), /De sleutel is ingetrokken/);
    await look('api-sleutels: ingetrokken');
    const after = (await tableRows(page.getByRole('region', { name: 'Uw sleutels', exact: true }).getByRole('table'))).find((r) => r.Naam === NAME);
    assert.equal(after?.Stand, 'ingetrokken');
    assert.equal(await page.getByRole('button', { name: `Intrekken (${NAME})` }).count(), 0, 'no button to revoke it again');
    const gone = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(gone.status, 401, 'the revoked key no longer works');
    done();
  });

  test('d. keyboard only: the administrator makes an API key and revokes it with Tab, Space, arrows, typing and Enter', async () => {
    assert.ok(adminBrowser, 'step a set up the administrator');
    const { page, look, fits, done } = adminBrowser;
    const NAME = 'Koppeling met het toetsenbord';

    // From here on only the keyboard, from the page step a ended on.
    await tabTo(page, 'header a[href="/instellingen/tokens"]');
    await go(page, () => page.keyboard.press('Enter'));
    assert.equal(pathOf(page), '/instellingen/tokens');
    await look('api-sleutels (toetsenbord)');
    await tabTo(page, '#naam');
    await page.keyboard.type(NAME);
    // Tab enters a group of radio buttons without a choice at its first: "Lezen".
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'bereik-read', 'Tab goes on to the first scope, "Lezen"');
    await page.keyboard.press('Space');
    assert.ok(await page.getByLabel('Lezen', { exact: true }).isChecked(), 'Space chooses "Lezen"');
    await tabTo(page, '#geldig');
    await page.keyboard.press('ArrowUp'); // 90 dagen → 30 dagen
    assert.equal(await page.locator('#geldig').inputValue(), '30', 'an arrow chooses another lifetime');
    await tabTo(page, 'form[action="/instellingen/tokens"] button[type=submit]');
    await go(page, () => page.keyboard.press('Enter'));
    assert.equal(await errorSummary(page), '', 'the key is made');
    assert.equal(await page.getByRole('heading', { name: 'Uw nieuwe sleutel' }).count(), 1, 'the new key is shown');
    await look('api-sleutels: nieuwe sleutel (toetsenbord)');
    await fits('api-sleutels: nieuwe sleutel (toetsenbord)');
    const row = (await tableRows(page.getByRole('region', { name: 'Uw sleutels', exact: true }).getByRole('table'))).find((r) => r.Naam === NAME);
    assert.equal(row?.Mag, 'Lezen', `the list: ${JSON.stringify(row)}`);
    assert.equal(row?.Stand, 'actief');

    // Revoked with the keyboard too: Tab to the button named after the key.
    await tabToName(page, `Intrekken (${NAME})`);
    await go(page, () => page.keyboard.press('Enter'));
    assert.match(await page.getByRole('status').allInnerTexts().then((t) => t.join(' ')), /De sleutel is ingetrokken/);
    const revoked = (await tableRows(page.getByRole('region', { name: 'Uw sleutels', exact: true }).getByRole('table'))).find((r) => r.Naam === NAME);
    assert.equal(revoked?.Stand, 'ingetrokken');
    await look('api-sleutels: ingetrokken (toetsenbord)');
    await fits('api-sleutels: ingetrokken (toetsenbord)');
    done();
  });

  test('e. E-mail: the raadslid turns mails off and on, and the choice is kept after a reload', async () => {
    assert.ok(raadslidPhone, 'step b signed the raadslid in');
    const { page, look, done } = raadslidPhone;
    await settingsLink(page, 'E-mail');
    assert.equal(pathOf(page), '/instellingen/e-mail');
    await look('e-mail');
    const group = page.getByRole('group', { name: 'Stuur mij een e-mail als' });
    const before = await ticks(group);
    assert.ok(before.length >= 2, `mail kinds to choose: ${JSON.stringify(before)}`);
    assert.ok(before.every(([, on]) => on), `every kind is on until turned off: ${JSON.stringify(before)}`);

    const first = before[0][0];
    const last = before[before.length - 1][0];
    await group.getByLabel(first, { exact: true }).uncheck();
    await group.getByLabel(last, { exact: true }).uncheck();
    await go(page, () => page.getByRole('button', { name: 'Opslaan' }).click());
    assert.match(await page.getByRole('status').allInnerTexts().then((t) => t.join(' ')), /Uw keuze is opgeslagen/);
    await look('e-mail: opgeslagen');
    const expected = before.map(([label]) => [label, label !== first && label !== last]);

    await page.goto(`${server.url}/instellingen/e-mail`, { waitUntil: 'load' });
    assert.deepEqual(await ticks(page.getByRole('group', { name: 'Stuur mij een e-mail als' })), expected, 'kept after a reload');
    await look('e-mail: na herladen');

    await page.getByRole('group', { name: 'Stuur mij een e-mail als' }).getByLabel(first, { exact: true }).check();
    await go(page, () => page.getByRole('button', { name: 'Opslaan' }).click());
    await look('e-mail: weer opgeslagen');
    await page.reload({ waitUntil: 'load' });
    await look('e-mail: weer herladen');
    assert.deepEqual(
      await ticks(page.getByRole('group', { name: 'Stuur mij een e-mail als' })),
      before.map(([label]) => [label, label !== last]),
      'turned on again, and kept',
    );
    done();
  });

  test('f. Agenda: the griffier makes the secret link, the .ics has the deadlines and no content, a new link replaces it, revoking it answers 404', async () => {
    assert.ok(state.caseNumber, 'step b made a report');
    const me = await person('f', PHONE);
    const { page, look } = me;
    await signIn(page, server.url, GRIFFIER.email, GRIFFIER.password, { onPage: look });
    assert.equal(pathOf(page), '/');
    await look('start griffier');
    await settingsLink(page, 'Agenda');
    assert.equal(pathOf(page), '/instellingen/agenda');
    await look('agenda');
    assert.match(await page.locator('main').innerText(), /U hebt geen agendalink/);

    /** Make a link with the button; gives its absolute URL. */
    const makeLink = async (label) => {
      await go(page, () => page.getByRole('button', { name: 'Nieuwe agendalink maken' }).click());
      const shown = page.getByRole('status').filter({ has: page.getByRole('heading', { name: 'Uw agendalink' }) });
      assert.equal(await shown.count(), 1, `the link is shown (${await where(page, null)})`);
      await look(label);
      assert.deepEqual(await besideEachOther(shown), [], 'the heading, the advice and the link read from top to bottom');
      // The link to copy stands on its own: the full address when the server knows its
      // public address, else the path (with an explanation of what goes before it).
      const candidates = (await shown.locator('code, a').allInnerTexts()).map((t) => t.trim());
      const link = candidates.find((t) => /^(?:https?:\/\/[^/\s]+)?\/agenda\/[A-Za-z0-9_-]+\.ics$/.test(t));
      assert.ok(link, `a link to an .ics on its own in: ${await shown.innerText()}`);
      // Fetched from this test's server, whatever address the page puts before the path.
      return new URL(new URL(link, server.url).pathname, server.url).href;
    };
    const first = await makeLink('agenda: link');

    const response = await fetch(first);
    assert.equal(response.status, 200, `${first} answers`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/calendar\b/);
    assert.match(response.headers.get('cache-control') ?? '', /no-store/);
    const body = await response.text();
    assert.ok(body.startsWith('BEGIN:VCALENDAR\r\n'), 'an iCalendar document');
    assert.ok(body.trimEnd().endsWith('END:VCALENDAR'));
    const unfolded = body.replace(/\r\n[ \t]/g, '');
    const summaries = unfolded.split('\r\n').filter((l) => l.startsWith('SUMMARY:'));
    assert.ok(summaries.length > 0, `the griffier's deadlines are in it:\n${body}`);
    assert.ok(
      summaries.some((s) => s.includes(`(melding ${state.caseNumber})`)),
      `an event of the raadslid's report (melding ${state.caseNumber}): ${summaries.join(' | ')}`,
    );
    for (const secret of [NARRATIVE, 'kinderen', PLACE, 'Brink', RAADSLID.name, RAADSLID.email, 'dreig']) {
      assert.ok(!unfolded.toLowerCase().includes(secret.toLowerCase()), `no case content in the calendar: "${secret}"`);
    }

    // Shown once: not on the page again.
    await page.goto(`${server.url}/instellingen/agenda`, { waitUntil: 'load' });
    const token = new URL(first).pathname.replace(/^\/agenda\/|\.ics$/g, '');
    assert.ok(!(await page.content()).includes(token), 'the link is not shown again');
    assert.match(await page.locator('main').innerText(), /U hebt een agendalink sinds/);
    await look('agenda: link bestaat');

    // A new link replaces the old one.
    const second = await makeLink('agenda: nieuwe link');
    assert.notEqual(second, first);
    assert.equal((await fetch(first)).status, 404, 'the old link answers 404');
    assert.equal((await fetch(second)).status, 200, 'the new one works');

    // Revoked: 404.
    await go(page, () => page.getByRole('button', { name: 'Agendalink intrekken' }).click());
    assert.match(await page.getByRole('status').allInnerTexts().then((t) => t.join(' ')), /De agendalink is ingetrokken/);
    await look('agenda: ingetrokken');
    assert.match(await page.locator('main').innerText(), /U hebt geen agendalink/);
    assert.equal(await page.getByRole('button', { name: 'Agendalink intrekken' }).count(), 0);
    const dead = await fetch(second);
    assert.equal(dead.status, 404, 'the revoked link answers 404');
    assert.ok(!(await dead.text()).includes('VCALENDAR'));
    me.done();
  });

  test('g. the outbox /beheer/e-mail: the administrator sees the mails (kind and state, no content, no address); others get no access', async () => {
    assert.ok(adminBrowser && raadslidPhone && state.caseNumber, 'steps a and b ran');
    const { page, look, fits, done } = adminBrowser;
    await go(page, () => page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Beheer' }).click());
    assert.equal(pathOf(page), '/beheer');
    await look('beheer');
    await go(page, () => page.getByRole('main').getByRole('link', { name: 'E-mail', exact: true }).click());
    assert.equal(pathOf(page), '/beheer/e-mail');
    assert.equal(await page.locator('h1').innerText(), 'E-mail');
    await look('beheer e-mail');
    await fits('beheer e-mail');
    const text = await page.locator('main').innerText();
    assert.match(text, /Wacht: \d+/);
    assert.match(text, /Verstuurd: \d+/);
    assert.match(text, /Mislukt: \d+/);
    const rows = await tableRows(page.getByRole('region', { name: 'E-mails', exact: true }).getByRole('table'));
    assert.ok(rows.length > 0, "the report's mails are listed");
    assert.ok(rows.every((r) => r.Stand === 'wacht'), `without [mail] every mail waits: ${JSON.stringify(rows)}`);
    const html = await page.content();
    for (const secret of [NARRATIVE, PLACE, RAADSLID.email, GRIFFIER.email, RAADSLID.name, GRIFFIER.name]) {
      assert.ok(!html.includes(secret), `no content or address in the outbox: "${secret}"`);
    }
    done();

    // The raadslid: no Beheer in the menu, and no outbox at its address.
    const other = raadslidPhone;
    await other.page.goto(`${server.url}/`, { waitUntil: 'load' });
    await other.look('start raadslid (geen beheer)');
    assert.equal(await other.page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Beheer' }).count(), 0);
    const refused = await other.page.goto(`${server.url}/beheer/e-mail`, { waitUntil: 'load' });
    assert.equal(refused.status(), 403, `no access for a raadslid (${await where(other.page, refused)})`);
    assert.equal(await other.page.locator('h1').innerText(), 'Geen toegang');
    assert.equal(await other.page.getByRole('region', { name: 'E-mails', exact: true }).count(), 0);
    assert.doesNotMatch(await other.page.locator('main').innerText(), /Wacht: \d+/);
    await other.look('beheer e-mail: geen toegang (raadslid)');
    other.done();

    // Signed out: to the sign-in page, for the outbox and for the settings.
    const stranger = await person('h', DESKTOP);
    for (const url of ['/beheer/e-mail', '/instellingen/tokens', '/instellingen/e-mail', '/instellingen/agenda']) {
      await stranger.page.goto(`${server.url}${url}`, { waitUntil: 'load' });
      assert.equal(pathOf(stranger.page), '/aanmelden', `${url} signed out: to the sign-in page`);
      await stranger.look(`${url} afgemeld`);
    }
    stranger.done();
  });
});
