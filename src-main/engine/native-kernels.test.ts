import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-shared/rng.ts';
import { NATIVE_BUILT, withKernels } from '../../test/support/native.ts';
import {
  computeName,
  nativeKernels,
  nativeKernelsFor,
  nativeUnavailableReason,
  type NativeIsa,
  type NativeKernels,
} from './native-kernels.ts';
import { initOptimizerState, optimizerStep, parseOptimizer } from './optim.ts';

describe('native kernels: availability', () => {
  it('are built where CI requires them (ALPHANET_NATIVE_REQUIRED=1)', () => {
    if (process.env.ALPHANET_NATIVE_REQUIRED === '1') expect(nativeUnavailableReason()).toBe('');
    expect(nativeUnavailableReason() === '').toBe(NATIVE_BUILT);
  });

  it('are off with ALPHANET_NATIVE=0, and only beside the single-threaded backends', async () => {
    await withKernels(false, () => {
      expect(nativeKernels()).toBeNull();
      expect(nativeUnavailableReason()).toMatch(/ALPHANET_NATIVE=0/);
      expect(computeName('wasm')).toBe('wasm');
    });
    expect(nativeKernelsFor('tensorflow')).toBeNull();
    expect(computeName('tensorflow')).toBe('tensorflow');
    const native = nativeKernels();
    expect(computeName('wasm')).toBe(native ? `wasm + native ${native.isa()}` : 'wasm');
  });
});

const rand = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.nextFloat() * 2 - 1);

/** Row-major products in float64, for the error bound. */
function abtRef(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
      out[i * n + j] = s;
    }
  return out;
}
function abRef(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      out[i * n + j] = s;
    }
  return out;
}

/** Every ISA this CPU has, each run with `body`; restores the best. */
function eachIsa<T>(kernels: NativeKernels, body: (isa: NativeIsa) => T): Map<NativeIsa, T> {
  const best = kernels.isa();
  const out = new Map<NativeIsa, T>();
  try {
    for (const isa of ['avx2', 'avx512'] as const) {
      try {
        kernels.useIsa(isa);
      } catch {
        continue;
      }
      out.set(isa, body(isa));
    }
  } finally {
    kernels.useIsa(best);
  }
  return out;
}

// Shapes around the kernels' blocks: 16 lanes, 4 × 4 register blocks, 64-column strips, 16-row tiles.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 15],
  [4, 4, 16],
  [5, 17, 17],
  [7, 33, 100],
  [16, 136, 130],
  [9, 70, 1],
  [0, 3, 4],
];

describe.skipIf(!NATIVE_BUILT)('native kernels: products', () => {
  const kernels = nativeKernels()!;

  it.each(SHAPES)('A·Bᵀ and A·B of %i × %i × %i: close to float64, the same bits on every ISA', (m, n, k) => {
    const rng = Rng.fromSeed(m * 10_000 + n * 100 + k, 'products');
    const a = rand(rng, m * k);
    const bt = rand(rng, n * k);
    const b = rand(rng, k * n);
    const results = eachIsa(kernels, () => {
      const abt = new Float32Array(m * n).fill(Number.NaN);
      const ab = new Float32Array(m * n).fill(Number.NaN);
      kernels.abt(a, bt, abt, m, n, k);
      kernels.ab(a, b, ab, m, n, k);
      return { abt, ab };
    });
    expect(results.size).toBeGreaterThan(0);
    const wantT = abtRef(a, bt, m, n, k);
    const want = abRef(a, b, m, n, k);
    // |error| ≤ k·ε·Σ|aᵢbᵢ| ≤ k·ε·k for entries in [-1, 1].
    const bound = k * k * 2 ** -23;
    const first = [...results.values()][0];
    for (const { abt, ab } of results.values()) {
      abt.forEach((x, i) => expect(Math.abs(x - wantT[i])).toBeLessThanOrEqual(bound));
      ab.forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThanOrEqual(bound));
      expect(abt).toEqual(first.abt);
      expect(ab).toEqual(first.ab);
    }
  });

  it('gives every row the same bits whether it is computed alone or with the others (slabs, threads)', () => {
    const rng = Rng.fromSeed(5, 'slabs');
    const [m, n, k] = [13, 40, 301];
    const a = rand(rng, m * k);
    const bt = rand(rng, n * k);
    const b = rand(rng, k * n);
    const whole = new Float32Array(m * n);
    const wholeAb = new Float32Array(m * n);
    kernels.abt(a, bt, whole, m, n, k);
    kernels.ab(a, b, wholeAb, m, n, k);
    for (const [start, end] of [
      [0, 6],
      [6, 13],
      [3, 4],
    ]) {
      const rows = end - start;
      const part = new Float32Array(rows * n);
      const partAb = new Float32Array(rows * n);
      kernels.abt(a.subarray(start * k), bt, part, rows, n, k);
      kernels.ab(a.subarray(start * k), b, partAb, rows, n, k);
      expect(part).toEqual(whole.subarray(start * n, end * n));
      expect(partAb).toEqual(wholeAb.subarray(start * n, end * n));
    }
  });

  it('reads operands in shared memory where they are', () => {
    const a = new Float32Array(new SharedArrayBuffer(4 * 6)).fill(1);
    const out = new Float32Array(new SharedArrayBuffer(4 * 4));
    kernels.abt(a, Float32Array.of(1, 2, 3, 4, 5, 6), out, 2, 2, 3);
    expect(Array.from(out)).toEqual([6, 15, 6, 15]);
  });

  it('refuses arrays of the wrong type or too short for the shape, before touching memory', () => {
    const f = new Float32Array(12);
    expect(() => kernels.abt(new Float64Array(12) as unknown as Float32Array, f, f, 3, 3, 4)).toThrow(TypeError);
    expect(() => kernels.abt(f, f, new Float32Array(8), 3, 3, 4)).toThrow(/out holds 8 floats, the product needs 9/);
    expect(() => kernels.ab(f, new Float32Array(11), f, 3, 3, 4)).toThrow(/b holds 11 floats/);
    expect(() => kernels.abt(f, f, f, -1, 3, 4)).toThrow(RangeError);
    expect(() => kernels.adam(f, new Float32Array(3), f, f, null, 0.9, 0.999, 1e-3, 1, 1, 1e-8)).toThrow(
      /g holds 3 floats/,
    );
  });
});

describe.skipIf(!NATIVE_BUILT)("native kernels: Adam's update, bit for bit the JavaScript rule", () => {
  /** Values that exercise rounding: wide magnitudes, exact zeros, signed zeros, NaN and ±Infinity gradients. */
  function tensor(rng: Rng, n: number, special: boolean): Float32Array {
    return Float32Array.from({ length: n }, (_, i) => {
      if (special && i % 97 === 0) return [0, -0, Number.NaN, Number.POSITIVE_INFINITY, -1e-38][(i / 97) % 5];
      return (rng.nextFloat() * 2 - 1) * 10 ** Math.floor(rng.nextFloat() * 12 - 8);
    });
  }

  it.each([
    ['AdamW', { lr: '0.003', weight_decay: '0.05' }],
    ['AdamW', { lr: '0.01', amsgrad: 'True', maximize: 'True' }],
    ['Adam', { lr: '0.002' }],
    ['Adam', { lr: '0.002', weight_decay: '0.1', amsgrad: 'True', eps: '1e-6', betas: '(0.8, 0.95)' }],
  ])('%s %j over 12 steps', async (name, params) => {
    const optim = parseOptimizer(name, params);
    const n = 5000; // above the size at which updateParam hands over to the native kernels
    const run = (native: boolean) =>
      withKernels(native, () => {
        const rng = Rng.fromSeed(11, 'adam');
        const p = [tensor(rng, n, false)];
        const state = initOptimizerState(optim, p);
        for (let t = 0; t < 12; t++) optimizerStep(optim, state, p, [tensor(rng, n, t % 3 === 2)], 0.003 * (t + 1));
        return { p, buffers: state.buffers };
      });
    const js = await run(false);
    const native = await run(true);
    const bits = (a: Float32Array) =>
      Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (x, i) => (Number.isNaN(a[i]) ? 'NaN' : x));
    expect(bits(native.p[0])).toEqual(bits(js.p[0]));
    native.buffers[0].forEach((b, i) => expect(bits(b)).toEqual(bits(js.buffers[0][i])));
  });
});
