/**
 * Score GEMMs: X·Wᵀ through the native kernels or the backend (ScoreGemm), and over a whole datagrp on
 * every core (computeScores). The wasm backend (and the native kernels beside it) runs one thread per instance, so the pool starts one worker (its
 * own wasm instance) per core and deals row blocks out to them: 2048 rows (16 MB at d = 2048, ~1% of
 * the block's compute to move), read from disk block by block for a lazily loaded datagrp, so the
 * features are never held whole, let alone duplicated. Native backends are multi-threaded already and
 * small products are not worth a worker's start-up: both run in this thread. Any worker failure falls
 * back to this thread, so the result never depends on the pool. Measured here (2 cores shared with
 * other work): ~40 GFLOP/s on one wasm thread, ~52–55 GFLOP/s on the pool of two; the native kernels
 * ~70–80 GFLOP/s on one thread (bench/kernels.ts).
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers.ts';
import { tf, type BackendName } from './backend.ts';
import { nativeKernelsFor, type NativeKernels } from './native-kernels.ts';

export interface ScoreWorkerInput {
  backend: BackendName;
  /** Whether the products run in the native kernels, as they would in the main thread. */
  native: boolean;
}
/**
 * A computation: its weight and the scores array (n × C, in shared memory) the worker fills; then row
 * blocks (views of shared slots), each answered `done` once its rows of `out` are written.
 */
export type ScoreWorkerRequest =
  | { type: 'weight'; weight: Float32Array; dim: number; nClasses: number; out: Float32Array }
  | { type: 'rows'; id: number; rows: Float32Array; n: number; outRow: number };
export type ScoreWorkerReply =
  { type: 'ready'; backend: string } | { type: 'done'; id: number } | { type: 'error'; message: string };

/** Row-major (rows × cols) → (cols × rows). */
export function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/** Rows per GEMM chunk: big enough that per-call overhead vanishes, small enough for wasm memory. */
export const SCORE_CHUNK_ROWS = 1024;

/**
 * X·Wᵀ through the active backend with Wᵀ (d × C) uploaded once, `chunk` rows of X at a time. Chunk
 * size barely matters (measured on wasm: ~40 GFLOP/s from 64 to 4096 rows at d = 2048, C = 1000) as
 * long as results are read back outside tf.tidy: a typed array returned from tidy is walked element by
 * element looking for tensors, which cost 3–10× (the old 64-row path).
 */
export class ScoreGemm {
  private readonly W: tf.Tensor2D | null;

  /** `native`: the native kernels, which take the weight as it is (C × d); null: the tfjs backend. */
  constructor(
    private readonly weight: Float32Array,
    readonly dim: number,
    readonly nClasses: number,
    private readonly native: NativeKernels | null = nativeKernelsFor(tf.getBackend()),
  ) {
    this.W = native ? null : tf.tensor2d(transposed(weight, nClasses, dim), [dim, nClasses]);
  }

  /** Scores of `n` rows of `feats` into `out` (n × C) at row `outRow`. */
  multiply(feats: Float32Array, n: number, out: Float32Array, outRow = 0, chunk = SCORE_CHUNK_ROWS): void {
    const { dim, nClasses } = this;
    if (this.native) {
      const rows = out.subarray(outRow * nClasses, (outRow + n) * nClasses);
      this.native.abt(feats, this.weight, rows, n, nClasses, dim);
      return;
    }
    const W = this.W!;
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      const part = tf.tidy(() =>
        tf.matMul(tf.tensor2d(feats.subarray(start * dim, (start + rows) * dim), [rows, dim]), W),
      );
      out.set(part.dataSync() as Float32Array, (outRow + start) * nClasses);
      part.dispose();
    }
  }

  dispose(): void {
    this.W?.dispose();
  }
}

/**
 * Rows `start .. start+count` of a feature matrix (count × d, row-major), read into `into` when given,
 * else a fresh array the callee may keep (e.g. a read from disk for a lazily loaded datagrp), so big
 * products stream their input.
 */
export type FeatureRows = (start: number, count: number, into?: Float32Array) => Float32Array;

/** Raw scores X·Wᵀ (n × C) in this thread (computeScores spreads big ones over cores). */
export function rawScores(
  feats: Float32Array,
  n: number,
  dim: number,
  weight: Float32Array,
  nClasses: number,
): Float32Array {
  const out = new Float32Array(n * nClasses);
  const gemm = new ScoreGemm(weight, dim, nClasses);
  try {
    gemm.multiply(feats, n, out);
  } finally {
    gemm.dispose();
  }
  return out;
}

/** Rows per block sent to a worker (2048 × d=2048 floats = 16 MB). */
const BLOCK_ROWS = 2048;
/** Blocks in flight per worker: one computing, one queued, so a worker never waits on the main thread. */
const IN_FLIGHT = 2;
/** Below this many flops (~0.1 s on one wasm thread) a worker's start-up (~1 s) does not pay. */
const MIN_POOL_FLOPS = 4e9;

/** Workers to use: ALPHANET_SCORE_THREADS, else one per core. */
export function scoreThreads(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env.ALPHANET_SCORE_THREADS);
  return Number.isInteger(set) && set >= 1 ? set : os.availableParallelism();
}

let pool: { backend: BackendName; native: boolean; workers: Worker[] } | null = null;
let poolBroken = false;

/** A worker not ready by then is given up on (this thread computes instead). */
const WORKER_START_TIMEOUT_MS = 60_000;
/** The longest wait for the next block's scores (a block takes well under a second on one core). */
const BLOCK_TIMEOUT_MS = 5 * 60_000;

function startScoreWorker(backend: BackendName, native: boolean): Promise<Worker> {
  const input: ScoreWorkerInput = { backend, native };
  const worker = startWorker('score-worker', input);
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      void worker.terminate();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`score worker not ready after ${WORKER_START_TIMEOUT_MS / 1000} s`)),
      WORKER_START_TIMEOUT_MS,
    );
    timer.unref();
    worker.once('error', fail);
    worker.once('message', (msg: ScoreWorkerReply) => {
      clearTimeout(timer);
      worker.off('error', fail);
      if (msg.type === 'ready') resolve(worker);
      else fail(new Error(msg.type === 'error' ? msg.message : 'score worker did not start'));
    });
  });
}

async function workersFor(backend: BackendName, native: boolean, threads: number): Promise<Worker[]> {
  if (pool && pool.backend === backend && pool.native === native && pool.workers.length === threads)
    return pool.workers;
  await closeScorePool();
  const workers = await Promise.all(Array.from({ length: threads }, () => startScoreWorker(backend, native)));
  pool = { backend, native, workers };
  return workers;
}

/** Ends the pool's workers (they are unref'd while idle, so this is only needed to free their memory). */
export async function closeScorePool(): Promise<void> {
  const old = pool;
  pool = null;
  if (old) await Promise.all(old.workers.map((w) => w.terminate()));
}

/** Each block of rows as it is read, in row order (for work on the same pass, e.g. class means). */
type OnRows = (start: number, block: Float32Array) => void;

/**
 * The scores go into shared memory, which the workers fill in place, and the rows travel through a few
 * reused shared slots: filling fresh memory costs page faults (~4 ms per MB on this VM), so the workers
 * take those of the output side by side, and the input needs none after each slot's first use. `fresh`:
 * rowsAt reads from disk (into the slot); else it returns views, copied into the slot.
 */
function onPool(
  workers: Worker[],
  rowsAt: FeatureRows,
  fresh: boolean,
  n: number,
  dim: number,
  weight: Float32Array,
  nClasses: number,
  onRows?: OnRows,
): Promise<Float32Array> {
  const out = new Float32Array(new SharedArrayBuffer(4 * n * nClasses));
  const nBlocks = Math.ceil(n / BLOCK_ROWS);
  const slotRows = Math.min(BLOCK_ROWS, n);
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    let stall: NodeJS.Timeout | undefined;
    const finish = (error: Error | null) => {
      clearTimeout(stall);
      cleanups.forEach((c) => c());
      if (error) reject(error);
      else resolve(out);
    };
    // A pool that answers nothing for this long is given up on (this thread computes instead).
    const watch = () => {
      clearTimeout(stall);
      stall = setTimeout(() => finish(new Error(`no score block for ${BLOCK_TIMEOUT_MS / 1000} s`)), BLOCK_TIMEOUT_MS);
    };
    watch();
    /** Reads the next block into `slot` and sends it; returns its id (-1 when none is left). */
    const send = (worker: Worker, slot: Float32Array): number => {
      if (next >= nBlocks) return -1;
      const id = next++;
      const start = id * BLOCK_ROWS;
      const rows = Math.min(BLOCK_ROWS, n - start);
      const block = slot.subarray(0, rows * dim);
      const read = rowsAt(start, rows, fresh ? block : undefined);
      if (read.buffer !== block.buffer) block.set(read);
      onRows?.(start, block);
      const msg: ScoreWorkerRequest = { type: 'rows', id, rows: block, n: rows, outRow: start };
      worker.postMessage(msg);
      return id;
    };
    for (const worker of workers) {
      const slotOf = new Map<number, Float32Array>();
      const sendOn = (slot: Float32Array) => {
        const id = send(worker, slot);
        if (id >= 0) slotOf.set(id, slot);
      };
      const onMessage = (msg: ScoreWorkerReply) => {
        if (msg.type === 'error') return finish(new Error(msg.message));
        if (msg.type !== 'done') return;
        const slot = slotOf.get(msg.id);
        slotOf.delete(msg.id);
        if (++done === nBlocks) return finish(null);
        watch();
        if (slot) sendOn(slot);
      };
      const onError = (error: Error) => finish(error);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.ref();
      cleanups.push(() => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.unref();
      });
      const msg: ScoreWorkerRequest = { type: 'weight', weight, dim, nClasses, out };
      worker.postMessage(msg);
      for (let i = 0; i < IN_FLIGHT; i++) sendOn(new Float32Array(new SharedArrayBuffer(4 * slotRows * dim)));
    }
  });
}

/**
 * X·Wᵀ (n × C) for `n` rows of features (an n × d array, or a row source that reads blocks on demand)
 * and `weight` (C × d): on the worker pool when the active backend is single-threaded (wasm, cpu) and
 * the product is big, else in this thread. `onRows` sees every block of rows once, in order.
 */
export async function computeScores(
  feats: Float32Array | FeatureRows,
  n: number,
  dim: number,
  weight: Float32Array,
  nClasses: number,
  opts: {
    threads?: number;
    /** Smallest product (flops) worth the pool; tests lower it. */ minFlops?: number;
    onRows?: OnRows;
  } = {},
): Promise<Float32Array> {
  const fresh = typeof feats === 'function';
  const rowsAt: FeatureRows = fresh ? feats : (start, count) => feats.subarray(start * dim, (start + count) * dim);
  // Rows already shown to onRows: after a pool failure the fallback shows only the rest.
  let seen = 0;
  const onRows: OnRows = (start, block) => {
    if (start < seen) return;
    seen = start + block.length / dim;
    opts.onRows?.(start, block);
  };
  const threads = opts.threads ?? scoreThreads();
  const backend = tf.getBackend() as BackendName;
  const big = 2 * n * dim * nClasses >= (opts.minFlops ?? MIN_POOL_FLOPS);
  const pooled = !poolBroken && threads >= 2 && (backend === 'wasm' || backend === 'cpu') && big;
  if (pooled) {
    try {
      const native = nativeKernelsFor(backend) !== null;
      return await onPool(await workersFor(backend, native, threads), rowsAt, fresh, n, dim, weight, nClasses, onRows);
    } catch {
      // A pool that cannot start or fails once is not used again in this process; the result is the same.
      poolBroken = true;
      await closeScorePool();
    }
  }
  const out = new Float32Array(n * nClasses);
  const gemm = new ScoreGemm(weight, dim, nClasses);
  try {
    for (let start = 0; start < n; start += BLOCK_ROWS) {
      const rows = Math.min(BLOCK_ROWS, n - start);
      const block = rowsAt(start, rows);
      onRows(start, block);
      gemm.multiply(block, rows, out, start);
    }
  } finally {
    gemm.dispose();
  }
  return out;
}

/** Workers running now, and whether the pool failed in this process (then everything runs in-thread). */
export function scorePoolState(): { workers: number; broken: boolean } {
  return { workers: pool?.workers.length ?? 0, broken: poolBroken };
}
