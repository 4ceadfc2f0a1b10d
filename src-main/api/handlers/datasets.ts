/** Datasets: listing, adding a datasets.toml, the validation report, the baseline. */
import fs from 'node:fs';
import path from 'node:path';
import type { Api } from '../../../src-shared/api.ts';
import { defaultRunConfig } from '../../../src-shared/config.ts';
import type { DatasetSpec } from '../../../src-shared/dataset.ts';
import { readDatasetsToml, resolveDataset } from '../../data/dataset.ts';
import { addToRegistry, registryKeys, removeFromRegistry } from '../../data/registry.ts';
import { UserError } from '../../errors.ts';
import { datasetConfigFile, type DatasetRecord, type RunStore } from '../../store/run-store.ts';
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

/**
 * Writes the datasets the store knows from other datasets.toml files (added before the registry
 * existed, or recorded by runs) into the registry, so the CLI finds them without --config. Returns a
 * line per dataset whose config can no longer be read (left as it was).
 */
export function migrateToRegistry(store: RunStore, registryFile: string, cwd: string): string[] {
  const present = new Set(registryKeys(registryFile));
  const added: DatasetSpec[] = [];
  const problems: string[] = [];
  const moved: { rec: DatasetRecord; spec: DatasetSpec }[] = [];
  for (const rec of store.listDatasets()) {
    const configFile = datasetConfigFile(rec);
    if (configFile === null || configFile === registryFile) continue;
    if (present.has(rec.key)) {
      moved.push({ rec, spec: resolveDataset(rec.key, registryFile, cwd) });
      continue;
    }
    try {
      const spec = resolveDataset(rec.key, configFile, cwd);
      added.push(spec);
      // As addDataset: the registry holds the resolved paths, so only the config of record changes.
      moved.push({ rec, spec: { ...spec, configFile: registryFile } });
    } catch (error) {
      problems.push(`dataset '${rec.key}' stays out of ${registryFile}: ${(error as Error).message}`);
    }
  }
  if (added.length > 0) addToRegistry(registryFile, added);
  // The record now points at the registry, keeping what was learnt about the dataset (the classifier files a run read).
  for (const { rec, spec } of moved) {
    const files = rec.sourcePaths.classifier_files;
    const classifierFiles = Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : undefined;
    store.saveDataset({
      key: rec.key,
      displayName: rec.displayName,
      source: { spec, classifierFiles },
    });
  }
  return problems;
}

export function datasetHandlers(
  h: Handlers,
): Pick<Api, 'listDatasets' | 'addDataset' | 'removeDataset' | 'getDatasetReport' | 'computeBaseline'> {
  const { store, events, cwd, registryFile } = h;
  return {
    async listDatasets() {
      return store.listDatasets().map(datasetSummary);
    },

    async addDataset(request) {
      let specs: DatasetSpec[];
      if ('bundled' in request) specs = [resolveDataset('demo', undefined, cwd)];
      else {
        const file =
          'configFile' in request ? path.resolve(cwd, request.configFile) : tomlInFolder(request.folder, cwd);
        // Only .toml files are read, so a request cannot probe other files (their existence, their first line).
        if (path.extname(file).toLowerCase() !== '.toml')
          throw new UserError(`${file}: a datasets config is a .toml file`);
        if (!fs.existsSync(file)) throw new UserError(`${file}: no such file`);
        specs = readDatasetsToml(file, cwd).specs;
        if (specs.length === 0) throw new UserError(`${file}: defines no datasets`);
        // The registry becomes the datasets' config of record (paths resolved), so the CLI reads them too.
        if (file !== registryFile) addToRegistry(registryFile, specs);
        specs = specs.map((spec) => ({ ...spec, configFile: registryFile }));
      }
      // Adding a dataset again re-reads its entry: its report is made afresh when next asked for.
      for (const spec of specs)
        store.saveDataset({ key: spec.key, displayName: spec.properName, source: { spec }, report: null });
      events.emit({ type: 'datasets-changed' });
      const keys = new Set(specs.map((s) => s.key));
      return store
        .listDatasets()
        .filter((d) => keys.has(d.key))
        .map(datasetSummary);
    },

    async removeDataset({ key }) {
      const fromStore = store.deleteDataset(key);
      const fromRegistry = removeFromRegistry(registryFile, key);
      if (fromStore || fromRegistry) events.emit({ type: 'datasets-changed' });
      return { removed: fromStore || fromRegistry };
    },

    async getDatasetReport({ key }) {
      const rec = store.getDataset(key);
      if (rec?.report) return rec.report;
      const spec = h.specOf(key);
      const report = await validateOffThread(spec);
      // Removed while it was being validated: saving would bring it back.
      if (rec && !store.getDataset(key)) return report;
      store.saveDataset({
        key,
        displayName: rec?.displayName ?? spec.properName,
        ...(rec ? {} : { source: { spec } }),
        report,
      });
      return report;
    },

    async computeBaseline({ key }) {
      const spec = h.specOf(key);
      const done = store.listRuns({ dataset: key, kind: 'baseline', status: 'done' });
      if (done.length > 0) return baselineSummary(done[done.length - 1]);
      const runId = h.enqueue('baseline', defaultRunConfig(key), 0, `${key} baseline`, spec);
      const outcome = await h.statusOnce(runId);
      if (outcome.status !== 'done')
        throw new UserError(`the baseline of '${key}' ${outcome.status}: ${outcome.error ?? 'no reason given'}`);
      return baselineSummary(h.requireRun(runId));
    },
  };
}
