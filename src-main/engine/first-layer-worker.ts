/**
 * The helper thread of first-layer.ts: computes the last row slab of the first layer's products, on its
 * own wasm instance, with the same operands and kernels as the main thread. Requests arrive through the
 * shared control array (Atomics), so this thread blocks between them instead of running an event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, tf } from './backend.ts';
import { CTRL, OP, type FirstLayerWorkerInput } from './first-layer.ts';
import { transposed } from './score-pool.ts';

const input = workerData as FirstLayerWorkerInput;
const ctrl = new Int32Array(input.ctrl);
const inBuf = new Float32Array(input.input);
const outBuf = new Float32Array(input.output);
const { nFew: F, inDim, rows } = input;

try {
  await initBackend(input.backend);
  const s = tf.tensor2d(input.sources, [F, inDim]);
  const sT = tf.tensor2d(transposed(input.sources, F, inDim), [inDim, F]);
  // Read before announcing readiness: the first request may come the moment it is announced.
  let seen = Atomics.load(ctrl, CTRL.request);
  Atomics.store(ctrl, CTRL.ready, 1);
  parentPort?.postMessage({ type: 'ready' });
  for (;;) {
    Atomics.wait(ctrl, CTRL.request, seen);
    seen = Atomics.load(ctrl, CTRL.request);
    const op = Atomics.load(ctrl, CTRL.op);
    if (op === OP.stop) break;
    // Copies out of shared memory: the backend takes plain arrays.
    const a = op === OP.forward ? tf.tensor2d(inBuf.slice(0, rows * inDim), [rows, inDim]) : tf.tensor2d(inBuf.slice(0, rows * F), [rows, F]);
    const c = tf.matMul(a, op === OP.forward ? sT : s);
    outBuf.set(c.dataSync() as Float32Array);
    a.dispose();
    c.dispose();
    Atomics.store(ctrl, CTRL.done, seen);
    Atomics.notify(ctrl, CTRL.done);
  }
} catch (error) {
  Atomics.store(ctrl, CTRL.ready, -1);
  parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
