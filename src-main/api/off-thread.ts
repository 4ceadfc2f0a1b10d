/**
 * Work that may read gigabytes (validating a dataset, a cold Inspector) runs on a worker thread so that
 * the thread serving the UI stays responsive. A worker entry (workers.ts) offers `work` with
 * serveOffThread(NAME, work) at its top level and callers use callOffThread(NAME, input); the worker
 * starts from that entry (startWorker). Every call has a time limit and can be
 * cancelled (the thread is terminated), and identical calls in flight share one worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../errors.ts';
import { startWorker, type WorkerName } from '../workers.ts';

/** The workers that serve one call each (a URL: a test's own module, run from sources). */
type OffThreadWorker = Extract<WorkerName, 'validate-worker' | 'inspector-worker'> | URL;

interface Input<I> {
  /** Which worker serves it: a module that imports another worker's entry does not answer for it. */
  worker: string;
  input: I;
}

/** `user`: the error is about the user's files or request (shown as is), not a bug. */
type Output<O> = { ok: true; value: O } | { ok: false; error: string; user: boolean };

/** Default time limit of one off-thread call: far beyond validating a real dataset, short of forever. */
export const OFF_THREAD_TIMEOUT_MS = 15 * 60_000;

export interface OffThreadOptions {
  /** Milliseconds before the worker is terminated and the call fails (default OFF_THREAD_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Aborting terminates the worker (of this call alone when it shares none). */
  signal?: AbortSignal;
}

/** Calls in flight by worker and input: a second identical request waits for the first one's worker. */
const inFlight = new Map<string, Promise<unknown>>();

/** Runs the `work` that worker `entry` serves, on a worker thread, and ends the thread after. */
export function callOffThread<I, O>(entry: OffThreadWorker, input: I, options: OffThreadOptions = {}): Promise<O> {
  const key = `${String(entry)}\0${JSON.stringify(input)}`;
  const shared = options.signal === undefined ? inFlight.get(key) : undefined;
  if (shared) return shared as Promise<O>;
  const call = runOnWorker<I, O>(entry, input, options);
  if (options.signal === undefined) {
    inFlight.set(key, call);
    const forget = () => void (inFlight.get(key) === call && inFlight.delete(key));
    call.then(forget, forget);
  }
  return call;
}

function runOnWorker<I, O>(entry: OffThreadWorker, input: I, options: OffThreadOptions): Promise<O> {
  const timeoutMs = options.timeoutMs ?? OFF_THREAD_TIMEOUT_MS;
  return new Promise<O>((resolve, reject) => {
    if (options.signal?.aborted) return reject(new UserError('cancelled'));
    const worker = startWorker(entry, { worker: String(entry), input } satisfies Input<I>);
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      outcome();
      // The engine's backends may keep the thread's event loop alive; the answer is all we need.
      void worker.terminate();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(new UserError(`gave up after ${Math.round(timeoutMs / 1000)} s: the work did not finish in time`)),
        ),
      timeoutMs,
    );
    timer.unref();
    const onAbort = () => finish(() => reject(new UserError('cancelled')));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (out: Output<O>) =>
      finish(() => (out.ok ? resolve(out.value) : reject(out.user ? new UserError(out.error) : new Error(out.error)))),
    );
    worker.once('error', (error) => finish(() => reject(error)));
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`the worker of ${String(entry)} exited with code ${code} before answering`))),
    );
  });
}

/** In a worker started by callOffThread(entry, …): runs `work` on its input and posts the outcome. */
export async function serveOffThread<I, O>(entry: OffThreadWorker, work: (input: I) => Promise<O>): Promise<void> {
  const data = workerData as Input<I> | undefined;
  if (!parentPort || data?.worker !== String(entry)) return;
  let out: Output<O>;
  try {
    out = { ok: true, value: await work(data.input) };
  } catch (error) {
    out = {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      user: error instanceof UserError,
    };
  }
  parentPort.postMessage(out);
}
