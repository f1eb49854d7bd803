// Small DOM helpers: elements, states (loading, empty, error), sortable tables and a dialog.
// Text always goes in as text nodes (never parsed as HTML), so API strings cannot inject markup.

import { compare } from './decimal.js';

/** Creates an element: h('td', {class: 'num', dataset: {x: 1}, onclick}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces the content of `target`. */
export function show(target, ...children) {
  target.replaceChildren(...children.flat().filter(Boolean));
}

/** A "loading" placeholder. */
export const loading = (what) => h('p', { class: 'state loading', role: 'status' }, `Loading ${what}…`);
/** An "empty" placeholder. */
export const empty = (text) => h('p', { class: 'state empty' }, text);
/** An error in words. */
export const failure = (what, error) =>
  h('p', { class: 'state error', role: 'alert' }, `Could not load ${what}: ${error.message}`);

/**
 * A table of `rows` with `columns` [{key, label, value(row) → text or node, sort(row) → decimal
 * string or text, num: bool}], sortable by clicking a header. `rowAttrs(row)` adds attributes.
 */
export function table(columns, rows, { rowAttrs, sortKey, descending = true, caption } = {}) {
  let key = sortKey;
  let down = descending;
  const body = h('tbody');
  const render = () => {
    const column = columns.find((c) => c.key === key);
    const sorted = [...rows];
    if (column?.sort) {
      sorted.sort((a, b) => {
        const [x, y] = [column.sort(a), column.sort(b)];
        const order = column.num ? compare(x, y) : String(x ?? '').localeCompare(String(y ?? ''));
        return down ? -order : order;
      });
    }
    body.replaceChildren(
      ...sorted.map((row) =>
        h('tr', rowAttrs?.(row) ?? {}, columns.map((c) => h('td', { class: c.num ? 'num' : null, 'data-label': c.label }, c.value(row)))),
      ),
    );
    for (const th of head.querySelectorAll('th')) {
      th.setAttribute('aria-sort', th.dataset.key === key ? (down ? 'descending' : 'ascending') : 'none');
    }
  };
  const head = h(
    'tr',
    {},
    columns.map((c) =>
      h(
        'th',
        { class: c.num ? 'num' : null, dataset: { key: c.key }, scope: 'col' },
        c.sort
          ? h('button', { type: 'button', class: 'sort', onclick: () => { down = key === c.key ? !down : true; key = c.key; render(); } }, c.label)
          : c.label,
      ),
    ),
  );
  render();
  return h('div', { class: 'table-wrap' }, h('table', {}, caption ? h('caption', {}, caption) : null, h('thead', {}, head), body));
}

/** Opens a modal dialog titled `title` holding `content`; returns the dialog's body element. */
export function dialog(title) {
  const body = h('div', { class: 'dialog-body' });
  const element = h(
    'dialog',
    { class: 'drill', 'aria-label': title },
    h('header', {}, h('h2', {}, title), h('button', { type: 'button', class: 'close', 'aria-label': 'Close', onclick: () => element.close() }, '×')),
    body,
  );
  element.addEventListener('close', () => element.remove());
  document.body.append(element);
  element.showModal();
  return body;
}
