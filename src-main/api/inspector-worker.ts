/**
 * An experiment's Inspector data, computed on a worker thread with its own database connection: with
 * cold engine caches it reads features (class means, a baseline evaluated on the spot).
 */
import type { DatasetSpec } from '../../src-shared/dataset.ts';
import type { InspectorData } from '../../src-shared/inspector.ts';
import { inspectExperiment, loadInspectorDataset } from '../inspector/experiment.ts';
import { openDb } from '../store/db.ts';
import { RunStore } from '../store/run-store.ts';
import { callOffThread, serveOffThread } from './off-thread.ts';

export interface InspectRequest {
  dbFile: string;
  spec: DatasetSpec;
  experiment: string;
  configHash?: string;
}

export function inspectOffThread(request: InspectRequest): Promise<InspectorData> {
  return callOffThread('inspector-worker', request);
}

async function inspect({ dbFile, spec, experiment, configHash }: InspectRequest): Promise<InspectorData> {
  const db = openDb(dbFile);
  try {
    const ds = await loadInspectorDataset(spec);
    return await inspectExperiment(new RunStore(db), ds, { experiment, configHash });
  } finally {
    db.close();
  }
}

await serveOffThread('inspector-worker', inspect);
