/** Validating a dataset reads every feature file (gigabytes for ImageNet-LT): it runs off the UI's thread. */
import type { DatasetReport, DatasetSpec } from '../../src-shared/dataset.ts';
import { validateDataset } from '../data/validate.ts';
import { callOffThread, serveOffThread } from './off-thread.ts';

/** validateDataset(spec) on a worker thread. */
export function validateOffThread(spec: DatasetSpec): Promise<DatasetReport> {
  return callOffThread('validate-worker', spec);
}

await serveOffThread('validate-worker', validateDataset);
