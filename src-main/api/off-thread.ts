/**
 * Work that may read gigabytes (validating a dataset, a cold Inspector) runs on a worker thread so that
 * the thread serving the UI stays responsive. A module offers `work` with serveOffThread(import.meta.url,
 * work) at its top level and callers use callOffThread(import.meta.url, input); the worker starts
 * through the queue's bootstrap, which loads TypeScript.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { UserError } from '../errors.ts';

interface Input<I> {
  entry: string;
  input: I;
}

/** `user`: the error is about the user's files or request (shown as is), not a bug. */
type Output<O> = { ok: true; value: O } | { ok: false; error: string; user: boolean };

const BOOTSTRAP = new URL('../queue/worker-bootstrap.mjs', import.meta.url);

/** Runs the `work` that module `entry` serves, on a new worker thread, and ends the thread after. */
export function callOffThread<I, O>(entry: string, input: I): Promise<O> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, { workerData: { entry, input } satisfies Input<I> });
    worker.once('message', (out: Output<O>) => {
      if (out.ok) resolve(out.value);
      else reject(out.user ? new UserError(out.error) : new Error(out.error));
      // The engine's backends may keep the thread's event loop alive; the answer is all we need.
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker of ${entry} exited with code ${code} before answering`)));
  });
}

/** In a worker started by callOffThread(entry, …): runs `work` on its input and posts the outcome. */
export async function serveOffThread<I, O>(entry: string, work: (input: I) => Promise<O>): Promise<void> {
  const data = workerData as Input<I> | undefined;
  if (!parentPort || data?.entry !== entry) return;
  let out: Output<O>;
  try {
    out = { ok: true, value: await work(data.input) };
  } catch (error) {
    out = { ok: false, error: error instanceof Error ? error.message : String(error), user: error instanceof UserError };
  }
  parentPort.postMessage(out);
}
