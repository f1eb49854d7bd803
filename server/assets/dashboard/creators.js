// Creators: per-creator GMV, commission, samples, flat fees, profit and ROI.

import { gql } from './api.js';
import { money, percent } from './decimal.js';
import { h, show, loading, failure, empty, table } from './ui.js';
import { openLines, FIGURE_BUCKETS } from './drill.js';

const QUERY = `query Creators($range: DateRangeInput!, $currency: String) {
  profitByCreator(range: $range, currency: $currency) { creators { creator
    row { gmv { amount currency } netSales { amount } orders }
    commission { amount currency } samples { amount } sampleUnits flatFees { amount } profit { amount } roi } } }`;

/** Renders the creators page. */
export async function creators(main, { range, currency }) {
  show(main, loading('creators'));
  let rows;
  try {
    rows = (await gql(QUERY, { range, currency })).profitByCreator.creators;
  } catch (error) {
    show(main, failure('creators', error));
    return;
  }
  const cur = rows[0]?.commission.currency ?? currency;
  const m = (key, label, pick) => ({ key, label, num: true, sort: (c) => pick(c).amount, value: (c) => money(pick(c).amount, cur) });
  const columns = [
    { key: 'creator', label: 'Creator', sort: (c) => c.creator, value: (c) => `@${c.creator}` },
    { key: 'orders', label: 'Orders', num: true, sort: (c) => String(c.row.orders), value: (c) => String(c.row.orders) },
    m('gmv', 'GMV', (c) => c.row.gmv),
    {
      ...m('commission', 'Commission', (c) => c.commission),
      value: (c) => h('button', { type: 'button', class: 'link', onclick: () => openLines({ creator: c.creator }, `Commission of @${c.creator}`, FIGURE_BUCKETS.creatorCosts) }, money(c.commission.amount, cur)),
    },
    m('samples', 'Samples', (c) => c.samples),
    m('flatFees', 'Flat fees', (c) => c.flatFees),
    m('profit', 'Profit', (c) => c.profit),
    { key: 'roi', label: 'ROI', num: true, sort: (c) => c.roi, value: (c) => percent(c.roi) },
  ];
  show(main, h('h2', {}, 'Creators'), rows.length ? table(columns, rows, { sortKey: 'profit' }) : empty('No creator drove an order in this range.'));
}
