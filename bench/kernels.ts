/**
 * The native kernels (src-main/engine/native) against what they replace, on the shapes of an
 * ImageNet-LT-sized run, each measured in this run on one thread: the first layer's two products per
 * row slab (16 × 136 × 12,288, as each of the two threads computes them every step) through the wasm
 * backend's matMul, the score GEMM (1,024 × 1,000 × 2,048) likewise, and Adam's update of a W1 slab
 * (196,608 weights) in the JavaScript rule. Prints ms per call (median of the repetitions), GFLOP/s and
 * the ratios. Run: `node bin/run-ts.mjs bench/kernels.ts`.
 */
import os from 'node:os';
import { Rng } from '../src-shared/rng.ts';
import { initBackend } from '../src-main/engine/backend.ts';
import { SlabProducts } from '../src-main/engine/first-layer.ts';
import { nativeKernels, nativeUnavailableReason } from '../src-main/engine/native-kernels.ts';
import { initOptimizerState, optimizerStep, parseOptimizer } from '../src-main/engine/optim.ts';
import { ScoreGemm } from '../src-main/engine/score-pool.ts';

await initBackend('wasm');
const native = nativeKernels();
if (!native) {
  console.log(`native kernels unavailable: ${nativeUnavailableReason()}`);
  process.exit(1);
}
console.log(`native ${native.isa()} vs wasm (SIMD, one thread); load ${os.loadavg()[0].toFixed(1)}`);

const rng = Rng.fromSeed(1, 'bench-kernels');
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.nextFloat() - 0.5);

/** Median ms per call over `reps` calls, after one warm-up call. */
function ms(fn: () => void, reps: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

function compare(label: string, flops: number, reps: number, ours: () => void, theirs: () => void): void {
  // Alternated, so both see the same load.
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 3; round++) {
    a.push(ms(ours, reps));
    b.push(ms(theirs, reps));
  }
  const [n, w] = [Math.min(...a), Math.min(...b)];
  const rate = (t: number) => (flops ? ` (${(flops / t / 1e6).toFixed(0)} GFLOP/s)` : '');
  console.log(
    `${label.padEnd(44)} native ${n.toFixed(3)} ms${rate(n)}   replaced ${w.toFixed(3)} ms${rate(w)}   ${(w / n).toFixed(2)}× faster`,
  );
}

const [rows, F, D] = [16, 136, 6 * 2048];
const sources = rand(F * D);
const w1 = rand(rows * D);
const dz = rand(rows * F);
const nat = new SlabProducts(sources, F, D, native);
const wasm = new SlabProducts(sources, F, D, null);
const productFlops = 2 * rows * F * D;
compare(
  'first layer forward, 16 × 136 × 12,288',
  productFlops,
  20,
  () => nat.forward(w1, rows),
  () => wasm.forward(w1, rows),
);
compare(
  'first layer gradient, 16 × 12,288 × 136',
  productFlops,
  20,
  () => nat.grad(dz, rows),
  () => wasm.grad(dz, rows),
);

const [N, C, d] = [1024, 1000, 2048];
const feats = rand(N * d);
const weight = rand(C * d);
const out = new Float32Array(N * C);
const gemmNative = new ScoreGemm(weight, d, C, native);
const gemmWasm = new ScoreGemm(weight, d, C, null);
compare(
  'scores, 1,024 × 1,000 × 2,048',
  2 * N * C * d,
  3,
  () => gemmNative.multiply(feats, N, out),
  () => gemmWasm.multiply(feats, N, out),
);

const optim = parseOptimizer('AdamW', { lr: '0.001', weight_decay: '0.01' });
const adam = (on: boolean) => {
  const p = [rand(rows * D)];
  const g = [rand(rows * D)];
  const state = initOptimizerState(optim, p);
  return () => {
    if (!on) process.env.ALPHANET_NATIVE = '0';
    optimizerStep(optim, state, p, g, 0.001);
    delete process.env.ALPHANET_NATIVE;
  };
};
compare("AdamW's update, 196,608 weights", 0, 20, adam(true), adam(false));
nat.dispose();
wasm.dispose();
gemmNative.dispose();
gemmWasm.dispose();
