/**
 * Engine speed on demo-sized and larger synthetic data (wasm unless ALPHANET_BACKEND says otherwise):
 * 25-epoch training runs, and evaluation through pretrained scores vs the direct X·Ŵᵀ + b path
 * (ratio measured in the same run). Run: `npx tsx bench/engine.ts`.
 */
import { defaultRunConfig } from '../src-shared/config.ts';
import { initBackend, type BackendName } from '../src-main/engine/backend.ts';
import { evaluateLogits, evaluateScores } from '../src-main/engine/evaluate.ts';
import { AlphaTrainer, buildProblem, exactLogits, initNetwork } from '../src-main/engine/model.ts';
import { rawScores } from '../src-main/engine/score-pool.ts';
import { computeNeighbors } from '../src-main/engine/neighbors.ts';
import { trainRun } from '../src-main/engine/run.ts';
import { makeSyntheticDataset, type SyntheticOptions } from '../src-main/engine/synthetic.ts';
import { Rng } from '../src-shared/rng.ts';

const backend = await initBackend((process.env.ALPHANET_BACKEND as BackendName | undefined) ?? 'wasm');
console.log(`backend: ${backend}`);

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, (performance.now() - t0) / 1000];
}

const sizes: [string, SyntheticOptions][] = [
  [
    'demo-like: 100 classes, d=64',
    { nClasses: 100, dim: 64, maxPerClass: 500, minPerClass: 5, valPerClass: 10, testPerClass: 50, seed: 1 },
  ],
  [
    'larger: 500 classes, d=256',
    { nClasses: 500, dim: 256, maxPerClass: 200, minPerClass: 3, valPerClass: 2, testPerClass: 10, seed: 2 },
  ],
];

for (const [name, opts] of sizes) {
  const ds = makeSyntheticDataset(opts);
  console.log(
    `\n${name}: train ${ds.datagrps.train.n}, few/med/many ${ds.splits.few.length}/${ds.splits.medium.length}/${ds.splits.many.length}`,
  );
  for (const r of ['0.1', '1']) {
    const c = defaultRunConfig(ds.spec.key);
    c.training.sampler_args = [{}, { r }];
    const [out, secs] = await time(() => trainRun(ds, c, { seed: 1, backend, cacheRoot: null }));
    const samples = out.result.epochs.reduce(
      (n, e) => n + e.n_train_per_split.few + e.n_train_per_split.medium + e.n_train_per_split.many,
      0,
    );
    console.log(
      `  train 25 epochs, r=${r}: ${secs.toFixed(2)}s (${Math.round(samples / secs)} samples/s incl. val each epoch)`,
    );
  }
  const table = computeNeighbors(ds, 5, 'euclidean', null);
  const problem = buildProblem(ds.classifier, ds.nClasses, ds.dim, table);
  const spec = { inDim: 6 * ds.dim, hdims: [32, 32, 32], outDim: 5, act: 'leaky_relu' as const };
  const trainer = new AlphaTrainer(problem, spec, 1);
  const tilde = trainer.alphas(initNetwork(spec, Rng.fromSeed(1)));
  trainer.dispose();
  const test = ds.datagrps.test;
  const scores = rawScores(test.feats, test.n, ds.dim, ds.classifier.weight, ds.nClasses);
  const [, fast] = await time(() => evaluateScores(problem, tilde, scores, test.labels, ds.splitOf, 1));
  const [, exact] = await time(async () =>
    evaluateLogits(await exactLogits(problem, tilde, test.feats, test.n, 1), test.labels, ds.nClasses, ds.splitOf),
  );
  console.log(
    `  evaluate ${test.n} test samples: scores path ${(fast * 1000).toFixed(1)}ms, X·Ŵᵀ path ${(exact * 1000).toFixed(1)}ms (×${(exact / fast).toFixed(1)})`,
  );
}
