// Connections: shops and ad accounts with their sync state and live progress (the
// `syncProgress` subscription), a connect button per channel, and the unmapped fee labels
// with a control to map them (admin).

import { gql, subscribe } from './api.js';
import { money } from './decimal.js';
import { h, show, loading, failure, empty, table } from './ui.js';

const SYNC = 'syncStatus { state lastSuccessAt lastError progress { step done total } }';
const QUERY = `{ me { scopes }
  shops { id channel name region currency status statusMessage ${SYNC} }
  adAccounts { id name currency status ${SYNC} }
  unmappedFees { channel label entries total { amount currency } } }`;

const KINDS = [
  ['tiktok', 'TikTok Shop'],
  ['tiktok-ads', 'TikTok Ads'],
  ['amazon', 'Amazon'],
  ['shopify', 'Shopify'],
];
const BUCKETS = ['PLATFORM_COMMISSION', 'TRANSACTION_FEES', 'REFUND_ADMIN_FEES', 'FULFILLMENT', 'SHIPPING_COSTS', 'STORAGE', 'PROGRAM_FEES', 'PENALTIES', 'AFFILIATE_COMMISSION', 'ADVERTISING', 'ADJUSTMENTS', 'WITHHOLDING_TAX', 'RESERVES', 'OTHER'];

let stops = [];

function progress(sync) {
  if (!sync) return h('span', { class: 'sync' }, 'not scheduled');
  const p = sync.progress;
  const bar = p?.total ? h('progress', { max: String(p.total), value: String(p.done) }) : null;
  return h(
    'span',
    { class: 'sync', dataset: { state: sync.state, step: p?.step ?? '', done: String(p?.done ?? '') } },
    h('span', { class: `badge ${sync.state.toLowerCase()}` }, sync.state),
    p ? ` ${p.step} ${p.done}${p.total ? ` / ${p.total}` : ''} ` : ' ',
    bar,
    sync.lastError ? h('span', { class: 'error' }, ` ${sync.lastError}`) : null,
  );
}

function connectButton([kind, label], canConnect) {
  const button = h('button', { type: 'button', disabled: !canConnect, title: canConnect ? null : 'Needs a token with connectors:write' }, `Connect ${label}`);
  button.addEventListener('click', async () => {
    let account = null;
    if (kind === 'shopify') {
      account = prompt('The shop\'s NAME.myshopify.com domain');
      if (!account) return;
    }
    try {
      const { authorizeUrl } = await gql('query Url($kind: String!, $account: String) { authorizeUrl(kind: $kind, account: $account) }', { kind, account });
      location.assign(authorizeUrl);
    } catch (error) {
      button.after(h('span', { class: 'error' }, ` ${error.message}`));
    }
  });
  return button;
}

function mapControl(fee, isAdmin, reload) {
  if (!isAdmin) return h('span', { class: 'hint' }, 'an admin can map it');
  const select = h('select', { 'aria-label': `Bucket for ${fee.label}` }, BUCKETS.map((b) => h('option', { value: b }, b)));
  const status = h('span', { role: 'status' });
  const button = h('button', { type: 'button', class: 'map' }, 'Map');
  button.addEventListener('click', async () => {
    status.textContent = ' saving…';
    try {
      await gql('mutation Map($input: SetFeeMappingInput!) { setFeeMapping(input: $input) { label bucket } }', { input: { channel: fee.channel, label: fee.label, bucket: select.value } });
      reload();
    } catch (error) {
      status.textContent = ` not mapped: ${error.message}`;
    }
  });
  return h('span', { class: 'map-control' }, select, button, status);
}

/** Renders the connections page; live progress runs until the page is left. */
export async function connections(main) {
  for (const stop of stops) stop();
  stops = [];
  const reload = () => connections(main);
  show(main, loading('connections'));
  let data;
  try {
    data = await gql(QUERY);
  } catch (error) {
    show(main, failure('connections', error));
    return;
  }
  const scopes = new Set(data.me.scopes);
  const isAdmin = scopes.has('admin');
  const canConnect = isAdmin || scopes.has('connectors:write');
  const shopCells = new Map();
  const shops = table(
    [
      { key: 'name', label: 'Shop', sort: (s) => s.name, value: (s) => `${s.name}${s.region ? ` (${s.region})` : ''}` },
      { key: 'channel', label: 'Channel', sort: (s) => s.channel, value: (s) => s.channel },
      { key: 'status', label: 'Grant', sort: (s) => s.status, value: (s) => (s.statusMessage ? `${s.status}: ${s.statusMessage}` : s.status) },
      {
        key: 'sync', label: 'Sync',
        value: (s) => {
          const cell = h('span', { class: 'sync-cell', dataset: { shop: s.id } }, progress(s.syncStatus));
          shopCells.set(s.id, cell);
          return cell;
        },
      },
      {
        key: 'run', label: '',
        value: (s) => h('button', { type: 'button', class: 'sync-now', disabled: !canConnect, onclick: () => gql('mutation Sync($id: ID!) { triggerSync(shopId: $id) { id } }', { id: s.id }).catch((error) => alert(error.message)) }, 'Sync now'),
      },
    ],
    data.shops,
    { caption: 'Shops' },
  );
  const ads = table(
    [
      { key: 'name', label: 'Ad account', sort: (a) => a.name, value: (a) => a.name },
      { key: 'status', label: 'Grant', sort: (a) => a.status, value: (a) => a.status },
      { key: 'sync', label: 'Sync', value: (a) => progress(a.syncStatus) },
    ],
    data.adAccounts,
    { caption: 'Ad accounts' },
  );
  const fees = table(
    [
      { key: 'channel', label: 'Channel', sort: (f) => f.channel, value: (f) => f.channel },
      { key: 'label', label: 'Label', sort: (f) => f.label, value: (f) => f.label },
      { key: 'entries', label: 'Lines', num: true, sort: (f) => String(f.entries), value: (f) => String(f.entries) },
      { key: 'total', label: 'Total', num: true, sort: (f) => f.total.amount, value: (f) => money(f.total.amount, f.total.currency) },
      { key: 'map', label: 'Map to', value: (f) => mapControl(f, isAdmin, reload) },
    ],
    data.unmappedFees,
    { caption: 'Unmapped fee labels (booked to OTHER until mapped)', rowAttrs: (f) => ({ class: 'unmapped-fee', dataset: { label: f.label } }) },
  );
  show(
    main,
    h('h2', {}, 'Connections'),
    h('div', { class: 'connect' }, KINDS.map((k) => connectButton(k, canConnect))),
    data.shops.length ? shops : empty('No shop connected yet: use a button above.'),
    data.adAccounts.length ? ads : null,
    data.unmappedFees.length ? fees : empty('Every fee label is mapped.'),
  );
  for (const [id, cell] of shopCells) {
    stops.push(
      subscribe(
        `subscription Progress($id: ID!) { syncProgress(shopId: $id) { id ${SYNC} } }`,
        { id },
        (d) => {
          // Marks the cell as following the sync live (the first event is the state now).
          cell.dataset.live = 'true';
          cell.title = 'Updates live';
          show(cell, progress(d.syncProgress.syncStatus));
        },
        (error) => cell.append(h('span', { class: 'error' }, ` ${error.message}`)),
      ),
    );
  }
}

/** Stops the live progress (when another page opens). */
export function leaveConnections() {
  for (const stop of stops) stop();
  stops = [];
}
