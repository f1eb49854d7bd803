// Exact formatting and comparison of the API's decimal strings ("-1234.50"). Money is never
// turned into a JavaScript number: digits are moved and grouped as text, and comparisons go
// through BigInt at a common scale.

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Splits "-12.340" into {negative, int: "12", frac: "340"}; null for anything else. */
export function parse(text) {
  const match = DECIMAL.exec(String(text ?? '').trim());
  if (!match) return null;
  return { negative: match[1] === '-', int: match[2].replace(/^0+(?=\d)/, ''), frac: match[3] ?? '' };
}

function isZero(d) {
  return /^0*$/.test(d.int) && /^0*$/.test(d.frac);
}

/** Groups an integer digit string by thousands: "1234567" → "1,234,567". */
function group(int) {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Moves the decimal point `places` to the right ("0.4867", 2 → "48.67"; "20", −2 → "0.20"), exactly. */
export function shift(text, places) {
  const d = parse(text);
  if (!d) return null;
  if (places < 0) {
    const int = d.int.padStart(-places + 1, '0');
    const cut = int.length + places;
    const whole = int.slice(0, cut).replace(/^0+(?=\d)/, '');
    return `${d.negative && !isZero(d) ? '-' : ''}${whole}.${int.slice(cut)}${d.frac}`;
  }
  const frac = d.frac.padEnd(places, '0');
  const int = (d.int + frac.slice(0, places)).replace(/^0+(?=\d)/, '');
  const rest = frac.slice(places);
  return `${d.negative && !isZero(d) ? '-' : ''}${int}${rest ? `.${rest}` : ''}`;
}

const symbols = new Map();
/** The currency's symbol in English ("$", "£", "¥"), or its code. */
function symbol(currency) {
  if (!symbols.has(currency)) {
    let found = currency;
    try {
      // Formatting zero only to learn the symbol: no amount goes through a number.
      const parts = new Intl.NumberFormat('en', { style: 'currency', currency }).formatToParts(0);
      found = parts.find((p) => p.type === 'currency')?.value ?? currency;
    } catch {
      // An unknown code keeps its letters.
    }
    symbols.set(currency, found);
  }
  return symbols.get(currency);
}

/** "-1234.50", "USD" → "−$1,234.50" (digits exactly as the API sent them). */
export function money(amount, currency) {
  const d = parse(amount);
  if (!d) return '—';
  const sign = d.negative && !isZero(d) ? '−' : '';
  return `${sign}${symbol(currency ?? '')}${group(d.int)}${d.frac ? `.${d.frac}` : ''}`;
}

/** A plain decimal with grouping: "12345.6" → "12,345.6". */
export function plain(text) {
  const d = parse(text);
  if (!d) return '—';
  return `${d.negative && !isZero(d) ? '−' : ''}${group(d.int)}${d.frac ? `.${d.frac}` : ''}`;
}

/** A ratio as a percentage with two decimals: "0.4867" → "48.67 %". */
export function percent(ratio) {
  const shifted = shift(ratio, 2);
  return shifted === null ? '—' : `${plain(trim(shifted, 2))} %`;
}

/** Cuts (never rounds up) the fraction to at most `places` digits, padding to `places`. */
export function trim(text, places) {
  const d = parse(text);
  if (!d) return text;
  const frac = d.frac.slice(0, places).padEnd(places, '0');
  return `${d.negative && !isZero(d) ? '-' : ''}${d.int}${places ? `.${frac}` : ''}`;
}

/** Whether the decimal is below zero. */
export function isNegative(text) {
  const d = parse(text);
  return Boolean(d && d.negative && !isZero(d));
}

/** −1, 0 or 1 as `a` is below, equal to or above `b`; null/invalid sort first. */
export function compare(a, b) {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  const scale = Math.max(x.frac.length, y.frac.length);
  const big = (d) => BigInt(`${d.negative ? '-' : ''}${d.int}${d.frac.padEnd(scale, '0')}`);
  const [p, q] = [big(x), big(y)];
  return p < q ? -1 : p > q ? 1 : 0;
}

/** For a chart's y position only (pixels, never money arithmetic): the decimal as a number. */
export function toPlotNumber(text) {
  return parse(text) ? Number(text) : null;
}
