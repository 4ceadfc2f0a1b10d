import { defaultRunConfig } from '../../../src-shared/config.ts';
import { initBackend } from '../../engine/backend.ts';
import { getString, type ParsedArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { BACKEND_FLAG, backendOf, loadDatasetArg, parseSeed } from '../engine-cli.ts';
import { recordedBaselineRun } from '../../runs/record-run.ts';
import { DB_FLAG, openStoreArg } from '../store-cli.ts';
import { trainAndReport } from './train.ts';

/** The paper's main setting (ρ = 0.5) on the bundled demo dataset. */
const DEMO_R = '0.5';

export const command: Command = {
  spec: {
    name: 'demo',
    summary:
      "Run AlphaNet on the bundled demo dataset (100 ImageNet classes, synthetic features): the paper's setting " +
      `(k = 5 euclidean neighbours, AllFewSampler + ClassBalancedBaseSampler r=${DEMO_R}, 25 epochs, best-val selection), ` +
      'recorded in the workbench database, then the Few/Med./Many/Overall table against the baseline.',
    usage: 'alphanet demo [--seed N] [--db FILE] [--backend NAME]',
    flags: [{ name: 'seed', kind: 'string', help: 'seed of the run', default: '0' }, DB_FLAG, BACKEND_FLAG],
  },
  async run(args, io) {
    const seed = parseSeed(getString(args, 'seed')) ?? 0;
    const backend = await initBackend(backendOf(args));
    const datasetArgs: ParsedArgs = { ...args, flags: new Map([...args.flags, ['dataset', 'demo']]) };
    const ds = await loadDatasetArg(datasetArgs, io);
    io.out(
      `dataset: ${ds.spec.properName} (${ds.nClasses} classes, d = ${ds.dim}); backend: ${backend}; seed: ${seed}`,
    );
    const { db, store } = openStoreArg(datasetArgs, io);
    try {
      const { runId } = await recordedBaselineRun(store, ds, { backend, experiment: 'demo baseline' });
      io.out(`baseline recorded as run ${runId}`);
    } finally {
      db.close();
    }
    const config = defaultRunConfig('demo');
    config.training.sampler_args = [{}, { r: DEMO_R }];
    await trainAndReport(datasetArgs, io, ds, config, { seed, backend, experiment: `demo r=${DEMO_R}` });
    return 0;
  },
};
