/**
 * A GEMM worker of the score pool (score-pool.ts): its own wasm instance, so several run side by side.
 * Receives a weight (C × d) and the shared scores array per computation, then row blocks of X; writes
 * each block's X·Wᵀ into its rows of the scores and answers `done`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, tf } from './backend.ts';
import { nativeKernels } from './native-kernels.ts';
import { ScoreGemm, type ScoreWorkerInput, type ScoreWorkerReply, type ScoreWorkerRequest } from './score-pool.ts';

const port = parentPort;
if (!port) throw new Error('score-worker.ts runs only as a worker thread');
const input = workerData as ScoreWorkerInput;
const post = (message: ScoreWorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  await initBackend(input.backend);
  const native = input.native ? nativeKernels() : null;
  if (input.native && !native) throw new Error('the native kernels the main thread uses do not load in this thread');
  let gemm: ScoreGemm | null = null;
  let out: Float32Array | null = null;
  port.on('message', (msg: ScoreWorkerRequest) => {
    try {
      if (msg.type === 'weight') {
        gemm?.dispose();
        gemm = new ScoreGemm(msg.weight, msg.dim, msg.nClasses, native);
        out = msg.out;
        return;
      }
      if (!gemm || !out) throw new Error('rows arrived before the weight');
      // Straight into the shared scores: nothing to copy back.
      gemm.multiply(msg.rows, msg.n, out, msg.outRow);
      post({ type: 'done', id: msg.id });
    } catch (error) {
      post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
  post({ type: 'ready', backend: tf.getBackend() });
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
