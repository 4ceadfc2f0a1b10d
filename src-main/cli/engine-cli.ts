/** What the engine's commands (train, baseline, neighbors, eval) share: dataset flags, backend, output. */
import path from 'node:path';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import type { EvalMetrics } from '../../src-shared/result.ts';
import { findDataset } from '../data/config.ts';
import { loadDataset } from '../data/dataset.ts';
import { BACKENDS, type BackendName } from '../engine/backend.ts';
import { getBoolean, getString, requireString, UsageError, type FlagSpec, type ParsedArgs } from './args.ts';
import type { CliIO } from './command.ts';
import { phasePrinter } from './progress.ts';

export const DATASET_FLAGS: FlagSpec[] = [
  { name: 'dataset', kind: 'string', help: 'the dataset key (a [table] of the datasets config; `demo` is built in)' },
  {
    name: 'config',
    kind: 'string',
    help: 'the datasets.toml (default: ./config/datasets.toml, then the registry: datasets.toml in the data folder)',
  },
  {
    name: 'cache-dir',
    kind: 'string',
    help: 'folder for the caches: converted features, pretrained scores, class means, neighbours (default: the app cache)',
  },
  {
    name: 'cache',
    kind: 'boolean',
    help: 'use the caches (--no-cache: parse the sources and compute everything in memory)',
    default: 'on',
  },
];

export const BACKEND_FLAG: FlagSpec = {
  name: 'backend',
  kind: 'string',
  help: 'compute backend (default: the first available of tensorflow-gpu, tensorflow, wasm, cpu)',
  choices: BACKENDS,
};

export function backendOf(args: ParsedArgs): BackendName | undefined {
  return getString(args, 'backend') as BackendName | undefined;
}

/** Loads `--dataset` (from `--config`), printing the datasets config's warnings and the dataset's. */
export async function loadDatasetArg(args: ParsedArgs, io: CliIO, datagrps?: string[]): Promise<LoadedDataset> {
  const key = requireString(args, 'dataset');
  const configFlag = getString(args, 'config');
  const { spec, warnings } = findDataset(
    key,
    configFlag === undefined ? undefined : path.resolve(io.cwd, configFlag),
    io.cwd,
  );
  for (const w of warnings) io.err(`warning: ${w}`);
  const cacheDir = cacheRootOf(args, io);
  // Lazy: with the converted cache, features stay on disk until an engine cache (scores, means) misses.
  const phase = phasePrinter(io);
  const ds = await loadDataset(spec, {
    cacheDir,
    datagrps: datagrps?.filter((g) => spec.datagrps.includes(g)),
    lazyFeatures: true,
    // Only files being parsed report bytes: a converted cache loads in a moment.
    onProgress: (p) =>
      p.bytes &&
      phase({ phase: `reading ${path.basename(p.file)}`, done: p.bytes.done, total: p.bytes.total, unit: 'bytes' }),
  });
  for (const w of ds.warnings) io.err(`warning: ${w}`);
  return ds;
}

/** The cache folder the dataset flags ask for: null for --no-cache, undefined for the app's default. */
export function cacheRootOf(args: ParsedArgs, io: CliIO): string | null | undefined {
  const cacheFlag = getString(args, 'cache-dir');
  return getBoolean(args, 'cache') === false
    ? null
    : cacheFlag === undefined
      ? undefined
      : path.resolve(io.cwd, cacheFlag);
}

export function parseSeed(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seed = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed: '${raw}' is not a whole number ≥ 0`);
  return seed;
}

function pct(x: number): string {
  return Number.isFinite(x) ? (100 * x).toFixed(1) : '–';
}

/** The Few / Med. / Many / Overall table (test accuracies in %, one decimal). */
export function splitTable(rows: { name: string; metrics: EvalMetrics }[]): string {
  const width = Math.max(8, ...rows.map((r) => r.name.length)) + 2;
  const head = `${''.padEnd(width)}${['Few', 'Med.', 'Many', 'Overall'].map((h) => h.padStart(8)).join('')}`;
  const lines = rows.map(
    ({ name, metrics: m }) =>
      `${name.padEnd(width)}${[m.per_split.few, m.per_split.medium, m.per_split.many, m.accuracy].map((v) => pct(v).padStart(8)).join('')}`,
  );
  return [head, ...lines].join('\n');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60
    ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A one-line progress bar: `epoch 3/25 [#####-----] 12/40 loss 0.4321 ETA 5s`. */
export function progressLine(p: {
  epoch: number;
  epochs: number;
  batch: number;
  nBatches: number;
  loss: number;
  etaSeconds: number;
}): string {
  const cells = 20;
  const done = Math.round((cells * p.batch) / Math.max(1, p.nBatches));
  return (
    `epoch ${p.epoch}/${p.epochs} [${'#'.repeat(done)}${'-'.repeat(cells - done)}] ${p.batch}/${p.nBatches} ` +
    `loss ${p.loss.toFixed(4)} ETA ${formatDuration(p.etaSeconds)}`
  );
}
