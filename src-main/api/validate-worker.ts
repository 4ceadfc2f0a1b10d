/**
 * Validating a dataset reads every feature file (gigabytes for ImageNet-LT): it runs on a worker
 * thread so the thread serving the UI stays responsive. Started through the queue's bootstrap, which
 * loads TypeScript.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { DatasetReport, DatasetSpec } from '../../src-shared/dataset.ts';
import { validateDataset } from '../data/validate.ts';
import { UserError } from '../errors.ts';

interface Input {
  entry: string;
  spec: DatasetSpec;
}

/** `user`: the error is about the user's files (shown as is), not a bug. */
type Output = { ok: true; report: DatasetReport } | { ok: false; error: string; user: boolean };

const BOOTSTRAP = new URL('../queue/worker-bootstrap.mjs', import.meta.url);

/** validateDataset(spec) on a worker thread. */
export function validateOffThread(spec: DatasetSpec): Promise<DatasetReport> {
  return new Promise((resolve, reject) => {
    const input: Input = { entry: import.meta.url, spec };
    const worker = new Worker(BOOTSTRAP, { workerData: input });
    worker.once('message', (out: Output) => {
      if (out.ok) resolve(out.report);
      else reject(out.user ? new UserError(out.error) : new Error(out.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the validation worker exited with code ${code}`));
    });
  });
}

if (parentPort && (workerData as Input | undefined)?.entry === import.meta.url) {
  const port = parentPort;
  const { spec } = workerData as Input;
  try {
    port.postMessage({ ok: true, report: await validateDataset(spec) } satisfies Output);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ ok: false, error: message, user: error instanceof UserError } satisfies Output);
  }
}
