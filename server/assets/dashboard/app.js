// The dashboard's entry: sign-in from the login link, the range and currency controls, and
// one page per route (#/overview, #/products, #/payouts, #/creators, #/connections).

import { adoptFragmentToken, token, signOut } from './auth.js';
import { gql } from './api.js';
import { h, show } from './ui.js';
import { current, update, presetRange, iso } from './state.js';
import { overview } from './overview.js';
import { products } from './products.js';
import { payouts } from './payouts.js';
import { creators } from './creators.js';
import { connections, leaveConnections } from './connections.js';

const PAGES = { overview, products, payouts, creators, connections };
const main = document.getElementById('main');
const controls = document.getElementById('controls');
let anchor = null;

/**
 * The day presets end on: the last day with ledger lines in the past year (a brand whose data
 * stops, such as the demo's, still opens on its figures), or today. Two cheap queries: months
 * of the year, then the days of the last month with lines.
 */
async function dataAnchor() {
  const today = iso(new Date());
  const yearAgo = presetRange('365', today).from;
  const byMonth = await gql(`query Months($from: Date!, $to: Date!) {
    pnl(range: {from: $from, to: $to}, groupBy: [MONTH]) { currency rows { key { period } } } }`, { from: yearAgo, to: today });
  const months = byMonth.pnl.rows.map((r) => r.key.period).sort();
  const last = months[months.length - 1];
  if (!last) return { day: today, currency: byMonth.pnl.currency };
  const first = `${last}-01`;
  const end = new Date(`${first}T00:00:00Z`);
  end.setUTCMonth(end.getUTCMonth() + 1, 0);
  const to = iso(end) < today ? iso(end) : today;
  const byDay = await gql(`query Days($from: Date!, $to: Date!) {
    pnl(range: {from: $from, to: $to}, groupBy: [DAY]) { rows { key { period } } } }`, { from: first < yearAgo ? yearAgo : first, to });
  const days = byDay.pnl.rows.map((r) => r.key.period).sort();
  return { day: days[days.length - 1] ?? today, currency: byMonth.pnl.currency };
}

function applyPreset() {
  const view = current();
  if (view.preset !== 'custom') update(presetRange(view.preset, anchor));
}

function renderControls(orgCurrency) {
  const view = current();
  const preset = h('select', { id: 'preset', 'aria-label': 'Range' },
    [['7', 'Last 7 days'], ['30', 'Last 30 days'], ['90', 'Last 90 days'], ['mtd', 'Month to date'], ['custom', 'Custom']]
      .map(([value, label]) => h('option', { value, selected: view.preset === value }, label)));
  const from = h('input', { type: 'date', id: 'from', value: view.from, 'aria-label': 'From' });
  const to = h('input', { type: 'date', id: 'to', value: view.to, 'aria-label': 'To' });
  const currency = h('input', { id: 'currency', value: view.currency || orgCurrency, size: 4, maxlength: 3, pattern: '[A-Za-z]{3}', 'aria-label': 'Reporting currency' });
  const grain = h('select', { id: 'grain', 'aria-label': 'Chart by' }, [['DAY', 'By day'], ['WEEK', 'By week'], ['MONTH', 'By month']].map(([v, l]) => h('option', { value: v, selected: view.grain === v }, l)));
  preset.addEventListener('change', () => { update({ preset: preset.value }); applyPreset(); renderControls(orgCurrency); route(); });
  for (const input of [from, to]) input.addEventListener('change', () => { update({ preset: 'custom', from: from.value, to: to.value }); renderControls(orgCurrency); route(); });
  currency.addEventListener('change', () => { update({ currency: currency.value.toUpperCase() }); route(); });
  grain.addEventListener('change', () => { update({ grain: grain.value }); route(); });
  show(controls, preset, from, to, currency, grain, h('span', { class: 'hint' }, `latest data ${anchor}`));
}

function route() {
  const name = location.hash.replace(/^#\/?/, '') || 'overview';
  const page = PAGES[name] ?? overview;
  for (const link of document.querySelectorAll('nav a')) link.toggleAttribute('aria-current', link.getAttribute('href') === `#/${name}`);
  if (name !== 'connections') leaveConnections();
  const view = current();
  // Each visit renders into its own element, so a page still waiting for its answer when the
  // user moves on finishes into a detached element instead of over the page now shown.
  const visit = h('div', { class: 'page' });
  show(main, visit);
  page(visit, { range: { from: view.from, to: view.to }, currency: view.currency || null, grain: view.grain });
}

function signedOut(reason) {
  document.body.classList.remove('signed-in');
  show(controls);
  show(
    main,
    h('section', { class: 'signed-out' },
      h('h2', {}, 'Sign in'),
      reason ? h('p', { class: 'state' }, reason) : null,
      h('p', {}, 'Open a login link to sign this browser in. On the server, run:'),
      h('pre', {}, 'pnl login-link --org YOUR_ORG --scopes "pnl:read costs:write"'),
      h('p', {}, '(`pnl demo` prints one for the demo brand.) The link carries a short-lived token; this tab keeps it until you sign out or close the tab.')),
  );
}

async function start() {
  adoptFragmentToken();
  // A login link opened on this page already (only the fragment changes, so no page load).
  window.addEventListener('hashchange', () => {
    if (location.hash.includes('token=')) {
      adoptFragmentToken();
      location.reload();
    }
  });
  document.getElementById('sign-out').addEventListener('click', () => signOut('Signed out.'));
  document.addEventListener('pnl:signed-out', (event) => signedOut(event.detail));
  if (!token()) {
    signedOut(null);
    return;
  }
  document.body.classList.add('signed-in');
  let found;
  try {
    found = await dataAnchor();
  } catch (error) {
    if (token()) show(main, h('p', { class: 'state error', role: 'alert' }, `Could not reach the API: ${error.message}`));
    return;
  }
  anchor = found.day;
  applyPreset();
  renderControls(found.currency);
  window.addEventListener('hashchange', route);
  route();
}

start();
