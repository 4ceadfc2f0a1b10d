/**
 * The helper thread of first-layer.ts: computes the last row slab of the first layer's products and
 * updates those rows of W1 (and their optimiser state, in shared memory) on its own wasm instance, with
 * the same operands, kernels and update rule as the main thread. Requests arrive through the shared
 * control array (Atomics), so this thread blocks between them instead of running an event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from './backend.ts';
import { ARG, awaitChange, CTRL, OP, helperProducts, wake, type FirstLayerWorkerInput } from './first-layer.ts';
import { updateParam } from './optim.ts';

const input = workerData as FirstLayerWorkerInput;
const ctrl = new Int32Array(input.ctrl);
const args = new Float64Array(input.args);
const inBuf = new Float32Array(input.input);
const outBuf = new Float32Array(input.output);
const { nFew: F, inDim, start, end } = input;
const rows = end - start;
const slab = (buffer: SharedArrayBuffer) => new Float32Array(buffer, 4 * start * inDim, rows * inDim);
const w1 = slab(input.w1);
const buffers = input.buffers.map(slab);

try {
  await initBackend(input.backend);
  const products = helperProducts(input);
  const gradBuffer = new Float32Array(rows * inDim);
  if (!products) throw new Error('the native kernels the main thread uses do not load in this thread');
  // Read before announcing readiness: the first request may come the moment it is announced.
  let seen = Atomics.load(ctrl, CTRL.request);
  Atomics.store(ctrl, CTRL.ready, 1);
  parentPort?.postMessage({ type: 'ready' });
  for (;;) {
    awaitChange(ctrl, CTRL.request, seen, CTRL.helperSleeps, Number.POSITIVE_INFINITY);
    seen = Atomics.load(ctrl, CTRL.request);
    const op = Atomics.load(ctrl, CTRL.op);
    if (op === OP.stop) break;
    if (op === OP.forward) outBuf.set(products.forward(w1, rows));
    else {
      // Into one reused buffer: consumed at once (by the update, or copied out).
      const grad = products.grad(inBuf.subarray(0, rows * F), rows, gradBuffer);
      if (op === OP.grad) outBuf.set(grad);
      else updateParam(input.optim, args[ARG.step], w1, grad, buffers, args[ARG.lr]);
    }
    Atomics.store(ctrl, CTRL.done, seen);
    wake(ctrl, CTRL.done, CTRL.mainSleeps);
  }
} catch (error) {
  Atomics.store(ctrl, CTRL.ready, -1);
  parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
