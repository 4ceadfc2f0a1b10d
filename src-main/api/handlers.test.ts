import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_ROW, compareSelection } from '../../src-shared/compare-groups.ts';
import { defaultRunConfig, type RunConfig } from '../../src-shared/config.ts';
import { runCli } from '../../test/support/cli.ts';
import { readDatasetsToml } from '../data/config.ts';
import { UserError } from '../errors.ts';
import { dispatch, NotFoundError } from './dispatch.ts';
import { openWorkbench, type Workbench } from './workbench.ts';

const TINYLT = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tinylt', 'datasets.toml');

let dir: string;
let bench: Workbench;

function tiny(): RunConfig {
  const config = defaultRunConfig('tinylt_synth');
  config.training.train_epochs = 2;
  config.training.min_epochs = 1;
  return config;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-handlers-'));
  bench = openWorkbench({ dbFile: path.join(dir, 'workbench.sqlite'), cwd: dir });
  await bench.api.addDataset({ configFile: TINYLT });
});

afterAll(async () => {
  await bench.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('workbench handlers over the store and queue', () => {
  it('queues n × m runs for a sweep under one experiment, with the swept values and seeds', async () => {
    const { runIds } = await bench.api.launchExperiment({
      experiment: 'r sweep',
      config: tiny(),
      seeds: [3, 4],
      sweep: { grid: [{ param: 'training.sampler_args.1.r', values: [0.5, 1] }] },
    });
    expect(runIds).toHaveLength(4);
    const runs = await Promise.all(runIds.map((id) => bench.api.getRun({ id })));
    expect(runs.map((r) => [r.experiment, r.seed, r.config.training.sampler_args[1].r])).toEqual([
      ['r sweep', 3, '0.5'],
      ['r sweep', 4, '0.5'],
      ['r sweep', 3, '1'],
      ['r sweep', 4, '1'],
    ]);
    expect(new Set(runs.map((r) => r.configHash)).size).toBe(2);
    await bench.queue.whenIdle();
    const done = await bench.api.listRuns({ experiment: 'r sweep', status: 'done' });
    expect(done).toHaveLength(4);
    expect(done[0].test?.few).toBeGreaterThan(0);
    // Each run is named by the value its sweep varies, never by its hash.
    expect(done.map((r) => r.label)).toEqual(['ρ=1', 'ρ=1', 'ρ=0.5', 'ρ=0.5']);
    expect(done[0].swept).toEqual([{ param: 'training.sampler_args.1.r', name: 'ρ', value: '1', text: '1' }]);
  });

  it('keeps the validation report when a run records its dataset', async () => {
    const report = await bench.api.getDatasetReport({ key: 'tinylt_synth' });
    const { runIds } = await bench.api.launchExperiment({
      experiment: 'after validating',
      config: tiny(),
      repetitions: 1,
    });
    await bench.queue.whenIdle();
    expect((await bench.api.getRun({ id: runIds[0] })).status).toBe('done');
    const [row] = bench.queue.store.listDatasets().filter((d) => d.key === 'tinylt_synth');
    // The run wrote what it read (fingerprint, splits) beside the report, not over it.
    expect(row.report).toEqual(report);
    expect(row.fingerprint).not.toBeNull();
    expect(row.splits?.few.length).toBeGreaterThan(0);
  });

  it('checks a sweep against its dataset before queuing anything', async () => {
    const before = (await bench.api.listRuns({})).length;
    const error = await bench.api
      .launchExperiment({
        experiment: 'k sweep',
        config: tiny(),
        repetitions: 1,
        sweep: { grid: [{ param: 'training.n_neighbors', values: [2, 500] }] },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as { fields: unknown }).fields).toEqual([
      {
        path: 'sweep.training.n_neighbors',
        message: expect.stringMatching(
          /^k = 500: must be less than the number of base classes of 'tinylt_synth' \(\d+\)$/,
        ),
      },
    ]);
    expect(await bench.api.listRuns({})).toHaveLength(before);
  });

  it('cancels a queued run, resumes it, re-runs a finished one, and deletes with care', async () => {
    const { runIds } = await bench.api.launchExperiment({ experiment: 'ops', config: tiny(), repetitions: 2 });
    const cancelled = await bench.api.cancelRun({ id: runIds[1] });
    expect(cancelled.status).toBe('cancelled');
    await bench.queue.whenIdle();
    expect((await bench.api.resumeRun({ id: runIds[1] })).status).toBe('queued');
    await bench.queue.whenIdle();
    expect((await bench.api.getRun({ id: runIds[1] })).status).toBe('done');

    const { runIds: again } = await bench.api.rerun({ id: runIds[0] });
    const [first, copy] = await Promise.all([bench.api.getRun({ id: runIds[0] }), bench.api.getRun({ id: again[0] })]);
    expect([copy.experiment, copy.seed, copy.config]).toEqual([first.experiment, first.seed, first.config]);
    await bench.queue.whenIdle();

    await expect(bench.api.cancelRun({ id: runIds[0] })).rejects.toThrow(
      /is done; only queued or running runs can be cancelled/,
    );
    expect(await bench.api.deleteRun({ id: runIds[0] })).toEqual({ deleted: runIds[0] });
    await expect(bench.api.getRun({ id: runIds[0] })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('computes the baseline once per dataset and shows it per datagrp and split', async () => {
    const baseline = await bench.api.computeBaseline({ key: 'tinylt_synth' });
    expect(Object.keys(baseline.datagrps).sort()).toEqual(['test', 'train', 'val']);
    for (const m of Object.values(baseline.datagrps)) {
      for (const v of [m.few, m.medium, m.many, m.overall, m.top5]) expect(v).toBeGreaterThanOrEqual(0);
    }
    const baselineRuns = () =>
      bench.api.listRuns({ dataset: 'tinylt_synth' }).then((runs) => runs.filter((r) => r.kind === 'baseline'));
    expect(await baselineRuns()).toHaveLength(1);
    expect(await bench.api.computeBaseline({ key: 'tinylt_synth' })).toEqual(baseline);
    expect(await baselineRuns()).toHaveLength(1);
  });

  it('keeps the error text of a failed run', async () => {
    // launchExperiment refuses this config up front; the queue meets such a failure only when the data changed meanwhile.
    const config = tiny();
    config.training.n_neighbors = 1000;
    const id = bench.queue.enqueue({
      kind: 'train',
      config,
      seed: 1,
      experiment: 'too many neighbours',
      datasetConfig: TINYLT,
    });
    await bench.queue.whenIdle();
    const run = await bench.api.getRun({ id });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/n_neighbors: must be less than the number of base classes/);
    // The log ends with the error, marked as one.
    expect(run.log.lines.at(-1)).toMatchObject({ level: 'error', text: `failed: ${run.error}` });
  });

  it("records a run's log as it goes and the fingerprint of the data it trained on, and serves both", async () => {
    const { runIds } = await bench.api.launchExperiment({ experiment: 'logged', config: tiny(), seeds: [5] });
    await bench.queue.whenIdle();
    const run = await bench.api.getRun({ id: runIds[0] });
    const texts = run.log.lines.map((l) => l.text);
    expect(texts[0]).toMatch(/^started, 2 epochs on .*: dataset tinylt_synth \(fingerprint [0-9a-f]{16}\), seed 5$/);
    expect(texts.filter((t) => /^epoch \d\/2: loss \d/.test(t))).toHaveLength(2);
    expect(texts.at(-1)).toMatch(/^kept epoch \d \(best-val\); val acc .*; test acc [\d.]+% \(many .*, few [\d.]+%\)$/);
    expect(run.log.lines.every((l) => l.level === 'info')).toBe(true);
    expect(run.log.dropped).toBe(0);
    expect(run.trainedFingerprint).not.toBeNull();
    expect(run.trainedFingerprint).toBe(run.datasetFingerprint);
    // As after the dataset's files changed: the page compares the two.
    bench.queue.store.setTrainedFingerprint(run.id, 'an older fingerprint');
    const after = await bench.api.getRun({ id: run.id });
    expect([after.trainedFingerprint, after.datasetFingerprint]).toEqual([
      'an older fingerprint',
      run.datasetFingerprint,
    ]);
  });

  it('refuses datasets it does not know, and queues nothing for them', async () => {
    const before = (await bench.api.listRuns({})).length;
    await expect(
      bench.api.launchExperiment({ experiment: 'x', config: defaultRunConfig('nope'), repetitions: 1 }),
    ).rejects.toThrow(/no dataset 'nope': add its datasets.toml first/);
    expect((await bench.api.listRuns({})).length).toBe(before);
    await expect(bench.api.addDataset({ folder: dir })).rejects.toBeInstanceOf(UserError);
    await expect(bench.api.getDatasetReport({ key: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('exports a series as TensorBoard CSV and JSON', async () => {
    const [run] = await bench.api.listRuns({ experiment: 'r sweep' });
    const csv = await bench.api.exportSeries({ runId: run.id, tag: 'validation/accuracy', format: 'csv' });
    const json = await bench.api.exportSeries({ runId: run.id, tag: 'validation/accuracy', format: 'json' });
    expect(csv.filename).toBe(`run-${run.id}-validation_accuracy.csv`);
    const rows = csv.content.trim().split('\n');
    expect(rows[0]).toBe('Wall time,Step,Value');
    const parsed = JSON.parse(json.content) as [number, number, number][];
    expect(parsed.map(([, step]) => step)).toEqual([1, 2]);
    expect(rows.slice(1)).toEqual(parsed.map(([w, s, v]) => `${w},${s},${v}`));
    await expect(bench.api.exportSeries({ runId: run.id, tag: 'nope', format: 'csv' })).rejects.toThrow(
      /has no series 'nope'/,
    );
  });

  it('lists the comparable groups of a dataset (experiments, and a sweep per config) and returns their finished runs', async () => {
    const [tiny, ...others] = await bench.api.listComparisonGroups({ dataset: 'tinylt_synth' });
    expect(others).toEqual([]);
    expect(tiny.displayName).toBe('TinyLT | synth');
    const done = await bench.api.listRuns({ dataset: 'tinylt_synth', status: 'done' });
    expect(tiny.baselineRunId).toBe(done.find((r) => r.kind === 'baseline')?.id);
    const sweep = tiny.groups.find((g) => g.id === 'experiment:r sweep')!;
    expect(sweep.runIds).toEqual(
      done
        .filter((r) => r.experiment === 'r sweep')
        .map((r) => r.id)
        .reverse(),
    );
    expect(sweep.configHashes).toHaveLength(2);
    const perConfig = tiny.groups.filter((g) => g.kind === 'config' && g.experiments.includes('r sweep'));
    expect(perConfig.map((g) => g.configHashes)).toEqual(sweep.configHashes.map((h) => [h]));
    // The failed run is no row of any group.
    const failed = (await bench.api.listRuns({ experiment: 'too many neighbours' }))[0];
    expect(tiny.groups.flatMap((g) => g.runIds)).not.toContain(failed.id);

    const runs = await bench.api.getComparisonRuns({ runIds: [tiny.baselineRunId!, ...sweep.runIds] });
    expect(runs.map((r) => r.id)).toEqual([tiny.baselineRunId, ...sweep.runIds]);
    const [comparison] = compareSelection([{ dataset: tiny, groups: perConfig }], new Map(runs.map((r) => [r.id, r])));
    expect(comparison.rows.map((r) => [r.name, r.nRuns])).toEqual([
      [BASELINE_ROW, 1],
      ...perConfig.map((g) => [g.name, g.runIds.length]),
    ]);
    expect(comparison.configDiff.entries.map((e) => e.key)).toEqual(['training.sampler_args']);
    expect(comparison.rows[1].cells.few.mean).toBeGreaterThan(0);
    await expect(bench.api.getComparisonRuns({ runIds: [failed.id, 999_999] })).rejects.toThrow(
      new RegExp(`no finished run with id ${failed.id}, 999999`),
    );
  });

  it('lists the experiments the Inspector can open, and computes one once per run set', async () => {
    const listed = await bench.api.listInspectable({});
    // A sweep is listed once per config, named by its values; its runs are never pooled.
    const configs = listed.filter((e) => e.experiment === 'r sweep');
    const done = await bench.api.listRuns({ experiment: 'r sweep', status: 'done' });
    const [baseline] = (await bench.api.listRuns({ dataset: 'tinylt_synth', status: 'done' })).filter(
      (r) => r.kind === 'baseline',
    );
    expect(configs.map((c) => c.label).sort()).toEqual(['ρ=0.5', 'ρ=1']);
    const sweep = configs.find((c) => c.label === 'ρ=0.5')!;
    const ofConfig = done.filter((r) => r.label === 'ρ=0.5');
    expect(sweep).toMatchObject({
      dataset: 'tinylt_synth',
      baselineRunId: baseline.id,
      configHash: ofConfig[0].configHash,
      runIds: ofConfig.map((r) => r.id).reverse(),
    });
    expect(listed.map((e) => e.experiment)).not.toContain('too many neighbours');
    await expect(bench.api.getInspector({ dataset: 'tinylt_synth', experiment: 'r sweep' })).rejects.toThrow(
      /experiment 'r sweep' is a sweep of 2 configs \('ρ=0.5', 'ρ=1'\): choose one/,
    );

    const params = { dataset: 'tinylt_synth', experiment: 'r sweep', configHash: sweep.configHash! };
    const data = await bench.api.getInspector(params);
    expect(data.runs.map((r) => r.id)).toEqual(sweep.runIds);
    expect(data.baselineRunId).toBe(baseline.id);
    expect(data.fewClasses.length).toBeGreaterThan(0);
    expect(await bench.api.getInspector(params)).toBe(data);

    const { runIds } = await bench.api.rerun({ id: sweep.runIds[0] });
    await bench.queue.whenIdle();
    const again = await bench.api.getInspector(params);
    expect(again.runs.map((r) => r.id)).toEqual([...sweep.runIds, ...runIds]);

    await expect(bench.api.getInspector({ dataset: 'tinylt_synth', experiment: 'nope' })).rejects.toThrow(
      /no finished training runs of experiment 'nope' on dataset 'tinylt_synth'/,
    );
  });
});

describe('served mode: what requests may read and write', () => {
  let served: Workbench;
  let root: string;

  beforeAll(async () => {
    root = path.join(dir, 'data');
    served = openWorkbench({ dbFile: path.join(dir, 'served.sqlite'), cwd: dir, outputRoot: root });
    await served.api.addDataset({ configFile: TINYLT });
  });
  afterAll(() => served.close());

  it.each(['/tmp/anywhere', '../../escape', `${path.sep}etc`])(
    'refuses TensorBoard logs at %s and queues nothing',
    async (tb) => {
      const config = { ...tiny(), training: { ...tiny().training, tb_logs: tb } };
      const before = (await served.api.listRuns({})).length;
      await expect(served.api.launchExperiment({ experiment: 'tb', config })).rejects.toThrow(
        /lies outside the data folder/,
      );
      expect(await served.api.listRuns({})).toHaveLength(before);
    },
  );

  it("shows a run's full record, keeps its notes and tags, and acts on many runs at once", async () => {
    const { runIds } = await bench.api.launchExperiment({ experiment: 'bulk', config: tiny(), seeds: [1, 2, 3] });
    await bench.queue.whenIdle();
    const [a, b, c] = runIds;
    const detail = await bench.api.getRun({ id: a });
    expect(detail).toMatchObject({ selection: 'best-val', notes: '', tags: [], bestEpoch: expect.any(Number) });
    expect(detail.results.map((r) => [r.datagrp, r.role])).toEqual([
      ['val', 'val'],
      ['test', 'test'],
    ]);
    expect(detail.results[1].accuracy).toEqual(detail.test);

    expect(await bench.api.setRunNotes({ id: a, notes: 'kept epoch looks early' })).toEqual({
      id: a,
      notes: 'kept epoch looks early',
    });
    expect(await bench.api.tagRuns({ ids: [a, b], add: ['keep', 'paper'] })).toEqual([
      { id: a, tags: ['keep', 'paper'] },
      { id: b, tags: ['keep', 'paper'] },
    ]);
    expect(await bench.api.tagRuns({ ids: [b], remove: ['paper'] })).toEqual([{ id: b, tags: ['keep'] }]);
    expect((await bench.api.listRuns({ tag: ['keep'] })).map((r) => r.id)).toEqual([b, a]);
    const [listed] = await bench.api.listRuns({ tag: ['keep', 'paper'] });
    expect(listed).toMatchObject({ id: a, notes: 'kept epoch looks early', tags: ['keep', 'paper'] });
    // A missing run tags none of them.
    await expect(bench.api.tagRuns({ ids: [c, 99_999], add: ['x'] })).rejects.toBeInstanceOf(NotFoundError);
    expect((await bench.api.getRun({ id: c })).tags).toEqual([]);

    const { runIds: copies } = await bench.api.rerunRuns({ ids: [b, a] });
    const copied = await Promise.all(copies.map((id) => bench.api.getRun({ id })));
    expect(copied.map((r) => [r.experiment, r.seed, r.tags])).toEqual([
      ['bulk', 2, []],
      ['bulk', 1, []],
    ]);
    await bench.queue.whenIdle();
    expect(await bench.api.deleteRuns({ ids: [c, ...copies] })).toEqual({ deleted: [c, ...copies] });
    expect((await bench.api.listRuns({ experiment: 'bulk' })).map((r) => r.id)).toEqual([b, a]);
  });

  it('deletes none of a bulk selection when one run is running', async () => {
    const { runIds } = await bench.api.launchExperiment({ experiment: 'bulk running', config: tiny(), repetitions: 1 });
    await bench.queue.whenIdle();
    const running = bench.queue.store.createRun({
      kind: 'train',
      config: tiny(),
      seed: 9,
      experiment: 'bulk running',
      status: 'running',
    });
    await expect(bench.api.deleteRuns({ ids: [runIds[0], running] })).rejects.toThrow(
      `run ${running} is running; cancel it before deleting it`,
    );
    expect((await bench.api.listRuns({ experiment: 'bulk running' })).map((r) => r.id)).toEqual([running, runIds[0]]);
    bench.queue.store.failRun(running, 'test over');
  });

  it('refuses a symlink out of the data folder', async () => {
    fs.mkdirSync(path.join(root, 'tb_logs'), { recursive: true });
    fs.symlinkSync(os.tmpdir(), path.join(root, 'tb_logs', 'out'));
    const config = { ...tiny(), training: { ...tiny().training, tb_logs: 'out/run' } };
    await expect(served.api.launchExperiment({ experiment: 'tb', config })).rejects.toThrow(
      /lies outside the data folder/,
    );
  });

  it('puts a relative TensorBoard folder under the data folder', async () => {
    const config = { ...tiny(), training: { ...tiny().training, tb_logs: 'mine/run1' } };
    const { runIds } = await served.api.launchExperiment({ experiment: 'tb', config });
    await served.api.cancelRun({ id: runIds[0] }).catch(() => undefined);
    expect((await served.api.getRun({ id: runIds[0] })).config.training.tb_logs).toBe(
      path.join(root, 'tb_logs', 'mine', 'run1'),
    );
    await served.queue.whenIdle();
  });

  it('reads only .toml configs, and says the same of a missing and an existing folder', async () => {
    await expect(served.api.addDataset({ configFile: '/etc/passwd' })).rejects.toThrow(
      /\/etc\/passwd: a datasets config is a \.toml file/,
    );
    const missing = await served.api.addDataset({ folder: path.join(dir, 'no-such') }).catch((e: Error) => e.message);
    const existing = await served.api.addDataset({ folder: os.tmpdir() }).catch((e: Error) => e.message);
    expect(String(missing)).toMatch(/: no datasets\.toml there/);
    expect(String(existing)).toMatch(/: no datasets\.toml there/);
  });
});

describe("the app's dataset registry (the data folder's datasets.toml)", () => {
  let saved: string | undefined;
  let data: string;
  beforeAll(() => {
    saved = process.env.ALPHANET_DATA_DIR;
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-registry-data-'));
    process.env.ALPHANET_DATA_DIR = data;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.ALPHANET_DATA_DIR;
    else process.env.ALPHANET_DATA_DIR = saved;
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('is written when a dataset is added or removed, and the CLI trains from it without --config', async () => {
    const registry = path.join(data, 'datasets.toml');
    const app = openWorkbench({ dbFile: path.join(data, 'workbench.sqlite'), cwd: dir });
    try {
      const added = await app.api.addDataset({ configFile: TINYLT });
      expect(added.map((d) => [d.key, d.configFile])).toEqual([
        ['tinylt_synth', registry],
        ['tinylt_synth_ride', registry],
      ]);
      // Absolute paths: the original code resolves paths against its working directory.
      expect(fs.readFileSync(registry, 'utf8')).toContain(
        `split_files_dir = ${JSON.stringify(path.join(path.dirname(TINYLT), 'splits'))}`,
      );
      // A report still being validated when its dataset is removed does not bring the dataset back.
      const report = app.api.getDatasetReport({ key: 'tinylt_synth_ride' });
      expect(await app.api.removeDataset({ key: 'tinylt_synth_ride' })).toEqual({ removed: true });
      expect((await report).key).toBe('tinylt_synth_ride');
      expect(await app.api.removeDataset({ key: 'tinylt_synth_ride' })).toEqual({ removed: false });
      expect((await app.api.listDatasets({})).map((d) => d.key)).toEqual(['tinylt_synth']);
      expect(fs.readFileSync(registry, 'utf8')).not.toContain('tinylt_synth_ride');
    } finally {
      await app.close();
    }

    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-cwd-'));
    const db = path.join(elsewhere, 'cli.sqlite');
    const trained = await runCli(elsewhere, [
      'train',
      '--dataset',
      'tinylt_synth',
      '--db',
      db,
      '--seed',
      '1',
      '--training:train-epochs',
      '1',
      '--training:min-epochs',
      '1',
      '--backend',
      'wasm',
    ]);
    expect(trained.err).not.toMatch(/no dataset/);
    expect(trained.code).toBe(0);
    const missing = await runCli(elsewhere, ['train', '--dataset', 'tinylt_synth_ride', '--db', db]);
    expect(missing.err).toContain(`no dataset 'tinylt_synth_ride' (${registry} has tinylt_synth)`);
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it('takes in, on open, the datasets the store knew only from other datasets.toml files', async () => {
    const registry = path.join(data, 'migrated.toml');
    const db = path.join(data, 'older.sqlite');
    // A store from before the registry: its datasets point at the file they were added from.
    const older = openWorkbench({ dbFile: db, cwd: dir, registryFile: TINYLT });
    await older.api.addDataset({ configFile: TINYLT });
    await older.close();
    expect(fs.existsSync(registry)).toBe(false);

    const app = openWorkbench({ dbFile: db, cwd: dir, registryFile: registry });
    try {
      expect((await app.api.listDatasets({})).map((d) => [d.key, d.configFile])).toEqual([
        ['tinylt_synth', registry],
        ['tinylt_synth_ride', registry],
      ]);
      expect(readDatasetsToml(registry).specs.map((s) => s.classifierFile)).toEqual(
        readDatasetsToml(TINYLT).specs.map((s) => s.classifierFile),
      );
    } finally {
      await app.close();
    }
  });
});

describe('view settings remembered per data folder', () => {
  it('keeps each scope in preferences.json, and refuses what is not a few short strings', async () => {
    const file = path.join(dir, 'prefs', 'preferences.json');
    const app = openWorkbench({ dbFile: path.join(dir, 'prefs.sqlite'), cwd: dir, preferencesFile: file });
    try {
      expect(await app.api.getPreferences({})).toEqual({});
      await app.api.setPreferences({ scope: 'curves', values: { smoothing: '0.85' } });
      expect(await app.api.setPreferences({ scope: 'app', values: { view: 'compare' } })).toEqual({
        curves: { smoothing: '0.85' },
        app: { view: 'compare' },
      });
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
        curves: { smoothing: '0.85' },
        app: { view: 'compare' },
      });
      const refused = await dispatch(app.api, 'setPreferences', { scope: 'curves', values: { smoothing: 0.85 } });
      expect(refused).toMatchObject({ ok: false, body: { error: 'values.smoothing: must be a string' } });
      expect(await dispatch(app.api, 'setPreferences', { scope: 'elsewhere', values: {} })).toMatchObject({
        ok: false,
        body: { error: 'scope: must be one of app, curves, compare' },
      });
      fs.writeFileSync(file, '{"curves": 3}');
      await expect(app.api.getPreferences({})).rejects.toThrow(`${file}: curves: must be an object; fix or delete it`);
    } finally {
      await app.close();
    }
  });
});
