// Products: the per-SKU P&L, sortable, filtered by channel or shop; SKUs under the margin
// threshold highlighted; SKUs without a unit cost flagged, with a form to enter one.

import { gql } from './api.js';
import { money, percent, compare, shift } from './decimal.js';
import { h, show, loading, failure, empty, table, dialog } from './ui.js';
import { openLines, FIGURE_BUCKETS } from './drill.js';
import { currentRange } from './state.js';

const QUERY = `query Products($range: DateRangeInput!, $currency: String, $filter: PnlFilterInput) {
  pnl(range: $range, groupBy: [SKU], filter: $filter, currency: $currency) {
    currency missingCosts
    rows { key { sku } unitsSold netSales { amount } cogs { amount } cogsComplete channelFees { amount }
      creatorCosts { amount } adCosts { amount } contributionProfit { amount } margin } }
  shops { id name channel } }`;

const THRESHOLD_KEY = 'pnl.dashboard.marginThreshold';
const CHANNELS = ['TIKTOK_SHOP', 'AMAZON', 'SHOPIFY', 'WALMART', 'OTHER'];

let filter = {};

function costForm(sku, currency, reload) {
  const body = dialog(`Unit cost of ${sku}`);
  const status = h('p', { class: 'state', role: 'status' });
  const form = h(
    'form',
    { class: 'cost-form' },
    h('label', {}, 'Unit cost ', h('input', { name: 'unitCost', required: true, inputmode: 'decimal', pattern: '\\d+(\\.\\d+)?', placeholder: '4.20' })),
    h('label', {}, 'Currency ', h('input', { name: 'currency', required: true, value: currency, pattern: '[A-Za-z]{3}', size: 4 })),
    h('label', {}, 'From ', h('input', { name: 'effectiveFrom', type: 'date', required: true, value: currentRange().from })),
    h('button', { type: 'submit' }, 'Save cost'),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    status.textContent = 'Saving…';
    try {
      await gql('mutation Cost($input: SetProductCostInput!) { setProductCost(input: $input) { sku } }', {
        input: { sku, unitCost: data.unitCost, currency: data.currency.toUpperCase(), effectiveFrom: data.effectiveFrom },
      });
      body.closest('dialog').close();
      reload();
    } catch (error) {
      status.textContent = `Not saved: ${error.message}`;
      status.className = 'state error';
    }
  });
  show(body, form);
}

function filters(shops, reload) {
  const channel = h('select', { name: 'channel', 'aria-label': 'Channel' }, h('option', { value: '' }, 'All channels'), CHANNELS.map((c) => h('option', { value: c, selected: filter.channel === c }, c)));
  const shop = h('select', { name: 'shop', 'aria-label': 'Shop' }, h('option', { value: '' }, 'All shops'), shops.map((s) => h('option', { value: s.id, selected: filter.shopId === s.id }, `${s.name} (${s.channel})`)));
  const threshold = h('input', { name: 'threshold', type: 'number', min: '-100', max: '100', step: '1', value: localStorage.getItem(THRESHOLD_KEY) ?? '20', 'aria-label': 'Margin alert threshold (%)' });
  channel.addEventListener('change', () => { filter = { ...filter, channel: channel.value || null }; reload(); });
  shop.addEventListener('change', () => { filter = { ...filter, shopId: shop.value || null }; reload(); });
  threshold.addEventListener('change', () => { localStorage.setItem(THRESHOLD_KEY, threshold.value); reload(); });
  return h('div', { class: 'filters' }, channel, shop, h('label', {}, 'Margin alert under ', threshold, ' %'));
}

/** Renders the products page. */
export async function products(main, { range, currency }) {
  const reload = () => products(main, { range, currency });
  show(main, loading('products'));
  let data;
  try {
    const clean = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
    data = await gql(QUERY, { range, currency, filter: clean });
  } catch (error) {
    show(main, failure('products', error));
    return;
  }
  const report = data.pnl;
  // The threshold as a decimal string ("20" → "0.20") for exact comparison with margins.
  const threshold = shift(localStorage.getItem(THRESHOLD_KEY) ?? '20', -2) ?? '0.20';
  const missing = new Set(report.missingCosts);
  const m = (field, label) => ({
    key: field, label, num: true, sort: (r) => r[field].amount,
    value: (r) => h('button', { type: 'button', class: 'link', onclick: () => openLines({ ...filter, sku: r.key.sku }, `${label} of ${r.key.sku}`, FIGURE_BUCKETS[field]) }, money(r[field].amount, report.currency)),
  });
  const columns = [
    {
      key: 'sku', label: 'SKU', sort: (r) => r.key.sku,
      value: (r) => h('span', {}, r.key.sku ?? '—', missing.has(r.key.sku) || !r.cogsComplete ? h('button', { type: 'button', class: 'flag', title: 'No unit cost: COGS is missing, not zero', onclick: () => costForm(r.key.sku, report.currency, reload) }, 'no cost: enter one') : null),
    },
    { key: 'units', label: 'Units', num: true, sort: (r) => String(r.unitsSold), value: (r) => String(r.unitsSold) },
    m('netSales', 'Net sales'),
    { key: 'cogs', label: 'COGS', num: true, sort: (r) => r.cogs.amount, value: (r) => money(r.cogs.amount, report.currency) },
    m('channelFees', 'Channel fees'),
    m('creatorCosts', 'Creator costs'),
    m('adCosts', 'Ad costs'),
    { key: 'profit', label: 'Profit', num: true, sort: (r) => r.contributionProfit.amount, value: (r) => money(r.contributionProfit.amount, report.currency) },
    { key: 'margin', label: 'Margin', num: true, sort: (r) => r.margin, value: (r) => percent(r.margin) },
  ];
  const alert = (r) => r.margin !== null && compare(r.margin, threshold) < 0;
  show(
    main,
    h('h2', {}, `Products (${report.currency})`),
    filters(data.shops, reload),
    report.rows.length
      ? table(columns, report.rows, { sortKey: 'profit', rowAttrs: (r) => ({ class: alert(r) ? 'alert' : null, dataset: { sku: r.key.sku ?? '' } }) })
      : empty('No products sold in this range.'),
  );
}
