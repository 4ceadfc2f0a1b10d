import { describe, expect, it } from 'vitest';
import { README_BASELINE, README_R01, evalMetrics, seriesMetrics } from '../test/results-fixture.ts';
import {
  BASELINE_ROW,
  compareGroups,
  compareSelection,
  configRows,
  experimentInputs,
  runIdsOf,
  type CompareRun,
} from './compare-groups.ts';
import { defaultRunConfig } from './config.ts';
import { configGroupKey } from './stats.ts';

let nextId = 1;
function run(
  dataset: string,
  experiment: string,
  r: string,
  seed: number | null,
  kind: 'train' | 'baseline' = 'train',
  finishedAt = 0,
): CompareRun {
  const config = defaultRunConfig(dataset);
  config.training.sampler_args = [{}, { r }];
  return {
    id: nextId++,
    dataset,
    experiment,
    kind,
    configHash: configGroupKey(config),
    seed,
    selection: 'best-val',
    config,
    test: seriesMetrics(README_R01, (seed ?? 0) % 10),
    val: null,
    finishedAt,
  };
}

describe('compareGroups', () => {
  nextId = 1;
  const b = README_BASELINE;
  const runs: CompareRun[] = [
    {
      ...run('inlt', 'inlt baseline', '0', null, 'baseline', 10),
      test: evalMetrics(b.few, b.medium, b.many, b.overall),
    },
    {
      ...run('inlt', 'inlt baseline', '0', null, 'baseline', 20),
      test: evalMetrics(b.few, b.medium, b.many, b.overall),
    },
    run('inlt', 'rho 0.5', '0.5', 0),
    run('inlt', 'rho 0.5', '0.5', 1),
    run('inlt', 'sweep', '0.1', 0),
    run('inlt', 'sweep', '0.2', 0),
    run('inlt', 'sweep', '0.1', 1),
    run('cifar', 'rho 0.5', '0.5', 0),
  ];
  const [, newestBaseline] = runs;
  const hash = (r: string) =>
    runs.find((x) => x.dataset === 'inlt' && x.config.training.sampler_args[1].r === r)!.configHash;

  it('lists named experiments, then the config groups that are not one of them, per dataset', () => {
    const listed = compareGroups(runs, { inlt: 'ImageNet-LT' });
    expect(listed.map((d) => [d.dataset, d.displayName, d.baselineRunId])).toEqual([
      ['cifar', 'cifar', null],
      ['inlt', 'ImageNet-LT', newestBaseline.id],
    ]);
    const inlt = listed[1];
    expect(inlt.groups.map((g) => [g.id, g.name, g.runIds.length])).toEqual([
      ['experiment:rho 0.5', 'rho 0.5', 2],
      ['experiment:sweep', 'sweep', 3],
      // rho 0.5's config group is the experiment itself, so only the sweep's settings are extra.
      [`config:${hash('0.1')}`, 'sweep: ρ=0.1', 2],
      [`config:${hash('0.2')}`, 'sweep: ρ=0.2', 1],
    ]);
    expect(inlt.groups.map((g) => g.label)).toEqual(['', '', 'ρ=0.1', 'ρ=0.2']);
    expect(inlt.groups[1].configHashes).toHaveLength(2);
    expect(inlt.groups[2].experiments).toEqual(['sweep']);
  });

  it('joins the names of a config recorded under several experiments', () => {
    const twice = [run('x', 'a', '0.5', 0), run('x', 'b', '0.5', 1)];
    const [x] = compareGroups(twice);
    expect(x.groups.map((g) => g.name)).toEqual(['a', 'b', 'a + b']);
    expect(x.baselineRunId).toBeNull();
  });

  it('turns a selection into comparisons: the baseline first, then the groups as chosen', () => {
    const inlt = compareGroups(runs).find((d) => d.dataset === 'inlt')!;
    const byId = new Map(runs.map((r) => [r.id, r]));
    const chosen = [inlt.groups[2], inlt.groups[0]];
    expect(runIdsOf([{ dataset: inlt, groups: chosen }])).toEqual(
      [newestBaseline.id, ...chosen.flatMap((g) => g.runIds)].sort((x, y) => x - y),
    );
    const inputs = experimentInputs(inlt, chosen, byId);
    expect(inputs.map((e) => [e.name, e.isBaseline ?? false, e.runs.length])).toEqual([
      [BASELINE_ROW, true, 1],
      [chosen[0].name, false, 2],
      ['rho 0.5', false, 2],
    ]);
    expect(inputs[0].runs[0].selection).toBeNull();
    expect(experimentInputs(inlt, chosen, byId, false)[0].name).toBe(chosen[0].name);
    // A run deleted since the listing is left out.
    const without = new Map(byId);
    without.delete(chosen[0].runIds[0]);
    expect(experimentInputs(inlt, chosen, without)[1].runs).toHaveLength(1);

    const [comparison, ...rest] = compareSelection(
      [
        { dataset: inlt, groups: [inlt.groups[0]] },
        { dataset: compareGroups(runs)[0], groups: [] },
      ],
      byId,
      { reference: BASELINE_ROW },
    );
    expect(rest).toEqual([]);
    expect(comparison.rows.map((r) => r.name)).toEqual([BASELINE_ROW, 'rho 0.5']);
    expect(comparison.rows[1].cells.few.delta).toBeCloseTo((README_R01.few[0] + README_R01.few[1]) * 50 - 27.4, 10);
    expect(comparison.rows[1].cells.few.test?.kind).toBe('one-sample');
  });

  it('shows a sweep as one row per config, named by its values, never averaging configs; a config chosen twice once', () => {
    const inlt = compareGroups(runs).find((d) => d.dataset === 'inlt')!;
    const byId = new Map(runs.map((r) => [r.id, r]));
    const sweep = inlt.groups[1];
    expect(configRows(sweep, byId).map((g) => [g.name, g.label, g.runIds.length])).toEqual([
      ['sweep: ρ=0.1', 'ρ=0.1', 2],
      ['sweep: ρ=0.2', 'ρ=0.2', 1],
    ]);
    expect(configRows(inlt.groups[0], byId)).toEqual([inlt.groups[0]]);
    const inputs = experimentInputs(inlt, [sweep, inlt.groups[2]], byId, false);
    expect(inputs.map((e) => [e.name, e.runs.length])).toEqual([
      ['sweep: ρ=0.1', 2],
      ['sweep: ρ=0.2', 1],
    ]);
  });
});
