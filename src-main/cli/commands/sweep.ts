import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { RunConfig } from '../../../src-shared/config.ts';
import {
  expandSweep,
  paramInfo,
  parseSweepValue,
  parseSweepValues,
  resolveParamKey,
  sweepConfigs,
  sweepParams,
  validateSweep,
  type RandomRange,
  type SweepRun,
  type SweepSpec,
} from '../../../src-shared/sweep.ts';
import type { LoadedDataset } from '../../../src-shared/dataset.ts';
import { datasetFacts } from '../../../src-shared/run-config-validation.ts';
import type { EvalMetrics } from '../../../src-shared/result.ts';
import { initBackend, type BackendName } from '../../engine/backend.ts';
import { scoreThreads } from '../../engine/score-pool.ts';
import { ConfigError, validateRun } from '../../engine/run.ts';
import { UserError } from '../../errors.ts';
import { DistributedRunQueue } from '../../distributed/coordinator.ts';
import { recordedBaselineRun, recordedTrainRun } from '../../runs/record-run.ts';
import { shareDataset, SweepThread } from '../../runs/sweep-threads.ts';
import {
  getBoolean,
  getList,
  getNumber,
  getString,
  parseArgs,
  requireString,
  UsageError,
  type FlagSpec,
  type ParsedArgs,
} from '../args.ts';
import type { CliIO, Command } from '../command.ts';
import { backendOf, cacheRootOf, formatDuration, loadDatasetArg, progressLine } from '../engine-cli.ts';
import { phasePrinter } from '../progress.ts';
import { queueArg } from '../queue-cli.ts';
import { dbFileOf, openStoreArg } from '../store-cli.ts';
import { command as results } from './results.ts';
import { configFromArgs, TRAIN_FLAGS } from './train.ts';
import { OWN_CKPT_INTERVAL_S } from '../../engine/checkpoint.ts';

/** Train flags that name one run's files or seed; a sweep sets these per run. */
const PER_RUN_FLAGS = new Set([
  'save-file',
  'ckpt-dir',
  'n-ckpt',
  'load-from-ckpt',
  'seed',
  'experiment',
  'training:tb-logs',
]);

const FLAGS: FlagSpec[] = [
  {
    name: 'file',
    kind: 'string',
    help: 'a TOML sweep file (format in the README); flags given as well override its settings',
  },
  {
    name: 'name',
    kind: 'string',
    help: 'the experiment the runs are recorded under (default: "<dataset> sweep <parameters>")',
  },
  {
    name: 'grid',
    kind: 'list',
    repeatable: true,
    help: 'KEY=V1,V2,…: a parameter and its values; KEY is a train flag without the dashes (training:n-neighbors), r (the base sampler\'s ratio), lr, or a key=value parameter (training:ptopt:optim-params.weight_decay); list values space-separated (alphanet:hdims="64 64,128"); repeat for more parameters',
  },
  { name: 'reps', kind: 'integer', help: 'runs per config (seeds 1…N)', default: '1' },
  { name: 'seeds', kind: 'list', help: 'the seeds of each config, instead of --reps' },
  {
    name: 'random',
    kind: 'integer',
    help: 'random search: draw N configs from the --range ranges (each crossed with the grid)',
  },
  {
    name: 'random-seed',
    kind: 'integer',
    help: 'seed of the random draws (the same seed draws the same configs)',
    default: '0',
  },
  {
    name: 'range',
    kind: 'list',
    repeatable: true,
    help: 'for --random: KEY=MIN:MAX (log-uniform for lr, weight_decay, eps; add :log or :lin to choose) or KEY=A|B|C',
  },
  {
    name: 'concurrency',
    kind: 'integer',
    help: 'runs trained at once, each on one core, sharing the loaded scores (default: the cores, at most the runs; 1 = one run at a time on every core; wasm/cpu backends only, not with --exact-reference)',
  },
  { name: 'dry-run', kind: 'boolean', help: 'check the sweep and list its runs without training' },
  ...TRAIN_FLAGS.filter((f) => !PER_RUN_FLAGS.has(f.name)),
];

/** `KEY=rest` of a --grid or --range word. */
function keyAndRest(word: string, flag: string): [string, string] {
  const eq = word.indexOf('=');
  if (eq <= 0) throw new UsageError(`--${flag} ${word}: write KEY=VALUES, e.g. training:n-neighbors=3,5,10`);
  return [word.slice(0, eq).trim(), word.slice(eq + 1)];
}

function resolved(key: string, base: RunConfig, flag: string): string {
  try {
    return resolveParamKey(key, base);
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`);
  }
}

/** The grid and random search the flags describe, values parsed by each parameter's kind. */
export function sweepFromArgs(args: ParsedArgs, base: RunConfig): SweepSpec {
  const grid = (getList(args, 'grid') ?? []).map((word) => {
    const [key, text] = keyAndRest(word, 'grid');
    const param = resolved(key, base, 'grid');
    try {
      return { param, values: parseSweepValues(paramInfo(param, base), text) };
    } catch (error) {
      throw new UsageError(`--grid ${word}: ${(error as Error).message}`);
    }
  });
  const spec: SweepSpec = { grid };
  const n = getNumber(args, 'random');
  const rangeWords = getList(args, 'range') ?? [];
  if (n === undefined && rangeWords.length > 0)
    throw new UsageError('--range goes with --random N (how many configs to draw)');
  if (n !== undefined) {
    if (rangeWords.length === 0) throw new UsageError('--random needs at least one --range KEY=MIN:MAX');
    const ranges = rangeWords.map((word): RandomRange => {
      const [key, text] = keyAndRest(word, 'range');
      const param = resolved(key, base, 'range');
      const info = paramInfo(param, base);
      try {
        if (text.includes('|')) return { param, choices: text.split('|').map((c) => parseSweepValue(info, c)) };
        const [lo, hi, scale, ...rest] = text.split(':');
        if (hi === undefined || rest.length > 0 || (scale !== undefined && scale !== 'log' && scale !== 'lin'))
          throw new Error('write MIN:MAX, MIN:MAX:log or A|B|C');
        const range: RandomRange = {
          param,
          min: Number(parseSweepValue({ ...info, kind: 'number' }, lo)),
          max: Number(parseSweepValue({ ...info, kind: 'number' }, hi)),
        };
        if (scale !== undefined) range.log = scale === 'log';
        return range;
      } catch (error) {
        throw new UsageError(`--range ${word}: ${(error as Error).message}`);
      }
    });
    spec.random = { n, seed: getNumber(args, 'random-seed') ?? 0, ranges };
  }
  if (spec.grid.length === 0 && !spec.random)
    throw new UsageError('give at least one --grid KEY=V1,V2 (or --random N with --range), or --file sweep.toml');
  return spec;
}

type TomlValue = string | number | boolean | Date | TomlValue[] | { [key: string]: TomlValue };

/** A TOML value as command-line words: lists become several words, nested lists space-separated text. */
function words(value: TomlValue, where: string): string[] {
  if (Array.isArray(value))
    return value.map((v) =>
      Array.isArray(v) ? v.map((x) => words(x, where).join(' ')).join(' ') : words(v, where).join(' '),
    );
  if (typeof value === 'string' || typeof value === 'number') return [String(value)];
  throw new UserError(`${where}: expected a number, a text or a list`);
}

const FILE_KEYS = ['name', 'dataset', 'config', 'reps', 'seeds', 'train', 'grid', 'random'];

/**
 * A sweep file as the command-line words that say the same (so the file and the flags share one
 * parser): `[train]` holds train flags without dashes, `[grid]` KEY = [values], `[random]` n, seed and
 * `[random.ranges]` KEY = {min, max, log} or [choices]. Relative `config` paths are the file's folder's.
 */
export function sweepFileArgs(file: string): string[] {
  let doc: Record<string, TomlValue>;
  try {
    doc = parseToml(fs.readFileSync(file, 'utf8')) as Record<string, TomlValue>;
  } catch (error) {
    throw new UserError(`${file}: ${(error as Error).message}`);
  }
  const table = (key: string): Record<string, TomlValue> => {
    const v = doc[key] ?? {};
    if (typeof v !== 'object' || Array.isArray(v) || v instanceof Date)
      throw new UserError(`${file}: [${key}] must be a table`);
    return v;
  };
  const unknown = Object.keys(doc).filter((k) => !FILE_KEYS.includes(k));
  if (unknown.length > 0) throw new UserError(`${file}: unknown key '${unknown[0]}' (known: ${FILE_KEYS.join(', ')})`);
  const argv: string[] = [];
  for (const key of ['name', 'dataset', 'reps'] as const)
    if (doc[key] !== undefined) argv.push(`--${key}`, ...words(doc[key], `${file}: ${key}`));
  if (doc.config !== undefined)
    argv.push('--config', path.resolve(path.dirname(file), words(doc.config, `${file}: config`)[0]));
  if (doc.seeds !== undefined) argv.push('--seeds', ...words(doc.seeds, `${file}: seeds`));
  for (const [key, value] of Object.entries(table('train'))) {
    if (typeof value === 'boolean') argv.push(value ? `--${key}` : `--no-${key}`);
    else argv.push(`--${key}`, ...words(value, `${file}: train.${key}`));
  }
  for (const [key, value] of Object.entries(table('grid'))) {
    argv.push('--grid', `${key}=${words(value, `${file}: grid.${key}`).join(',')}`);
  }
  const random = table('random');
  if (Object.keys(random).length > 0) {
    if (random.n !== undefined) argv.push('--random', ...words(random.n, `${file}: random.n`));
    if (random.seed !== undefined) argv.push('--random-seed', ...words(random.seed, `${file}: random.seed`));
    const ranges = random.ranges ?? {};
    if (typeof ranges !== 'object' || Array.isArray(ranges) || ranges instanceof Date)
      throw new UserError(`${file}: [random.ranges] must be a table`);
    for (const [key, r] of Object.entries(ranges)) {
      const where = `${file}: random.ranges.${key}`;
      if (Array.isArray(r)) argv.push('--range', `${key}=${words(r, where).join('|')}`);
      else if (typeof r === 'object' && !(r instanceof Date) && r.min !== undefined && r.max !== undefined) {
        const scale = r.log === undefined ? '' : r.log === true ? ':log' : ':lin';
        argv.push('--range', `${key}=${words(r.min, where)[0]}:${words(r.max, where)[0]}${scale}`);
      } else throw new UserError(`${where}: write { min = …, max = … } or a list of choices`);
    }
  }
  return argv;
}

function pct(x: number): string {
  return Number.isFinite(x) ? (100 * x).toFixed(1) : '–';
}

/** The line a finished run of the sweep prints. */
function runLine(head: string, m: EvalMetrics, where: string, seconds: number): string {
  return (
    `${head}: few ${pct(m.per_split.few)} med. ${pct(m.per_split.medium)} many ${pct(m.per_split.many)} overall ${pct(m.accuracy)} ` +
    `(${where}, ${formatDuration(seconds)})`
  );
}

/**
 * Runs to train at once (--concurrency, default the cores), at most the runs. Concurrent runs each take
 * one core of a single-threaded backend and read the shared scores, so the reference computation
 * (features per batch) and the multi-threaded TensorFlow backends train one run at a time.
 */
function concurrencyOf(args: ParsedArgs, io: CliIO, backend: BackendName, nRuns: number): number {
  const asked = getNumber(args, 'concurrency');
  if (asked !== undefined && asked < 1) throw new UsageError(`--concurrency ${asked}: give 1 or more`);
  const wanted = Math.min(asked ?? scoreThreads(), nRuns);
  if (wanted === 1) return 1;
  const why =
    getBoolean(args, 'exact-reference') === true
      ? '--exact-reference reads the features'
      : backend !== 'wasm' && backend !== 'cpu'
        ? `the ${backend} backend uses every core itself`
        : null;
  if (why === null) return wanted;
  if (asked !== undefined) io.err(`note: ${why}: the runs train one at a time`);
  return 1;
}

/**
 * Queues the sweep's runs for distributed workers (this process coordinates: it records what they send
 * into the store `--db` names) and prints a line as each run ends; returns how many failed.
 */
async function sweepOnQueue(
  redisUrl: string,
  args: ParsedArgs,
  io: CliIO,
  ds: LoadedDataset,
  runs: readonly SweepRun[],
  name: string,
): Promise<number> {
  const queue = new DistributedRunQueue({
    dbFile: dbFileOf(args, io),
    redisUrl,
    cwd: io.cwd,
    log: (line) => io.err(line),
  });
  let failed = 0;
  try {
    const heads = new Map<number, string>();
    for (const [i, run] of runs.entries()) {
      const id = queue.enqueue({
        config: run.config,
        seed: run.seed,
        experiment: name,
        datasetConfig: ds.spec.configFile ?? undefined,
      });
      heads.set(id, `[${i + 1}/${runs.length}] ${run.label}, seed ${run.seed}`);
    }
    queue.on('status', (e) => {
      const head = heads.get(e.runId);
      if (head === undefined || e.status === 'queued' || e.status === 'running') return;
      const run = queue.store.requireRun(e.runId);
      if (e.status === 'done' && run.test) {
        const seconds = ((run.finishedAt ?? Date.now()) - (run.startedAt ?? run.createdAt)) / 1000;
        io.out(runLine(head, run.test, `run ${run.id} on ${run.worker ?? '?'}`, seconds));
      } else {
        failed++;
        io.err(`${head}: ${e.status}${e.error ? `: ${e.error}` : ''}`);
      }
    });
    queue.start();
    io.out(
      `queued ${runs.length} runs on ${queue.redis}; waiting for workers (Ctrl+C leaves them queued: \`alphanet serve --queue …\` on this database records them)`,
    );
    await queue.whenIdle();
  } finally {
    await queue.close();
  }
  return failed;
}

export const command: Command = {
  spec: {
    name: 'sweep',
    summary:
      'Train a sweep: every combination of the --grid values (and --random draws) × repetitions, recorded under one experiment, each run named by its values (k=5, ρ=0.5). The whole sweep is checked against the dataset before anything trains; a line per finished run, then the results table, one row per config.',
    usage:
      'alphanet sweep --dataset KEY --grid KEY=V1,V2 [--grid KEY=…] [--reps N | --seeds S…] [--name N] [--random N --range KEY=MIN:MAX …] [any train flag]\n' +
      '       alphanet sweep --file sweep.toml [flags that override it]',
    flags: FLAGS,
  },
  async run(cliArgs, io) {
    const fileFlag = getString(cliArgs, 'file');
    let args = cliArgs;
    if (fileFlag !== undefined) {
      const file = path.resolve(io.cwd, fileFlag);
      if (!fs.existsSync(file)) throw new UserError(`${file}: no such file`);
      let fromFile: ParsedArgs;
      try {
        fromFile = parseArgs(command.spec, sweepFileArgs(file));
      } catch (error) {
        if (error instanceof UsageError) throw new UserError(`${file}: ${error.message}`);
        throw error;
      }
      args = { ...cliArgs, flags: new Map([...fromFile.flags, ...cliArgs.flags]) };
    }
    const dataset = requireString(args, 'dataset');
    if (queueArg(args) && getNumber(args, 'concurrency') !== undefined)
      throw new UsageError(
        '--concurrency applies to training here, not with --queue (each worker trains its own runs)',
      );
    const base = configFromArgs(args, dataset);
    const spec = sweepFromArgs(args, base);
    const seedWords = getList(args, 'seeds');
    const seeds = seedWords
      ? seedWords.map((s) => {
          const n = Number(s);
          if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--seeds: '${s}' is not a whole number ≥ 0`);
          return n;
        })
      : Array.from({ length: getNumber(args, 'reps') ?? 1 }, (_, i) => i + 1);
    if (seeds.length === 0) throw new UsageError('--reps must be at least 1');
    if (new Set(seeds).size !== seeds.length) throw new UsageError('--seeds: seeds repeat');
    const names = sweepParams(spec).map((p) => paramInfo(p, base).name);
    const name = getString(args, 'name') ?? `${dataset} sweep ${names.join(' ')}`;

    const { train_datagrp, val_datagrp, test_datagrp } = base.training;
    const ds = await loadDatasetArg(args, io, [
      train_datagrp,
      test_datagrp,
      ...(val_datagrp === null ? [] : [val_datagrp]),
    ]);
    // The whole sweep first: a bad value queues nothing and is named with its parameter.
    const problems = validateSweep(base, spec, datasetFacts(ds.spec.key, ds.splits, ds.spec.datagrps));
    if (problems.length > 0)
      throw new UsageError(
        `the sweep is not valid; nothing was trained:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
      );
    const configs = sweepConfigs(base, spec);
    for (const c of configs) {
      try {
        validateRun(ds, c.config);
      } catch (error) {
        if (error instanceof ConfigError)
          throw new UsageError(`the sweep is not valid; nothing was trained:\n  ${c.label}: ${error.message}`);
        throw error;
      }
    }
    const runs = expandSweep(base, spec, seeds);
    io.out(
      `sweep '${name}' on ${ds.spec.properName}: ${configs.length} configs × ${seeds.length} seeds = ${runs.length} runs`,
    );
    if (getBoolean(args, 'dry-run')) {
      for (const c of configs) io.out(`  ${c.label}  seeds ${seeds.join(' ')}`);
      return 0;
    }
    const backend = await initBackend(backendOf(args));
    const cacheRoot = cacheRootOf(args, io);
    const { db, store } = openStoreArg(args, io);
    // Every run shares `ds`, so the scores are read (or computed) once, by the first run.
    const phase = phasePrinter(io);
    let failed = 0;
    try {
      // The results table compares against the baseline: record it once per dataset.
      if (store.listRuns({ dataset: ds.spec.key, kind: 'baseline', status: 'done' }).length === 0) {
        const { runId } = await recordedBaselineRun(store, ds, { backend, cacheRoot, onPhase: phase });
        io.out(`baseline recorded as run ${runId}`);
      }
      const redisUrl = queueArg(args);
      if (redisUrl) {
        failed = await sweepOnQueue(redisUrl, args, io, ds, runs, name);
      } else {
        const concurrency = concurrencyOf(args, io, backend, runs.length);
        /** Trains and records run `i` (on a sweep thread with `train`); a failure is counted and printed. */
        const trainOne = async (i: number, train?: SweepThread['train']) => {
          const run = runs[i];
          const started = performance.now();
          const head = `[${i + 1}/${runs.length}] ${run.label}, seed ${run.seed}`;
          // One progress line fits one run at a time; concurrent runs print a line each as they finish.
          const progress = io.isTTY && concurrency === 1;
          try {
            const { runId, result } = await recordedTrainRun(store, ds, run.config, {
              seed: run.seed,
              backend,
              experiment: name,
              cacheRoot,
              ckptIntervalSeconds: OWN_CKPT_INTERVAL_S,
              onPhase: phase,
              exactReference: getBoolean(args, 'exact-reference') === true,
              train,
              onProgress: (p) => {
                if (progress)
                  process.stderr.write(
                    `\r${progressLine({ ...p, epochs: run.config.training.train_epochs, etaSeconds: p.etaSeconds ?? Number.NaN })}\x1b[K`,
                  );
              },
            });
            if (progress) process.stderr.write('\r\x1b[K');
            io.out(runLine(head, result.test, `run ${runId}`, (performance.now() - started) / 1000));
          } catch (error) {
            if (!(error instanceof Error)) throw error;
            failed++;
            io.err(`${head}: failed: ${error.message}`);
          }
        };
        if (concurrency === 1) {
          for (let i = 0; i < runs.length; i++) await trainOne(i);
        } else {
          const shared = await shareDataset(
            ds,
            runs.map((r) => r.config),
            cacheRoot,
            phase,
          );
          const threads = Array.from({ length: concurrency }, () => new SweepThread(ds, shared, backend));
          let next = 0;
          try {
            await Promise.all(
              threads.map(async (thread) => {
                while (next < runs.length) await trainOne(next++, thread.train);
              }),
            );
          } finally {
            await Promise.all(threads.map((thread) => thread.close()));
          }
        }
      }
    } finally {
      db.close();
    }
    io.out('');
    const db2 = getString(args, 'db');
    const code = await results.run(
      parseArgs(results.spec, [
        '--experiment',
        name,
        '--dataset',
        ds.spec.key,
        ...(db2 === undefined ? [] : ['--db', db2]),
      ]),
      io,
    );
    if (failed > 0) io.err(`${failed} of ${runs.length} runs failed`);
    return failed > 0 ? 1 : code;
  },
};
