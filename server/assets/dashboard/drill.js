// Drill-down: a figure opens the ledger lines behind it (`pnlLines`, `payoutLines`), and a
// line opens the raw channel record it came from (`rawRecord`).

import { gql } from './api.js';
import { money } from './decimal.js';
import { h, show, loading, failure, empty, dialog, table } from './ui.js';
import { currentRange } from './state.js';

const LINE = `id entryKey channel orderId bucket label mapped amount { amount currency } quantity occurredAt status sourceKind rawRecordId`;

/** The buckets behind each figure of a P&L row. */
export const FIGURE_BUCKETS = {
  netSales: ['PRODUCT_SALES', 'SELLER_DISCOUNTS', 'SHIPPING_INCOME', 'REFUNDS'],
  channelFees: ['PLATFORM_COMMISSION', 'TRANSACTION_FEES', 'REFUND_ADMIN_FEES', 'FULFILLMENT', 'SHIPPING_COSTS', 'STORAGE', 'PROGRAM_FEES', 'PENALTIES', 'WITHHOLDING_TAX', 'OTHER'],
  creatorCosts: ['AFFILIATE_COMMISSION'],
  adCosts: ['ADVERTISING'],
};

function linesTable(lines) {
  const columns = [
    { key: 'occurredAt', label: 'When', sort: (l) => l.occurredAt, value: (l) => l.occurredAt.replace('T', ' ').slice(0, 16) },
    { key: 'channel', label: 'Channel', sort: (l) => l.channel, value: (l) => l.channel },
    { key: 'orderId', label: 'Order', sort: (l) => l.orderId, value: (l) => l.orderId ?? '—' },
    { key: 'bucket', label: 'Bucket', sort: (l) => l.bucket, value: (l) => l.bucket },
    { key: 'label', label: 'Label', sort: (l) => l.label, value: (l) => (l.mapped ? l.label : h('span', { class: 'unmapped', title: 'No mapping: booked to OTHER' }, l.label)) },
    { key: 'amount', label: 'Amount', num: true, sort: (l) => l.amount.amount, value: (l) => money(l.amount.amount, l.amount.currency) },
    { key: 'status', label: 'Status', sort: (l) => l.status, value: (l) => l.status },
    {
      key: 'raw', label: 'Source',
      value: (l) => (l.rawRecordId ? h('button', { type: 'button', class: 'link raw-link', onclick: () => openRaw(l.rawRecordId) }, l.sourceKind) : l.sourceKind),
    },
  ];
  return table(columns, lines, { rowAttrs: (l) => ({ class: 'line', dataset: { id: l.id } }) });
}

async function fill(body, what, fetchPage) {
  show(body, loading(what));
  try {
    const page = await fetchPage(null);
    const lines = page.edges.map((e) => e.node);
    const more = page.pageInfo.hasNextPage;
    show(body, lines.length ? linesTable(lines) : empty('No ledger lines.'), more ? h('p', { class: 'state' }, `First ${lines.length} lines shown.`) : null);
  } catch (error) {
    show(body, failure(what, error));
  }
}

/** Opens the lines behind a figure: `filter` is the pivot filter, `buckets` the figure's. */
export function openLines(filter, title, buckets) {
  const body = dialog(title);
  const query = `query Lines($range: DateRangeInput!, $filter: PnlFilterInput, $buckets: [FeeBucket!]) {
    pnlLines(range: $range, filter: $filter, buckets: $buckets, first: 200) { edges { node { ${LINE} } } pageInfo { hasNextPage } } }`;
  const clean = Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v !== null && v !== undefined));
  return fill(body, 'the ledger lines', async () => (await gql(query, { range: currentRange(), filter: clean, buckets: buckets ?? FIGURE_BUCKETS.netSales })).pnlLines);
}

/** Opens the lines of one payout. */
export function openPayoutLines(body, payoutId) {
  const query = `query PayoutLines($id: ID!) { payoutLines(payoutId: $id, first: 500) { edges { node { ${LINE} } } pageInfo { hasNextPage } } }`;
  return fill(body, 'the payout\'s lines', async () => (await gql(query, { id: payoutId })).payoutLines);
}

/** Opens a raw channel record, pretty-printed when it is JSON. */
export async function openRaw(id) {
  const body = dialog(`Raw record ${id}`);
  show(body, loading('the raw record'));
  try {
    const { rawRecord: r } = await gql(
      'query Raw($id: ID!) { rawRecord(id: $id) { id channel sourceKind sourceId sha256 payload receivedAt } }',
      { id },
    );
    let text = r.payload;
    try {
      text = JSON.stringify(JSON.parse(r.payload), null, 2);
    } catch {
      // Not JSON (a file row): shown as received.
    }
    show(
      body,
      h('dl', { class: 'facts' }, h('dt', {}, 'Channel'), h('dd', {}, r.channel), h('dt', {}, 'Source'), h('dd', {}, `${r.sourceKind} ${r.sourceId}`), h('dt', {}, 'Received'), h('dd', {}, r.receivedAt), h('dt', {}, 'SHA-256'), h('dd', { class: 'mono' }, r.sha256)),
      h('pre', { class: 'raw-payload' }, text),
    );
  } catch (error) {
    show(body, failure('the raw record', error));
  }
}
