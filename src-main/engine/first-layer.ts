/**
 * The AlphaNet network's first layer (h1 × (k+1)·d, nearly all of its parameters) and its two big
 * products: W1 · sourcesᵀ in the forward pass and dZ1ᵀ · sources for W1's gradient — at ImageNet-LT
 * scale 136 × 12,288 × 32 each — then W1's optimiser update. All three run in fixed row slabs of W1
 * (SLABS, the same whatever computes them), so every output element is the same dot product in the same
 * order, and every weight the same elementwise update, on one thread or two: the same seed gives the
 * same network.
 *
 * The products run in the native kernels when they are built (native-kernels.ts), else through the tfjs
 * backend; the helper uses whichever this thread does.
 *
 * With a helper thread (its own wasm instance; wasm runs one thread per instance) the last slab is
 * computed there while this thread computes the others. W1 and its optimiser state live in shared
 * memory once the training state is attached (attach), so the helper reads and updates its own rows in
 * place: per step only dZ1ᵀ's rows cross to it and Z1ᵀ's come back. The threads meet through Atomics,
 * so a training step stays a plain synchronous function, with no event-loop turn per step. The helper
 * is used once it is ready; until then this thread computes every slab (the same numbers).
 */
import type { Worker } from 'node:worker_threads';
import { tf, type BackendName } from './backend.ts';
import { nativeKernels, nativeKernelsFor, type NativeKernels } from './native-kernels.ts';
import { updateParam, updatesBySlices, type OptimizerSettings, type OptimizerState } from './optim.ts';
import { transposed } from './score-pool.ts';
import { startWorker } from '../workers.ts';

/** Slabs of W1's rows: 2 = one per core here. Changing it changes results in the last bits. */
export const SLABS = 2;

/** Indices into the control array shared with the helper (Int32). */
export const CTRL = { request: 0, op: 1, done: 2, ready: 3, helperSleeps: 4, mainSleeps: 5 } as const;
/** Bytes of the control array. */
export const CTRL_BYTES = 4 * 6;
export const OP = { forward: 1, grad: 2, update: 3, stop: 4 } as const;
/** Indices into the shared Float64 step arguments. */
export const ARG = { step: 0, lr: 1 } as const;
/**
 * A helper that has not answered in this long is given up: a product's slab is then computed here; an
 * update fails the step, since the helper may have written part of its rows.
 */
const HELPER_TIMEOUT_MS = 30_000;

/**
 * Loads of a control word before its waiter sleeps: about 20–50 µs, longer than the two threads'
 * usual gap within a step. A futex wake costs more than that here (the profile showed up to 0.4 ms per
 * notify on this 2-core VM under load), so a waker notifies only a waiter that has gone to sleep.
 */
const SPIN_LOADS = 5_000;

/**
 * Waits until ctrl[at] !== old: spins, then sleeps with ctrl[sleeps] = 1 so that the other side's wake
 * notifies. False when it timed out.
 */
export function awaitChange(ctrl: Int32Array, at: number, old: number, sleeps: number, timeoutMs: number): boolean {
  for (let i = 0; i < SPIN_LOADS; i++) if (Atomics.load(ctrl, at) !== old) return true;
  // Seq-cst: either the waker sees sleeps = 1 and notifies, or this wait sees the new value and returns.
  Atomics.store(ctrl, sleeps, 1);
  const outcome = Atomics.wait(ctrl, at, old, timeoutMs);
  Atomics.store(ctrl, sleeps, 0);
  return outcome !== 'timed-out';
}

/** After a change of ctrl[at]: wakes its waiter if it sleeps (see awaitChange). */
export function wake(ctrl: Int32Array, at: number, sleeps: number): void {
  if (Atomics.load(ctrl, sleeps) === 1) Atomics.notify(ctrl, at);
}

export interface FirstLayerWorkerInput {
  backend: BackendName;
  /** Whether the products run in the native kernels (as in the main thread: the same numbers). */
  native: boolean;
  ctrl: SharedArrayBuffer;
  args: SharedArrayBuffer;
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
  sources: Float32Array;
  nFew: number;
  inDim: number;
  /** The helper's rows of W1: [start, end). */
  start: number;
  end: number;
  /** W1 (h1 × inDim) and its optimiser buffers of the same size, shared. */
  w1: SharedArrayBuffer;
  buffers: SharedArrayBuffer[];
  optim: OptimizerSettings;
}

/** The attached training state: W1 and its optimiser buffers in shared memory. */
interface Attached {
  w1: Float32Array;
  buffers: Float32Array[];
  optim: OptimizerSettings;
}

/** Row ranges [start, end) of `h` rows in SLABS near-equal slabs (fewer when h < SLABS). */
export function slabRows(h: number): [number, number][] {
  const n = Math.min(SLABS, h);
  return Array.from({ length: n }, (_, i) => [Math.floor((i * h) / n), Math.floor(((i + 1) * h) / n)]);
}

/**
 * The first layer's two products on a slab of rows: the native kernels read the operands where they
 * are (shared memory included); tfjs needs its own copies and both layouts of the sources.
 */
export class SlabProducts {
  private readonly tensors: { s: tf.Tensor2D; sT: tf.Tensor2D } | null;

  constructor(
    private readonly sources: Float32Array,
    readonly nFew: number,
    readonly inDim: number,
    readonly native: NativeKernels | null,
  ) {
    this.tensors = native
      ? null
      : {
          s: tf.tensor2d(sources, [nFew, inDim]),
          sT: tf.tensor2d(transposed(sources, nFew, inDim), [inDim, nFew]),
        };
  }

  /** Z1ᵀ rows (rows × F) = w1Rows (rows × (k+1)·d) · sourcesᵀ. */
  forward(w1Rows: Float32Array, rows: number): Float32Array {
    const { nFew, inDim } = this;
    if (this.native) {
      const out = new Float32Array(rows * nFew);
      this.native.abt(w1Rows, this.sources, out, rows, nFew, inDim);
      return out;
    }
    return this.product(w1Rows, rows, inDim, this.tensors!.sT);
  }

  /** dW1 rows (rows × (k+1)·d) = dZ1ᵀ rows (rows × F) · sources; native kernels write into `into` if given. */
  grad(dzRows: Float32Array, rows: number, into?: Float32Array): Float32Array {
    const { nFew, inDim } = this;
    if (this.native) {
      const out = into ? into.subarray(0, rows * inDim) : new Float32Array(rows * inDim);
      this.native.ab(dzRows, this.sources, out, rows, inDim, nFew);
      return out;
    }
    return this.product(dzRows, rows, nFew, this.tensors!.s);
  }

  private product(a: Float32Array, rows: number, cols: number, b: tf.Tensor2D): Float32Array {
    // The backend takes plain arrays, not views of shared memory.
    const view = a.subarray(0, rows * cols);
    const at = tf.tensor2d(view.buffer instanceof SharedArrayBuffer ? view.slice() : view, [rows, cols]);
    const c = tf.matMul(at, b);
    const out = c.dataSync() as Float32Array;
    at.dispose();
    c.dispose();
    return out;
  }

  dispose(): void {
    this.tensors?.s.dispose();
    this.tensors?.sT.dispose();
  }
}

/** The helper's SlabProducts: native kernels when the main thread uses them (null if they fail to load here). */
export function helperProducts(input: FirstLayerWorkerInput): SlabProducts | null {
  const native = input.native ? nativeKernels() : null;
  if (input.native && !native) return null;
  return new SlabProducts(input.sources, input.nFew, input.inDim, native);
}

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  args: Float64Array;
  input: Float32Array;
  output: Float32Array;
}

/** A copy of `a` in shared memory. */
function sharedCopy(a: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

export class FirstLayer {
  private readonly products: SlabProducts;
  readonly slabs: [number, number][];
  private helper: Helper | null = null;
  private attached: Attached | null = null;
  /** A slab's gradient, consumed by its update at once: reused, as fresh memory costs page faults here. */
  private readonly gradBuffer: Float32Array;
  /** Slabs the helper computed (tests check it ran). */
  helperSlabs = 0;

  constructor(
    private readonly sources: Float32Array,
    readonly nFew: number,
    readonly inDim: number,
    readonly h: number,
  ) {
    this.products = new SlabProducts(sources, nFew, inDim, nativeKernelsFor(tf.getBackend()));
    this.slabs = slabRows(h);
    this.gradBuffer = new Float32Array(Math.max(0, ...this.slabs.map(([a, b]) => b - a)) * inDim);
  }

  /**
   * Moves W1 (params[0]) and its optimiser buffers into shared memory, replacing them in `params` and
   * `state` (same values), so the helper thread can update its rows in place. Call before startHelper.
   */
  attach(params: Float32Array[], state: OptimizerState, optim: OptimizerSettings): void {
    params[0] = sharedCopy(params[0]);
    const buffers = state.buffers[0];
    buffers.forEach((b, i) => {
      if (b.length === params[0].length) buffers[i] = sharedCopy(b);
    });
    this.attached = { w1: params[0], buffers: buffers.filter((b) => b.length === params[0].length), optim };
  }

  /**
   * Starts the helper thread for the last slab of the attached state; resolves true once it is ready
   * (false if it cannot start). Training need not wait: slabs run here until it is ready.
   */
  startHelper(backend: BackendName): Promise<boolean> {
    const attached = this.attached;
    if (!attached) throw new Error('FirstLayer.startHelper: attach the training state first');
    if (this.helper || this.slabs.length < 2) return Promise.resolve(this.helper !== null);
    const [start, end] = this.slabs[this.slabs.length - 1];
    const rows = end - start;
    const ctrl = new SharedArrayBuffer(CTRL_BYTES);
    const args = new SharedArrayBuffer(8 * 2);
    const input = new SharedArrayBuffer(4 * rows * this.nFew);
    const output = new SharedArrayBuffer(4 * rows * Math.max(this.inDim, this.nFew));
    const data: FirstLayerWorkerInput = {
      backend,
      native: this.products.native !== null,
      ctrl,
      args,
      input,
      output,
      sources: this.sources,
      nFew: this.nFew,
      inDim: this.inDim,
      start,
      end,
      w1: attached.w1.buffer as SharedArrayBuffer,
      buffers: attached.buffers.map((b) => b.buffer as SharedArrayBuffer),
      optim: attached.optim,
    };
    const worker = startWorker('first-layer-worker', data);
    worker.unref();
    const helper: Helper = {
      worker,
      ctrl: new Int32Array(ctrl),
      args: new Float64Array(args),
      input: new Float32Array(input),
      output: new Float32Array(output),
    };
    this.helper = helper;
    return new Promise((resolve) => {
      const fail = () => {
        this.dropHelper();
        resolve(false);
      };
      worker.once('error', fail);
      worker.once('exit', fail);
      worker.once('message', (msg: { type: string }) =>
        resolve(msg.type === 'ready' && Atomics.load(helper.ctrl, CTRL.ready) === 1),
      );
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

  /** Posts request `op` to the helper; returns the request number its answer will carry. */
  private request(helper: Helper, op: number): number {
    Atomics.store(helper.ctrl, CTRL.op, op);
    const want = Atomics.add(helper.ctrl, CTRL.request, 1) + 1;
    wake(helper.ctrl, CTRL.request, CTRL.helperSleeps);
    return want;
  }

  /** Waits for the helper's answer to request `want`; false (helper dropped) when it does not come. */
  private answered(helper: Helper, want: number): boolean {
    let done = Atomics.load(helper.ctrl, CTRL.done);
    while (done !== want) {
      if (!awaitChange(helper.ctrl, CTRL.done, done, CTRL.mainSleeps, HELPER_TIMEOUT_MS)) break;
      done = Atomics.load(helper.ctrl, CTRL.done);
    }
    if (done === want) {
      this.helperSlabs++;
      return true;
    }
    this.dropHelper();
    return false;
  }

  /**
   * A product in slabs: `local` for every slab, the last on the helper (request `op`, after `fillInput`)
   * when it is ready and `shared` says the operands it reads are the attached ones.
   */
  private split(
    outWidth: number,
    op: number,
    shared: boolean,
    fillInput: (helper: Helper, start: number, end: number) => void,
    local: (start: number, end: number) => Float32Array,
  ): Float32Array {
    const out = new Float32Array(this.h * outWidth);
    const helper = shared ? this.readyHelper() : null;
    const last = this.slabs[this.slabs.length - 1];
    let want = -1;
    if (helper) {
      fillInput(helper, last[0], last[1]);
      want = this.request(helper, op);
    }
    for (const [start, end] of helper ? this.slabs.slice(0, -1) : this.slabs)
      out.set(local(start, end), start * outWidth);
    if (helper) {
      if (this.answered(helper, want))
        out.set(helper.output.subarray(0, (last[1] - last[0]) * outWidth), last[0] * outWidth);
      else out.set(local(last[0], last[1]), last[0] * outWidth);
    }
    return out;
  }

  /** Z1ᵀ = W1 · sourcesᵀ (h × F, row-major) for W1 (h × (k+1)·d, row-major), without the bias. */
  forward(w1: Float32Array): Float32Array {
    const { inDim } = this;
    return this.split(
      this.nFew,
      OP.forward,
      w1 === this.attached?.w1,
      () => {},
      (start, end) => this.products.forward(w1.subarray(start * inDim, end * inDim), end - start),
    );
  }

  /** dW1 = dZ1ᵀ · sources (h × (k+1)·d) for dZ1ᵀ (h × F, row-major). */
  grad(dz1T: Float32Array): Float32Array {
    return this.split(
      this.inDim,
      OP.grad,
      true,
      (helper, start, end) => this.fillRows(helper, dz1T, start, end),
      (start, end) => this.slabGrad(dz1T, start, end),
    );
  }

  private fillRows(helper: Helper, dz1T: Float32Array, start: number, end: number): void {
    helper.input.set(dz1T.subarray(start * this.nFew, end * this.nFew));
  }

  private slabGrad(dz1T: Float32Array, start: number, end: number, into?: Float32Array): Float32Array {
    return this.products.grad(dz1T.subarray(start * this.nFew, end * this.nFew), end - start, into);
  }

  /**
   * Step `t` of W1 (`w1`, updated in place with its optimiser `buffers`) from dZ1ᵀ: gradient and update
   * slab by slab when the optimiser allows (updatesBySlices), the helper's slab on the helper when these
   * are the attached W1, buffers and settings; else the whole gradient, then one update.
   */
  update(
    dz1T: Float32Array,
    w1: Float32Array,
    buffers: readonly Float32Array[],
    optim: OptimizerSettings,
    t: number,
    lr: number,
  ): void {
    if (!updatesBySlices(optim)) {
      updateParam(optim, t, w1, this.grad(dz1T), buffers, lr);
      return;
    }
    const { inDim } = this;
    const a = this.attached;
    const helper =
      a && a.w1 === w1 && a.optim === optim && a.buffers.every((b, i) => b === buffers[i]) ? this.readyHelper() : null;
    const last = this.slabs[this.slabs.length - 1];
    let want = -1;
    if (helper) {
      this.fillRows(helper, dz1T, last[0], last[1]);
      helper.args[ARG.step] = t;
      helper.args[ARG.lr] = lr;
      want = this.request(helper, OP.update);
    }
    for (const [start, end] of helper ? this.slabs.slice(0, -1) : this.slabs) {
      const rows = (a: Float32Array) => a.subarray(start * inDim, end * inDim);
      updateParam(optim, t, rows(w1), this.slabGrad(dz1T, start, end, this.gradBuffer), buffers.map(rows), lr);
    }
    // The helper may have updated part of its rows: computing them here again could apply the step twice.
    if (helper && !this.answered(helper, want))
      throw new Error("the first layer's helper thread stopped answering during an update");
  }

  dispose(): void {
    this.dropHelper();
    this.products.dispose();
  }
}
