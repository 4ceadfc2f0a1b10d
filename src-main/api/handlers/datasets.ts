/** Datasets: listing, adding a datasets.toml, the validation report, the baseline. */
import fs from 'node:fs';
import path from 'node:path';
import type { Api } from '../../../src-shared/api.ts';
import { defaultRunConfig } from '../../../src-shared/config.ts';
import type { DatasetSpec } from '../../../src-shared/dataset.ts';
import { readDatasetsToml, resolveDataset } from '../../data/dataset.ts';
import { UserError } from '../../errors.ts';
import { validateOffThread } from '../validate-worker.ts';
import type { Handlers } from './context.ts';
import { baselineSummary, datasetSummary } from './rows.ts';

/** The datasets.toml a folder holds: at its top, or under config/ as in the original project. */
function tomlInFolder(folder: string, cwd: string): string {
  const dir = path.resolve(cwd, folder);
  const candidates = [path.join(dir, 'datasets.toml'), path.join(dir, 'config', 'datasets.toml')];
  const found = candidates.find((f) => fs.existsSync(f));
  // One message whether the folder exists or not: an error must not tell what else is on the disk.
  if (!found) throw new UserError(`${dir}: no datasets.toml there (looked for ${candidates.join(' and ')})`);
  return found;
}

export function datasetHandlers(h: Handlers): Pick<Api, 'listDatasets' | 'addDataset' | 'getDatasetReport' | 'computeBaseline'> {
  const { store, events, cwd } = h;
  return {
    async listDatasets() {
      return store.listDatasets().map(datasetSummary);
    },

    async addDataset(request) {
      let specs: DatasetSpec[];
      if ('bundled' in request) specs = [resolveDataset('demo', undefined, cwd)];
      else {
        const file = 'configFile' in request ? path.resolve(cwd, request.configFile) : tomlInFolder(request.folder, cwd);
        // Only .toml files are read, so a request cannot probe other files (their existence, their first line).
        if (path.extname(file).toLowerCase() !== '.toml') throw new UserError(`${file}: a datasets config is a .toml file`);
        if (!fs.existsSync(file)) throw new UserError(`${file}: no such file`);
        specs = readDatasetsToml(file, cwd).specs;
        if (specs.length === 0) throw new UserError(`${file}: defines no datasets`);
      }
      // Adding a dataset again re-reads its entry: its report is made afresh when next asked for.
      for (const spec of specs) store.saveDataset({ key: spec.key, displayName: spec.properName, source: { spec }, report: null });
      events.emit({ type: 'datasets-changed' });
      const keys = new Set(specs.map((s) => s.key));
      return store.listDatasets().filter((d) => keys.has(d.key)).map(datasetSummary);
    },

    async getDatasetReport({ key }) {
      const rec = store.listDatasets().find((d) => d.key === key);
      if (rec?.report) return rec.report;
      const spec = h.specOf(key);
      const report = await validateOffThread(spec);
      store.saveDataset({ key, displayName: rec?.displayName ?? spec.properName, ...(rec ? {} : { source: { spec } }), report });
      return report;
    },

    async computeBaseline({ key }) {
      const spec = h.specOf(key);
      const done = store.listRuns({ dataset: key, kind: 'baseline', status: 'done' });
      if (done.length > 0) return baselineSummary(done[done.length - 1]);
      const runId = h.enqueue('baseline', defaultRunConfig(key), 0, `${key} baseline`, spec);
      const outcome = await h.statusOnce(runId);
      if (outcome.status !== 'done') throw new UserError(`the baseline of '${key}' ${outcome.status}: ${outcome.error ?? 'no reason given'}`);
      return baselineSummary(h.requireRun(runId));
    },
  };
}
