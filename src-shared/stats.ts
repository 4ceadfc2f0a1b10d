/**
 * Statistics for comparing experiments (groups of repeated runs): summaries, Student-t tests,
 * bootstrap intervals and the config hash that groups runs. Pure functions, no Node or DOM.
 */
import type { RunConfig } from './config.ts';
import { Rng } from './rng.ts';

/** Neumaier-compensated sum: keeps ten accuracies summing to within an ulp of the exact value. */
function exactishSum(xs: readonly number[]): number {
  let sum = 0;
  let compensation = 0;
  for (const x of xs) {
    const t = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + compensation;
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : exactishSum(xs) / xs.length;
}

/** Sample variance (n − 1 denominator, as pandas/numpy ddof=1); null below two values. */
export function sampleVariance(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  // Two passes (deviations from the mean) avoid the cancellation of the sum-of-squares formula.
  return exactishSum(xs.map((x) => (x - m) * (x - m))) / (xs.length - 1);
}

/** Sample standard deviation (n − 1); null for a single value, where it is undefined. */
export function sampleStd(xs: readonly number[]): number | null {
  const v = sampleVariance(xs);
  return v === null ? null : Math.sqrt(v);
}

export interface Summary {
  n: number;
  /** NaN when n = 0. */
  mean: number;
  /** null when n < 2. */
  std: number | null;
}

export function summarize(xs: readonly number[]): Summary {
  return { n: xs.length, mean: mean(xs), std: sampleStd(xs) };
}

// ---------------------------------------------------------------------------------------------
// Student's t distribution through the regularized incomplete beta function.

const LANCZOS_G = 7;
const LANCZOS_COEFFS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the approximation in its accurate range.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS_COEFFS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_COEFFS.length; i++) a += LANCZOS_COEFFS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** Continued fraction of I_x(a, b) (modified Lentz, as in Numerical Recipes' betacf). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const eps = 1e-16;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  // Converges in O(sqrt(max(a, b))) steps; the cap only guards against NaN input.
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < eps) return h;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b). `y` = 1 − x may be passed when it is known more precisely
 * than 1 − x can be computed (the t tails), which keeps small tail probabilities accurate.
 */
export function regularizedIncompleteBeta(a: number, b: number, x: number, y: number = 1 - x): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x) || x < 0 || x > 1) return Number.NaN;
  if (x === 0) return 0;
  if (y === 0) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(y) - logBeta(a, b));
  // Evaluate the fraction on the side where it converges fast, using I_x(a,b) = 1 − I_y(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, y)) / b;
}

/** P(|T| ≥ |t|) for Student's t with df degrees of freedom (df may be fractional, as Welch's is). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  // P(|T| ≥ t) = I_{df/(df+t²)}(df/2, 1/2); both x and 1 − x are formed without cancellation.
  return regularizedIncompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

/** P(T ≤ t) for Student's t with df degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSidedP(t, df) / 2;
  return t < 0 ? tail : 1 - tail;
}

/** P(F ≥ f) for Fisher's F with d1 and d2 degrees of freedom. */
export function fDistSf(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || !(d1 > 0 && d2 > 0)) return Number.NaN;
  if (f <= 0) return 1;
  if (!Number.isFinite(f)) return 0;
  // P(F ≥ f) = I_{d2/(d2 + d1·f)}(d2/2, d1/2); both x and 1 − x formed without cancellation.
  return regularizedIncompleteBeta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f), (d1 * f) / (d2 + d1 * f));
}

export interface LeveneResult {
  /** The test statistic (an F value). */
  w: number;
  df1: number;
  df2: number;
  p: number;
}

/**
 * Levene's test that the groups have equal variances: a one-way ANOVA on each value's absolute
 * deviation from its group's centre. `median` (the default, Brown–Forsythe; scipy's default too) is
 * robust to skewed data such as accuracies near 1; `mean` is Levene's original. null when fewer than
 * two groups, a group has fewer than two values, or every deviation is equal.
 */
export function leveneTest(
  groups: readonly (readonly number[])[],
  center: 'median' | 'mean' = 'median',
): LeveneResult | null {
  if (groups.length < 2 || groups.some((g) => g.length < 2)) return null;
  const deviations = groups.map((g) => {
    const c =
      center === 'mean'
        ? mean(g)
        : quantileSorted(
            [...g].sort((a, b) => a - b),
            0.5,
          );
    return g.map((x) => Math.abs(x - c));
  });
  const n = groups.reduce((acc, g) => acc + g.length, 0);
  const grand = mean(deviations.flat());
  let between = 0;
  let within = 0;
  for (const z of deviations) {
    const m = mean(z);
    between += z.length * (m - grand) ** 2;
    for (const v of z) within += (v - m) ** 2;
  }
  const df1 = groups.length - 1;
  const df2 = n - groups.length;
  if (within === 0) return null;
  const w = between / df1 / (within / df2);
  return { w, df1, df2, p: fDistSf(w, df1, df2) };
}

export type TTestKind = 'welch' | 'paired' | 'one-sample';

export interface TTestResult {
  kind: TTestKind;
  /** Mean of a minus mean of b (or the constant for a one-sample test). */
  meanDiff: number;
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * Welch's unequal-variance t-test of a vs b. null when either side has fewer than two values or
 * both variances are zero (t is undefined there).
 */
export function welchTTest(a: readonly number[], b: readonly number[]): TTestResult | null {
  const va = sampleVariance(a);
  const vb = sampleVariance(b);
  if (va === null || vb === null) return null;
  const sa = va / a.length;
  const sb = vb / b.length;
  if (sa + sb === 0) return null;
  const meanDiff = mean(a) - mean(b);
  const t = meanDiff / Math.sqrt(sa + sb);
  const df = ((sa + sb) * (sa + sb)) / ((sa * sa) / (a.length - 1) + (sb * sb) / (b.length - 1));
  return { kind: 'welch', meanDiff, t, df, p: studentTTwoSidedP(t, df) };
}

/** One-sample t-test of xs against a constant (e.g. a single-run baseline). null as for Welch. */
export function oneSampleTTest(xs: readonly number[], value: number): TTestResult | null {
  const v = sampleVariance(xs);
  if (v === null || v === 0) return null;
  const meanDiff = mean(xs) - value;
  const t = meanDiff / Math.sqrt(v / xs.length);
  const df = xs.length - 1;
  return { kind: 'one-sample', meanDiff, t, df, p: studentTTwoSidedP(t, df) };
}

/** Paired t-test on a[i] − b[i]; the lists must have equal length. null below two pairs or when all differences are equal. */
export function pairedTTest(a: readonly number[], b: readonly number[]): TTestResult | null {
  if (a.length !== b.length) throw new RangeError(`paired t-test needs equal lengths (${a.length} vs ${b.length})`);
  const test = oneSampleTTest(
    a.map((x, i) => x - b[i]),
    0,
  );
  return test && { ...test, kind: 'paired' };
}

export interface SeededValue {
  seed: number;
  value: number;
}

/**
 * Pairs two experiments' values by seed when both used exactly the same seeds (each once), ordered
 * by seed; null otherwise (then the runs are independent samples and Welch applies).
 */
export function pairBySeed(
  a: readonly SeededValue[],
  b: readonly SeededValue[],
): { a: number[]; b: number[]; seeds: number[] } | null {
  if (a.length !== b.length || a.length === 0) return null;
  const bySeed = new Map<number, number>();
  for (const { seed, value } of b) {
    if (bySeed.has(seed)) return null;
    bySeed.set(seed, value);
  }
  const seen = new Set<number>();
  for (const { seed } of a) {
    if (seen.has(seed) || !bySeed.has(seed)) return null;
    seen.add(seed);
  }
  const seeds = [...seen].sort((x, y) => x - y);
  const aBySeed = new Map(a.map(({ seed, value }) => [seed, value]));
  return {
    a: seeds.map((s) => aBySeed.get(s) as number),
    b: seeds.map((s) => bySeed.get(s) as number),
    seeds,
  };
}

// ---------------------------------------------------------------------------------------------
// Bootstrap.

/** Quantile of sorted values with linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

export interface BootstrapOptions {
  /** Confidence level, default 0.95. */
  level?: number;
  /** Number of resamples B, default 10 000. */
  resamples?: number;
  /** PRNG seed (a non-negative integer), default 0: the same input always gives the same interval. */
  seed?: number;
}

export interface Interval {
  low: number;
  high: number;
}

/** Percentile bootstrap confidence interval of the mean; null for an empty list. */
export function bootstrapMeanCI(xs: readonly number[], options: BootstrapOptions = {}): Interval | null {
  const { level = 0.95, resamples = 10_000, seed = 0 } = options;
  if (xs.length === 0) return null;
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap level must be in (0, 1), got ${level}`);
  if (!(Number.isInteger(resamples) && resamples > 0))
    throw new RangeError(`bootstrap resamples must be a positive integer, got ${resamples}`);
  const rng = Rng.fromSeed(seed, 'bootstrap');
  const n = xs.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += xs[rng.nextInt(n)];
    means[r] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  return { low: quantileSorted(sorted, (1 - level) / 2), high: quantileSorted(sorted, (1 + level) / 2) };
}

// ---------------------------------------------------------------------------------------------
// Grouping runs by configuration.

/**
 * JSON with object keys sorted at every level, so equal values always give the same text. Follows
 * JSON.stringify otherwise (undefined members dropped, non-finite numbers → null).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return bytes;
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a 64-bit hash of the UTF-8 bytes of text, as 16 lowercase hex digits. */
export function fnv1a64(text: string): string {
  let hash = FNV64_OFFSET;
  for (const byte of utf8Bytes(text)) hash = ((hash ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  return hash.toString(16).padStart(16, '0');
}

/**
 * Config paths that do not change what a run computes, so runs differing only there are repeats:
 * the seed (when a caller's config carries one) and the TensorBoard log folder.
 */
export const GROUP_KEY_IGNORED_PATHS: readonly string[] = ['seed', 'training.seed', 'training.tb_logs'];

function withoutPath(value: unknown, path: readonly string[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || path.length === 0) return value;
  const [head, ...rest] = path;
  if (!(head in value)) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (rest.length === 0) delete copy[head];
  else copy[head] = withoutPath(copy[head], rest);
  return copy;
}

/** The group key of a run: a hash of its config minus the seed, equal for repeats of one experiment. */
export function configGroupKey(config: RunConfig): string {
  let stripped: unknown = config;
  for (const path of GROUP_KEY_IGNORED_PATHS) stripped = withoutPath(stripped, path.split('.'));
  return fnv1a64(canonicalJson(stripped));
}
