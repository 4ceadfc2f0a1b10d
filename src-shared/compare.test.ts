import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from './config.ts';
import {
  compareByDataset,
  compareExperiments,
  configDiff,
  experimentsFromResults,
  flattenConfig,
  runColumnValues,
  type ExperimentInput,
  type RunRecord,
} from './compare.ts';
import {
  README_BASELINE,
  README_R01,
  README_R02,
  evalMetrics,
  runResult,
  seriesMetrics,
  type SplitSeries,
} from '../test/results-fixture.ts';

function record(seed: number | null, few: number, medium: number, many: number, overall: number): RunRecord {
  return {
    seed,
    test: evalMetrics(few, medium, many, overall),
    val: null,
    config: defaultRunConfig('ds'),
    selection: 'best-val',
  };
}

function seriesExperiment(
  name: string,
  series: SplitSeries,
  seeds: (number | null)[] = series.few.map((_, i) => i),
): ExperimentInput {
  return {
    name,
    dataset: 'ds',
    runs: series.few.map((_, i) => ({ ...record(seeds[i], 0, 0, 0, 0), test: seriesMetrics(series, i) })),
  };
}

const baseline: ExperimentInput = {
  name: 'Baseline',
  isBaseline: true,
  dataset: 'ds',
  runs: [record(null, README_BASELINE.few, README_BASELINE.medium, README_BASELINE.many, README_BASELINE.overall)],
};

describe('compareExperiments', () => {
  it('summarizes per column in percent, baseline first, single run without std', () => {
    const c = compareExperiments([seriesExperiment('r=0.1', README_R01), baseline]);
    expect(c.rows.map((r) => r.name)).toEqual(['Baseline', 'r=0.1']);
    expect(c.rows[0].cells.few).toMatchObject({ n: 1, std: null });
    expect(c.rows[0].cells.few.mean).toBeCloseTo(27.4, 12);
    const few = c.rows[1].cells.few;
    expect(few.n).toBe(10);
    expect(Math.abs((few.mean as number) - 47.6)).toBeLessThan(1e-12);
    expect(Math.abs((few.std as number) - 1.6001914468796121)).toBeLessThan(1e-12);
    expect(c.dataset).toBe('ds');
    expect(c.warnings).toEqual([]);
  });

  it('marks best and second best by displayed mean, ties sharing the rank', () => {
    const tie: ExperimentInput = { name: 'tie', dataset: 'ds', runs: [record(1, 0.47604, 0.1, 0.1, 0.1)] };
    const c = compareExperiments([
      baseline,
      seriesExperiment('r=0.1', README_R01),
      seriesExperiment('r=0.2', README_R02),
      tie,
    ]);
    const rank = (name: string, col: 'few' | 'many') => c.rows.find((r) => r.name === name)?.cells[col].rank;
    expect(rank('r=0.1', 'few')).toBe(1);
    expect(rank('tie', 'few')).toBe(1); // 47.604 shows as 47.6 as well
    expect(rank('r=0.2', 'few')).toBe(2);
    expect(rank('Baseline', 'few')).toBeNull();
    expect(rank('Baseline', 'many')).toBe(1);
    expect(rank('r=0.2', 'many')).toBe(2);
  });

  it('gives Δ vs the baseline and sorts the experiments, keeping the baseline first', () => {
    const c = compareExperiments(
      [baseline, seriesExperiment('r=0.1', README_R01), seriesExperiment('r=0.2', README_R02)],
      {
        sortBy: { column: 'overall' },
      },
    );
    expect(c.rows.map((r) => r.name)).toEqual(['Baseline', 'r=0.2', 'r=0.1']);
    expect(c.rows[0].cells.few.delta).toBeNull();
    expect(c.rows[2].cells.few.delta).toBeCloseTo(47.6 - 27.4, 10);
    const asc = compareExperiments(
      [baseline, seriesExperiment('r=0.2', README_R02), seriesExperiment('r=0.1', README_R01)],
      {
        sortBy: { column: 'overall', descending: false },
      },
    );
    expect(asc.rows.map((r) => r.name)).toEqual(['Baseline', 'r=0.1', 'r=0.2']);
  });

  it('tests vs the reference: paired with equal seeds, Welch otherwise, one-sample vs a single run', () => {
    const a = seriesExperiment('a', README_R01);
    const paired = compareExperiments([baseline, a, seriesExperiment('b', README_R02)], { reference: 'a' });
    const b = paired.rows.find((r) => r.name === 'b')!;
    expect(b.cells.few.test?.kind).toBe('paired');
    expect(b.cells.few.test?.df).toBe(9);
    expect(b.cells.few.test?.meanDiff).toBeCloseTo(45.7 - 47.6, 1);
    const base = paired.rows.find((r) => r.name === 'Baseline')!;
    expect(base.cells.few.test?.kind).toBe('one-sample');
    expect(base.cells.few.test?.meanDiff).toBeLessThan(0); // baseline − a
    expect(base.cells.few.test?.t).toBeLessThan(0);
    expect(paired.rows.find((r) => r.name === 'a')!.cells.few.test).toBeNull();

    const shifted = seriesExperiment(
      'b',
      README_R02,
      README_R02.few.map((_, i) => 100 + i),
    );
    const welch = compareExperiments([a, shifted], { reference: 'a' });
    expect(welch.rows[1].cells.few.test?.kind).toBe('welch');
    expect(welch.rows[1].cells.few.test!.p).toBeLessThan(0.05);

    const missing = compareExperiments([a], { reference: 'nope' });
    expect(missing.reference).toBeNull();
    expect(missing.warnings[0]).toMatch(/nope/);
  });

  it('adds seeded bootstrap intervals when asked', () => {
    const exps = [baseline, seriesExperiment('a', README_R01)];
    expect(compareExperiments(exps).rows[1].cells.few.ci).toBeNull();
    const c = compareExperiments(exps, { bootstrap: { resamples: 1000, seed: 3 } });
    const ci = c.rows[1].cells.few.ci!;
    expect(ci.low).toBeLessThan(47.6);
    expect(ci.high).toBeGreaterThan(47.6);
    expect(ci).toEqual(compareExperiments(exps, { bootstrap: { resamples: 1000, seed: 3 } }).rows[1].cells.few.ci);
    expect(c.rows[0].cells.few.ci).toBeNull(); // a single run has no interval
  });

  it('uses top-5 / F1 for Overall only and val when asked', () => {
    const c = compareExperiments([seriesExperiment('a', README_R01)], { metric: { datagrp: 'test', metric: 'top5' } });
    expect(c.rows[0].cells.few.mean).toBeNull();
    expect(c.rows[0].cells.few.n).toBe(0);
    expect(c.rows[0].cells.overall.mean).toBeCloseTo(70.0, 10);
    const run: RunRecord = { ...record(1, 0.1, 0.2, 0.3, 0.4), val: evalMetrics(0.5, 0.6, 0.7, 0.8) };
    expect(runColumnValues(run, { datagrp: 'val', metric: 'top1' }).few).toBeCloseTo(50, 12);
    const f1 = runColumnValues(run, { datagrp: 'val', metric: 'f1' });
    expect(f1).toMatchObject({ few: null, medium: null, many: null });
    expect(f1.overall).toBeCloseTo(72, 12);
    expect(runColumnValues(record(1, 0.1, 0.2, 0.3, 0.4), { datagrp: 'val', metric: 'top1' }).overall).toBeNull();
    const nanTop5 = { ...run, test: { ...run.test, top5: null as unknown as number } };
    expect(runColumnValues(nanTop5, { datagrp: 'test', metric: 'top5' }).overall).toBeNull();
  });

  it('warns about runs that differ beyond the seed and about mixed selection rules', () => {
    const e = seriesExperiment('a', README_R01);
    e.runs[3] = { ...e.runs[3], config: { ...defaultRunConfig('ds'), alphanet: { hdims: [8], hact: 'relu' } } };
    const other = seriesExperiment('b', README_R02);
    other.runs = other.runs.map((r) => ({ ...r, selection: 'min-epochs' as const }));
    const c = compareExperiments([e, other]);
    expect(c.warnings.join('\n')).toMatch(/a: its runs differ in more than the seed/);
    expect(c.warnings.join('\n')).toMatch(/selection rules/);
    expect(c.rows[1].selection).toBe('min-epochs');
  });

  it('rejects mixed datasets and repeated names; compareByDataset splits them', () => {
    const other = { ...seriesExperiment('a', README_R01), dataset: 'other' };
    expect(() => compareExperiments([seriesExperiment('a', README_R01), other])).toThrow(RangeError);
    expect(() => compareExperiments([seriesExperiment('a', README_R01), seriesExperiment('a', README_R02)])).toThrow(
      /two experiments/,
    );
    const split = compareByDataset([seriesExperiment('a', README_R01), other, baseline]);
    expect(split.map((c) => [c.dataset, c.rows.map((r) => r.name)])).toEqual([
      ['ds', ['Baseline', 'a']],
      ['other', ['a']],
    ]);
  });
});

describe('experimentsFromResults', () => {
  it('groups one experiment’s results by dataset and keeps seeds', () => {
    const results = [
      runResult(seriesMetrics(README_R01, 0), { seed: 4 }),
      runResult(seriesMetrics(README_R01, 1), { seed: 5, dataset: 'placeslt' }),
      runResult(seriesMetrics(README_R01, 2), { seed: 6 }),
    ];
    const exps = experimentsFromResults('x', results);
    expect(exps.map((e) => [e.dataset, e.runs.map((r) => r.seed)])).toEqual([
      ['imagenetlt', [4, 6]],
      ['placeslt', [5]],
    ]);
    const base = experimentsFromResults(
      'Baseline',
      [runResult(seriesMetrics(README_R01, 0), { kind: 'baseline' })],
      true,
    );
    expect(base[0].isBaseline).toBe(true);
    expect(base[0].runs[0].selection).toBeNull();
  });
});

describe('config diff', () => {
  it('flattens to dotted keys with arrays as leaves', () => {
    const flat = flattenConfig(defaultRunConfig('imagenetlt'));
    expect(flat['alphanet.hdims']).toBe('[32,32,32]');
    expect(flat['training.n_neighbors']).toBe('5');
    expect(flat['training.lr_sched_cls']).toBe('StepLR');
    expect(flat['training.tb_logs']).toBe('null');
    expect(flat['training.optim_params.lr']).toBe('0.001');
  });

  it('lists only differing parameters, never the seed or output paths', () => {
    const a = defaultRunConfig('imagenetlt');
    const b = structuredClone(a);
    b.training.sampler_args = [{}, { r: '0.2' }];
    b.training.optim_params = {};
    b.training.tb_logs = '/tmp/logs/b';
    const diff = configDiff([
      { name: 'a', configs: [a] },
      { name: 'b', configs: [b] },
      { name: 'c', configs: [null] },
    ]);
    expect(diff.experiments).toEqual(['a', 'b', 'c']);
    const keys = diff.entries.map((e) => e.key);
    expect(keys).toContain('training.sampler_args');
    expect(keys).toContain('training.optim_params.lr');
    expect(keys).not.toContain('training.tb_logs');
    const one = (value: string | null) => [{ value, count: 1 }];
    expect(diff.entries.find((e) => e.key === 'training.sampler_args')?.values).toEqual([
      one('[{},{"r":"0.1"}]'),
      one('[{},{"r":"0.2"}]'),
      one(null),
    ]);
    expect(diff.entries.find((e) => e.key === 'training.optim_params.lr')?.values).toEqual([
      one('0.001'),
      one(null),
      one(null),
    ]);
    expect(
      configDiff([
        { name: 'a', configs: [a] },
        { name: 'a2', configs: [structuredClone(a)] },
      ]).entries,
    ).toEqual([]);
  });

  it("shows every value of a mixed experiment with its count, not its first run's", () => {
    const k = (n: number) => {
      const c = defaultRunConfig('demo');
      c.training.n_neighbors = n;
      return c;
    };
    const diff = configDiff([
      { name: 'mixed', configs: [k(3), k(5), k(5)] },
      { name: 'plain', configs: [k(3), k(3)] },
    ]);
    expect(diff.entries).toEqual([
      {
        key: 'training.n_neighbors',
        values: [
          [
            { value: '5', count: 2 },
            { value: '3', count: 1 },
          ],
          [{ value: '3', count: 2 }],
        ],
      },
    ]);
  });
});
