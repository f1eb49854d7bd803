// The page's shared choices: the range, reporting currency and chart grain, kept in
// sessionStorage so a reload keeps them.

const KEY = 'pnl.dashboard.view';

let view = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') ?? { preset: '30', currency: '', grain: 'DAY', from: null, to: null };

/** The current choices. */
export function current() {
  return view;
}

/** Changes some choices. */
export function update(changes) {
  view = { ...view, ...changes };
  sessionStorage.setItem(KEY, JSON.stringify(view));
}

/** The range as the API takes it. */
export function currentRange() {
  return { from: view.from, to: view.to };
}

/** A date as YYYY-MM-DD (calendar arithmetic in UTC, no time zone surprises). */
export function iso(date) {
  return date.toISOString().slice(0, 10);
}

/** The range of `preset` ("7", "30", "90", "mtd") ending on `anchor` (YYYY-MM-DD). */
export function presetRange(preset, anchor) {
  const end = new Date(`${anchor}T00:00:00Z`);
  const start = new Date(end);
  if (preset === 'mtd') start.setUTCDate(1);
  else start.setUTCDate(start.getUTCDate() - (Number(preset) - 1));
  return { from: iso(start), to: iso(end) };
}
