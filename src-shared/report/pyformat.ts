/**
 * Python's `format(x, '.Nf')` and `format(x, '.Ng')` for floats, digit for digit, so reports match
 * the original's text. JavaScript's toFixed/toPrecision differ on exact ties: 0.125 → "0.13" in JS,
 * "0.12" in Python (round half to even on the double's exact value); here rounding uses that exact
 * binary value.
 */

/** The double's exact value as an integer digit string and a power of ten: |x| = digits · 10^-scale. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exp2: number;
  if (biased === 0) {
    exp2 = -1074;
  } else {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  if (exp2 >= 0) return { digits: mantissa << BigInt(exp2), scale: 0 };
  // m · 2^-k = m · 5^k / 10^k
  return { digits: mantissa * 5n ** BigInt(-exp2), scale: -exp2 };
}

/** |x| rounded half-to-even to `decimals` places, as an integer n with |x| ≈ n · 10^-decimals. */
function roundToDecimals(x: number, decimals: number): bigint {
  const { digits, scale } = exactDecimal(x);
  if (decimals >= scale) return digits * 10n ** BigInt(decimals - scale);
  const div = 10n ** BigInt(scale - decimals);
  const q = digits / div;
  const r2 = (digits % div) * 2n;
  return r2 > div || (r2 === div && q % 2n === 1n) ? q + 1n : q;
}

function placeDecimalPoint(n: bigint, decimals: number): string {
  if (decimals <= 0) return n.toString() + '0'.repeat(-decimals);
  const s = n.toString().padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

const sign = (x: number) => (x < 0 || Object.is(x, -0) ? '-' : '');

/** Python `format(x, f'.{decimals}f')`. */
export function pyFixed(x: number, decimals: number): string {
  return special(x) ?? sign(x) + placeDecimalPoint(roundToDecimals(x, decimals), decimals);
}

/** Python `format(x, f'.{precision}g')` (general format, trailing zeros removed). */
export function pyGeneral(x: number, precision: number): string {
  const s = special(x);
  if (s !== null) return s;
  const p = Math.max(1, precision);
  if (x === 0) return sign(x) + '0';
  const { digits, scale } = exactDecimal(x);
  let exp10 = digits.toString().length - 1 - scale;
  let rounded = roundToDecimals(x, p - 1 - exp10);
  if (rounded.toString().length > p) {
    // Rounding carried into a new digit (9.96 → 10): one more power of ten.
    exp10 += 1;
    rounded = roundToDecimals(x, p - 1 - exp10);
  }
  const strip = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (exp10 >= -4 && exp10 < p) return sign(x) + strip(placeDecimalPoint(rounded, p - 1 - exp10));
  const mantissa = strip(placeDecimalPoint(rounded, p - 1));
  const e = Math.abs(exp10).toString().padStart(2, '0');
  return `${sign(x)}${mantissa}e${exp10 < 0 ? '-' : '+'}${e}`;
}
