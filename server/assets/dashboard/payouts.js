// Payouts: every statement, settlement and payout, newest first, with its reconciliation
// status and residual; one opens to its bucket breakdown and its ledger lines.

import { gql } from './api.js';
import { money } from './decimal.js';
import { h, show, loading, failure, empty, table, dialog } from './ui.js';
import { openPayoutLines } from './drill.js';

const QUERY = `query Payouts($after: String) { payouts(first: 100, after: $after) { edges { node {
  id kind channel externalId status channelStatus periodEnd paidAt
  reported { amount currency } ledger { amount currency } residual { amount currency }
  breakdown { bucket amount { amount currency } } } } pageInfo { hasNextPage endCursor } } }`;

function open(p) {
  const body = dialog(`${p.channel} ${p.kind.toLowerCase()} ${p.externalId}`);
  const lines = h('div', { class: 'payout-lines' });
  const breakdown = table(
    [
      { key: 'bucket', label: 'Bucket', sort: (b) => b.bucket, value: (b) => b.bucket },
      { key: 'amount', label: 'Amount', num: true, sort: (b) => b.amount.amount, value: (b) => money(b.amount.amount, b.amount.currency) },
    ],
    p.breakdown,
    { sortKey: 'amount', descending: false, caption: 'By bucket' },
  );
  show(body, h('p', {}, `Reported ${p.reported ? money(p.reported.amount, p.reported.currency) : 'not yet'}, ledger ${money(p.ledger.amount, p.ledger.currency)}, residual ${p.residual ? money(p.residual.amount, p.residual.currency) : '—'} (${p.status}).`), breakdown, h('h3', {}, 'Ledger lines'), lines);
  openPayoutLines(lines, p.id);
}

/** Renders the payouts page. */
export async function payouts(main) {
  show(main, loading('payouts'));
  let rows;
  try {
    rows = (await gql(QUERY)).payouts.edges.map((e) => e.node);
  } catch (error) {
    show(main, failure('payouts', error));
    return;
  }
  const columns = [
    { key: 'when', label: 'Period end', sort: (p) => p.periodEnd ?? p.paidAt ?? '', value: (p) => (p.periodEnd ?? p.paidAt ?? '').slice(0, 10) || '—' },
    { key: 'channel', label: 'Channel', sort: (p) => p.channel, value: (p) => p.channel },
    { key: 'id', label: 'Payout', sort: (p) => p.externalId, value: (p) => h('button', { type: 'button', class: 'link open-payout', onclick: () => open(p) }, `${p.kind.toLowerCase()} ${p.externalId}`) },
    { key: 'status', label: 'Status', sort: (p) => p.status, value: (p) => h('span', { class: `badge ${p.status.toLowerCase()}` }, p.status) },
    { key: 'reported', label: 'Reported', num: true, sort: (p) => p.reported?.amount, value: (p) => (p.reported ? money(p.reported.amount, p.reported.currency) : '—') },
    { key: 'ledger', label: 'Ledger', num: true, sort: (p) => p.ledger.amount, value: (p) => money(p.ledger.amount, p.ledger.currency) },
    { key: 'residual', label: 'Residual', num: true, sort: (p) => p.residual?.amount, value: (p) => (p.residual ? money(p.residual.amount, p.residual.currency) : '—') },
  ];
  // The API lists newest first; the table keeps that order until a header is clicked.
  show(main, h('h2', {}, 'Payouts'), rows.length ? table(columns, rows, { rowAttrs: (p) => ({ dataset: { payout: p.id } }) }) : empty('No payouts yet: they appear when the channels report statements.'));
}
