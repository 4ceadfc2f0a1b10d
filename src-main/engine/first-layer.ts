/**
 * The AlphaNet network's two big products, both on the first layer (h1 × (k+1)·d, nearly all of its
 * parameters): W1 · sourcesᵀ in the forward pass and dZ1ᵀ · sources for W1's gradient — at ImageNet-LT
 * scale 136 × 12,288 × 32 each, most of a training step. Each is computed in fixed row slabs of W1
 * (SLABS, the same whatever computes them), so every output element is the same dot product in the same
 * order on one thread or two: the same seed gives the same network.
 *
 * With a helper thread (its own wasm instance; wasm runs one thread per instance) the last slab is
 * computed there while this thread computes the others. The threads meet through shared memory and
 * Atomics, so a training step stays a plain synchronous function, with no event-loop turn per step.
 * The helper is used once it is ready; until then, and if it ever fails, this thread computes every
 * slab (the same numbers).
 */
import type { Worker } from 'node:worker_threads';
import { tf, type BackendName } from './backend.ts';
import { transposed } from './score-pool.ts';
import { startWorker } from '../workers.ts';

/** Slabs of W1's rows: 2 = one per core here. Changing it changes results in the last bits. */
export const SLABS = 2;

/** Indices into the control array shared with the helper. */
export const CTRL = { request: 0, op: 1, done: 2, ready: 3 } as const;
export const OP = { forward: 1, grad: 2, stop: 3 } as const;
/** A helper that has not answered in this long is given up (its slab is computed here). */
const HELPER_TIMEOUT_MS = 30_000;

export interface FirstLayerWorkerInput {
  backend: BackendName;
  ctrl: SharedArrayBuffer;
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
  sources: Float32Array;
  nFew: number;
  inDim: number;
  rows: number;
}


/** Row ranges [start, end) of `h` rows in SLABS near-equal slabs (fewer when h < SLABS). */
export function slabRows(h: number): [number, number][] {
  const n = Math.min(SLABS, h);
  return Array.from({ length: n }, (_, i) => [Math.floor((i * h) / n), Math.floor(((i + 1) * h) / n)]);
}

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  input: Float32Array;
  output: Float32Array;
}

export class FirstLayer {
  private readonly s: tf.Tensor2D;
  private readonly sT: tf.Tensor2D;
  readonly slabs: [number, number][];
  private helper: Helper | null = null;
  /** Slabs the helper computed (tests check it ran). */
  helperSlabs = 0;

  constructor(
    private readonly sources: Float32Array,
    readonly nFew: number,
    readonly inDim: number,
    readonly h: number,
  ) {
    this.s = tf.tensor2d(sources, [nFew, inDim]);
    this.sT = tf.tensor2d(transposed(sources, nFew, inDim), [inDim, nFew]);
    this.slabs = slabRows(h);
  }

  /** The layer input as a tensor (F × (k+1)·d), for the shapes of the small layers' products. */
  get sourcesTensor(): tf.Tensor2D {
    return this.s;
  }

  /**
   * Starts the helper thread for the last slab; resolves true once it is ready (false if it cannot
   * start). Training need not wait: slabs run here until it is ready.
   */
  startHelper(backend: BackendName): Promise<boolean> {
    if (this.helper || this.slabs.length < 2) return Promise.resolve(this.helper !== null);
    const [start, end] = this.slabs[this.slabs.length - 1];
    const rows = end - start;
    const ctrl = new SharedArrayBuffer(4 * 4);
    const input = new SharedArrayBuffer(4 * rows * Math.max(this.inDim, this.nFew));
    const output = new SharedArrayBuffer(4 * rows * Math.max(this.inDim, this.nFew));
    const data: FirstLayerWorkerInput = { backend, ctrl, input, output, sources: this.sources, nFew: this.nFew, inDim: this.inDim, rows };
    const worker = startWorker('first-layer-worker', data);
    worker.unref();
    const helper: Helper = { worker, ctrl: new Int32Array(ctrl), input: new Float32Array(input), output: new Float32Array(output) };
    this.helper = helper;
    return new Promise((resolve) => {
      const fail = () => {
        this.dropHelper();
        resolve(false);
      };
      worker.once('error', fail);
      worker.once('exit', fail);
      worker.once('message', (msg: { type: string }) => resolve(msg.type === 'ready' && Atomics.load(helper.ctrl, CTRL.ready) === 1));
    });
  }

  private dropHelper(): void {
    const helper = this.helper;
    this.helper = null;
    if (!helper) return;
    Atomics.store(helper.ctrl, CTRL.op, OP.stop);
    Atomics.add(helper.ctrl, CTRL.request, 1);
    Atomics.notify(helper.ctrl, CTRL.request);
    void helper.worker.terminate();
  }

  /** The helper when it is ready to take a request now. */
  private readyHelper(): Helper | null {
    return this.helper && Atomics.load(this.helper.ctrl, CTRL.ready) === 1 ? this.helper : null;
  }

  /** Runs `local` for every slab, the last on the helper when ready; `remote` fills its input. */
  private split(
    outWidth: number,
    op: number,
    fillInput: (helper: Helper, start: number, end: number) => void,
    local: (start: number, end: number) => Float32Array,
  ): Float32Array {
    const out = new Float32Array(this.h * outWidth);
    const helper = this.readyHelper();
    const last = this.slabs[this.slabs.length - 1];
    let want = -1;
    if (helper) {
      fillInput(helper, last[0], last[1]);
      Atomics.store(helper.ctrl, CTRL.op, op);
      want = Atomics.add(helper.ctrl, CTRL.request, 1) + 1;
      Atomics.notify(helper.ctrl, CTRL.request);
    }
    for (const [start, end] of helper ? this.slabs.slice(0, -1) : this.slabs) out.set(local(start, end), start * outWidth);
    if (helper) {
      const n = (last[1] - last[0]) * outWidth;
      let done = Atomics.load(helper.ctrl, CTRL.done);
      while (done !== want) {
        if (Atomics.wait(helper.ctrl, CTRL.done, done, HELPER_TIMEOUT_MS) === 'timed-out') break;
        done = Atomics.load(helper.ctrl, CTRL.done);
      }
      if (done === want) {
        out.set(helper.output.subarray(0, n), last[0] * outWidth);
        this.helperSlabs++;
      } else {
        this.dropHelper();
        out.set(local(last[0], last[1]), last[0] * outWidth);
      }
    }
    return out;
  }

  /** Z1ᵀ = W1 · sourcesᵀ (h × F, row-major) for W1 (h × (k+1)·d, row-major), without the bias. */
  forward(w1: Float32Array): Float32Array {
    const { inDim } = this;
    return this.split(
      this.nFew,
      OP.forward,
      (helper, start, end) => helper.input.set(w1.subarray(start * inDim, end * inDim)),
      (start, end) => this.product(tf.tensor2d(w1.subarray(start * inDim, end * inDim), [end - start, inDim]), this.sT),
    );
  }

  /** dW1 = dZ1ᵀ · sources (h × (k+1)·d) for dZ1ᵀ (h × F, row-major). */
  grad(dz1T: Float32Array): Float32Array {
    const F = this.nFew;
    return this.split(
      this.inDim,
      OP.grad,
      (helper, start, end) => helper.input.set(dz1T.subarray(start * F, end * F)),
      (start, end) => this.product(tf.tensor2d(dz1T.subarray(start * F, end * F), [end - start, F]), this.s),
    );
  }

  private product(a: tf.Tensor2D, b: tf.Tensor2D): Float32Array {
    const c = tf.matMul(a, b);
    const out = c.dataSync() as Float32Array;
    a.dispose();
    c.dispose();
    return out;
  }

  dispose(): void {
    this.dropHelper();
    this.s.dispose();
    this.sT.dispose();
  }
}
