// Overview: the headline tiles (the `kpis` query: each figure against the previous equal
// range), net sales and margin per channel over time (uPlot), and the channel comparison.

import { gql } from './api.js';
import { money, percent, plain, trim, shift, isNegative, toPlotNumber } from './decimal.js';
import { h, show, loading, failure, empty, table } from './ui.js';
import { openLines, FIGURE_BUCKETS } from './drill.js';

const ROW = `netSales { amount currency } channelFees { amount } creatorCosts { amount } adCosts { amount }
  cogs { amount } contributionProfit { amount } margin unitsSold orders roas tacos refundRate`;

const QUERY = `query Overview($range: DateRangeInput!, $currency: String, $grain: Dimension!) {
  kpis(range: $range, currency: $currency) { currency previousFrom previousTo
    changes { kpi isMoney current previous change }
    completeness { complete sources { name gap } } }
  trend: pnl(range: $range, groupBy: [$grain, CHANNEL], currency: $currency) {
    rows { key { period channel } netSales { amount } margin } }
  blendedMargin(range: $range, granularity: $grain, currency: $currency) {
    periods { period row { netSales { amount } margin } } }
  channelComparison(range: $range, currency: $currency) { currency rows { key { channel } ${ROW} } total { ${ROW} } }
}`;

const TILES = {
  NET_SALES: 'Net sales',
  CONTRIBUTION_PROFIT: 'Contribution profit',
  MARGIN: 'Margin',
  AD_SPEND: 'Ad spend',
  ROAS: 'ROAS',
  TACOS: 'TACoS',
  REFUND_RATE: 'Refund rate',
};
// The buckets behind the money tiles (COGS has no ledger lines: it comes from unit costs).
const TILE_BUCKETS = {
  NET_SALES: FIGURE_BUCKETS.netSales,
  CONTRIBUTION_PROFIT: [...FIGURE_BUCKETS.netSales, ...FIGURE_BUCKETS.channelFees, ...FIGURE_BUCKETS.creatorCosts, ...FIGURE_BUCKETS.adCosts, 'ADJUSTMENTS'],
  AD_SPEND: FIGURE_BUCKETS.adCosts,
};
// Which tiles are better when they go down.
const LOWER_IS_BETTER = new Set(['AD_SPEND', 'TACOS', 'REFUND_RATE']);

function value(change, currency) {
  if (change.current === null) return '—';
  if (change.isMoney) return money(change.current, currency);
  if (change.kpi === 'ROAS') return `${plain(trim(change.current, 2))}×`;
  return percent(change.current);
}

function delta(change) {
  if (change.change === null) return null;
  const up = !isNegative(change.change);
  const sign = up ? '+' : '−';
  const digits = trim(change.change.replace('-', ''), 4);
  const text = change.isMoney
    ? `${sign}${plain(trim(shift(digits, 2), 2))} %`
    : change.kpi === 'ROAS'
      ? `${sign}${plain(trim(digits, 2))}×`
      : `${sign}${plain(trim(shift(digits, 2), 2))} pp`;
  return text;
}

function tile(change, currency, previous) {
  const good = change.change === null ? 'flat' : isNegative(change.change) === LOWER_IS_BETTER.has(change.kpi) ? 'good' : 'bad';
  return h(
    'article',
    { class: 'tile', dataset: { kpi: change.kpi, value: change.current ?? '' } },
    h('h3', {}, TILES[change.kpi] ?? change.kpi),
    h('p', { class: 'figure' }, TILE_BUCKETS[change.kpi]
      ? h('button', { type: 'button', class: 'link', title: 'The ledger lines behind it', onclick: () => openLines({}, `${TILES[change.kpi]}: ledger lines`, TILE_BUCKETS[change.kpi]) }, value(change, currency))
      : value(change, currency)),
    h('p', { class: `change ${good}`, title: `against ${previous}` }, delta(change) === null ? 'nothing to compare with' : `${delta(change)} vs previous period`),
  );
}

/** One series per channel plus the blended one, aligned on the periods of the blended answer. */
function series(data, field) {
  const periods = data.blendedMargin.periods.map((p) => p.period);
  const channels = [...new Set(data.trend.rows.map((r) => r.key.channel))];
  const pick = (row) => (field === 'margin' ? row?.margin : row?.netSales.amount);
  const lines = channels.map((channel) =>
    periods.map((period) => toPlotNumber(pick(data.trend.rows.find((r) => r.key.channel === channel && r.key.period === period)))),
  );
  const blended = data.blendedMargin.periods.map((p) => toPlotNumber(pick(p.row)));
  return { periods, labels: [...channels, 'All channels'], lines: [...lines, blended] };
}

const COLORS = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#111827'];

/** A chart's frame; drawn by `chart` once every frame is laid out (their widths are final). */
function frame(title) {
  return h('figure', { class: 'chart' }, h('figcaption', {}, title));
}

function chart(box, { periods, labels, lines }, format) {
  if (!window.uPlot) {
    box.append(empty('The chart library did not load.'));
    return;
  }
  if (!periods.length) {
    box.append(empty('No data in this range.'));
    return;
  }
  // The figure's inner width (its padding is 0.6rem a side).
  const width = Math.max(260, (box.clientWidth || 600) - 24);
  // eslint-disable-next-line no-new
  new window.uPlot(
    {
      width,
      height: 240,
      scales: { x: { time: false } },
      axes: [
        { values: (_, splits) => splits.map((i) => periods[i] ?? '') },
        { values: (_, splits) => splits.map(format), size: 70 },
      ],
      series: [{ label: 'Period', value: (_, i) => periods[i] ?? '' }, ...labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: label === 'All channels' ? 3 : 1.5, value: (_, v) => (v === null ? '—' : format(v)) }))],
    },
    [periods.map((_, i) => i), ...lines],
    box,
  );
}

function comparison(report) {
  const m = (field) => ({
    key: field, label: field, num: true, sort: (r) => r[field].amount,
    value: (r) => (FIGURE_BUCKETS[field]
      ? h('button', { type: 'button', class: 'link', onclick: () => openLines({ channel: r.key.channel }, `${field} lines of ${r.key.channel}`, FIGURE_BUCKETS[field]) }, money(r[field].amount, report.currency))
      : money(r[field].amount, report.currency)),
  });
  const columns = [
    { key: 'channel', label: 'Channel', sort: (r) => r.key.channel ?? 'All', value: (r) => r.key.channel ?? 'All channels' },
    { ...m('netSales'), label: 'Net sales' },
    { ...m('channelFees'), label: 'Channel fees' },
    { ...m('creatorCosts'), label: 'Creator costs' },
    { ...m('adCosts'), label: 'Ad costs' },
    { ...m('cogs'), label: 'COGS' },
    { ...m('contributionProfit'), label: 'Contribution profit' },
    { key: 'margin', label: 'Margin', num: true, sort: (r) => r.margin, value: (r) => percent(r.margin) },
    { key: 'orders', label: 'Orders', num: true, sort: (r) => String(r.orders), value: (r) => String(r.orders) },
  ];
  return table(columns, report.rows, { sortKey: 'netSales', caption: 'Channels side by side', rowAttrs: (r) => ({ dataset: { channel: r.key.channel ?? '' } }) });
}

/** Renders the overview of `range` in `currency` (null: the org's) by `grain`. */
export async function overview(main, { range, currency, grain }) {
  show(main, loading('the overview'));
  let data;
  try {
    data = await gql(QUERY, { range, currency, grain });
  } catch (error) {
    show(main, failure('the overview', error));
    return;
  }
  const { kpis } = data;
  const previous = `${kpis.previousFrom} to ${kpis.previousTo}`;
  const tiles = h('section', { class: 'tiles', 'aria-label': 'Headline figures' }, kpis.changes.map((c) => tile(c, kpis.currency, previous)));
  const gaps = kpis.completeness.complete
    ? null
    : h('p', { class: 'state warning' }, 'Some sources do not reach the end of this range: ', kpis.completeness.sources.filter((s) => s.gap).map((s) => `${s.name}: ${s.gap}`).join('; '));
  const charts = h('section', { class: 'charts' });
  show(main, h('h2', {}, `Overview (${kpis.currency})`), gaps, tiles, charts, data.channelComparison.rows.length ? comparison(data.channelComparison) : empty('No sales in this range.'));
  const [sales, margin] = [frame('Net sales'), frame('Margin')];
  charts.append(sales, margin);
  // Axis labels only: rounded numbers for ticks, never for amounts shown as figures.
  chart(sales, series(data, 'netSales'), (v) => Math.round(v).toLocaleString('en'));
  chart(margin, series(data, 'margin'), (v) => `${Math.round(v * 100)} %`);
}
