/**
 * Trained networks outside a training run: evaluating a SavedNetwork (ours, from `--save-file`) or the
 * original's `best_alphanet_classifier_state_dict` on a dataset.
 */
import type { Activation, NNDist } from '../../src-shared/config.ts';
import { canonicalActivation } from '../../src-shared/activations.ts';
import { ACTIVATIONS, NN_DISTS } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import type { AlphaEntry, EvalResult, SavedNetwork } from '../../src-shared/result.ts';
import { FileFormatError, UserError } from '../errors.ts';
import { toFloat32, toIntArray } from '../formats/convert.ts';
import { isTensor, PyDict, type PyValue } from '../formats/pyvalue.ts';
import { computeName } from './native-kernels.ts';
import { initBackend, type BackendName } from './backend.ts';
import { evaluateScores, type Evaluation } from './evaluate.ts';
import { AlphaTrainer, buildProblem, layerShapes, type AlphaProblem, type NetworkSpec } from './model.ts';
import { datagrpScores } from './scores.ts';

/** A dense array as a state dict holds it. */
export interface StateTensor {
  shape: number[];
  data: ArrayLike<number>;
}

/**
 * A SavedNetwork from the original's AlphaNetClassifier state dict: `alphanet.conv_layer.weight`
 * (h1, 1, k+1, d) is one linear layer on the flattened (k+1)·d source matrix, then
 * `alphanet.linear_layer__seq.{i}` in order. `few`/`neighbors` come from the result's nn info.
 */
export function networkFromStateDict(
  state: Record<string, StateTensor>,
  info: { few: number[]; neighbors: number[][]; nnDist: NNDist; hact: Activation },
): SavedNetwork {
  const need = (key: string): StateTensor => {
    const t = state[key];
    if (!t) throw new UserError(`the state dict has no '${key}'`);
    return t;
  };
  const conv = need('alphanet.conv_layer.weight');
  if (conv.shape.length !== 4 || conv.shape[1] !== 1)
    throw new UserError(`alphanet.conv_layer.weight has shape (${conv.shape}), expected (h1, 1, k+1, d)`);
  const [h1, , kPlus1, dim] = conv.shape;
  const params: number[][] = [Array.from(conv.data), Array.from(need('alphanet.conv_layer.bias').data)];
  const hdims = [h1];
  for (let i = 0; ; i++) {
    const w = state[`alphanet.linear_layer__seq.${i}.weight`];
    if (!w) break;
    params.push(Array.from(w.data), Array.from(need(`alphanet.linear_layer__seq.${i}.bias`).data));
    hdims.push(w.shape[0]);
  }
  const outDim = hdims.pop();
  if (outDim !== kPlus1 - 1)
    throw new UserError(`the network outputs ${outDim} values, but its sources have k+1 = ${kPlus1} rows`);
  return {
    format: 'alphanet-network',
    version: 1,
    dim,
    n_neighbors: kPlus1 - 1,
    nn_dist: info.nnDist,
    hdims,
    hact: info.hact,
    few: info.few,
    neighbors: info.neighbors,
    params,
  };
}

/** Checks a parsed JSON value is a SavedNetwork (field by field, with a message naming the problem). */
export function asSavedNetwork(value: unknown, where: string): SavedNetwork {
  const v = value as Partial<SavedNetwork> | null;
  const bad = (what: string): never => {
    throw new UserError(`${where}: not an AlphaNet network (${what})`);
  };
  if (typeof v !== 'object' || v === null || v.format !== 'alphanet-network') bad('format');
  const n = v as SavedNetwork;
  if (n.version !== 1) bad(`version ${String(n.version)}`);
  if (!Number.isInteger(n.dim) || !Number.isInteger(n.n_neighbors)) bad('dim/n_neighbors');
  if (!ACTIVATIONS.includes(n.hact)) bad(`activation ${String(n.hact)}`);
  if (!NN_DISTS.includes(n.nn_dist)) bad(`nn_dist ${String(n.nn_dist)}`);
  if (!Array.isArray(n.hdims) || !Array.isArray(n.few) || !Array.isArray(n.neighbors) || !Array.isArray(n.params))
    bad('arrays');
  if (n.neighbors.length !== n.few.length || n.neighbors.some((r) => !Array.isArray(r) || r.length !== n.n_neighbors))
    bad('neighbour lists');
  const spec = networkSpec(n);
  const shapes = layerShapes(spec);
  if (n.params.length !== shapes.length * 2) bad(`${n.params.length} parameter arrays for ${shapes.length} layers`);
  shapes.forEach(({ inDim, outDim }, l) => {
    if (n.params[2 * l].length !== inDim * outDim || n.params[2 * l + 1].length !== outDim) bad(`layer ${l + 1} sizes`);
  });
  return n;
}

export function networkSpec(net: SavedNetwork): NetworkSpec {
  return { inDim: (net.n_neighbors + 1) * net.dim, hdims: net.hdims, outDim: net.n_neighbors, act: net.hact };
}

/** The network's few classes and neighbours must fit the dataset (same dim, few split, base neighbours). */
export function problemFor(ds: LoadedDataset, net: SavedNetwork): AlphaProblem {
  if (net.dim !== ds.dim)
    throw new UserError(`the network was trained on ${net.dim}-dim features; '${ds.spec.key}' has ${ds.dim}`);
  const few = [...ds.splits.few].sort((a, b) => a - b);
  if (JSON.stringify([...net.few].sort((a, b) => a - b)) !== JSON.stringify(few)) {
    throw new UserError(`the network's few classes differ from the few split of '${ds.spec.key}'`);
  }
  const base = new Set([...ds.splits.many, ...ds.splits.medium]);
  net.neighbors.forEach((row, i) => {
    const stray = row.find((c) => !base.has(c));
    if (stray !== undefined)
      throw new UserError(`neighbour ${stray} of few class ${net.few[i]} is not a base class of '${ds.spec.key}'`);
  });
  return buildProblem(ds.classifier, ds.nClasses, ds.dim, {
    dist: net.nn_dist,
    k: net.n_neighbors,
    few: net.few,
    neighbors: net.neighbors,
    seed: null,
  });
}

/** ã (F × k, in net.few order) of a network. */
export function networkAlphas(problem: AlphaProblem, net: SavedNetwork): Float32Array {
  const trainer = new AlphaTrainer(problem, networkSpec(net), 1);
  try {
    return trainer.alphas(net.params.map((p) => Float32Array.from(p)));
  } finally {
    trainer.dispose();
  }
}

export interface NetworkEvaluation {
  /** As computeName gives it: the backend, and the native kernels when they ran. */
  backend: string;
  evals: Record<string, EvalResult>;
  evaluations: Record<string, Evaluation>;
  alphas: Record<string, AlphaEntry>;
}

/** Evaluates a trained network on datagrps of `ds` (default: all). */
export async function evaluateNetwork(
  ds: LoadedDataset,
  net: SavedNetwork,
  opts: {
    datagrps?: string[];
    backend?: BackendName;
    predScale?: number;
    /** Score cache (default the app cache; null = memory only). */ cacheRoot?: string | null;
  } = {},
): Promise<NetworkEvaluation> {
  const backend = await initBackend(opts.backend);
  const problem = problemFor(ds, net);
  const tilde = networkAlphas(problem, net);
  const evaluations: Record<string, Evaluation> = {};
  for (const name of opts.datagrps ?? Object.keys(ds.datagrps)) {
    const grp = ds.datagrps[name];
    if (!grp) throw new UserError(`dataset '${ds.spec.key}' has no datagrp '${name}'`);
    const scores = await datagrpScores(ds, name, opts.cacheRoot);
    evaluations[name] = evaluateScores(problem, tilde, scores, grp.labels, ds.splitOf, opts.predScale ?? 1);
  }
  const alphas: Record<string, AlphaEntry> = {};
  problem.few.forEach((c, i) => {
    alphas[String(c)] = {
      neighbors: problem.neighbors[i],
      alpha: [1, ...tilde.subarray(i * problem.k, (i + 1) * problem.k)],
    };
  });
  return {
    backend: computeName(backend),
    evals: Object.fromEntries(Object.entries(evaluations).map(([k, v]) => [k, v.result])),
    evaluations,
    alphas,
  };
}

/**
 * The network of one of the original's training result files (`torch.save`d TrainResult dict, read
 * with placeholders): `best_alphanet_classifier_state_dict`, with the neighbour lists of `nn_info` and
 * the activation of `alphanet`.
 */
export function networkFromOriginalResult(value: PyValue, file: string): SavedNetwork {
  const fail = (what: string): never => {
    throw new FileFormatError(file, `not an AlphaNet training result: ${what}`);
  };
  if (!(value instanceof PyDict)) return fail('the file does not hold a dict');
  const dict = (v: PyValue | undefined, what: string): PyDict => (v instanceof PyDict ? v : fail(`no '${what}' dict`));
  const nnInfo = dict(value.get('nn_info'), 'nn_info');
  const seq = dict(nnInfo.get('nn_class__seq__per__fclass'), 'nn_info.nn_class__seq__per__fclass');
  const few: number[] = [];
  const neighbors: number[][] = [];
  for (const [key, row] of [...seq.entries].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    few.push(Number(key));
    neighbors.push(toIntArray(row, file, `neighbours of few class ${String(key)}`));
  }
  const nnDist = nnInfo.get('nn_dist');
  if (typeof nnDist !== 'string' || !NN_DISTS.includes(nnDist as NNDist)) fail(`nn_dist ${String(nnDist)}`);
  const hactName = dict(value.get('alphanet'), 'alphanet').get('hact');
  const hact = typeof hactName === 'string' ? canonicalActivation(hactName) : null;
  if (hact === null) return fail(`activation ${String(hactName)} is not one we implement`);
  const stateDict = dict(value.get('best_alphanet_classifier_state_dict'), 'best_alphanet_classifier_state_dict');
  const state: Record<string, StateTensor> = {};
  for (const [key, t] of stateDict.entries)
    if (isTensor(t)) state[String(key)] = { shape: t.shape, data: toFloat32(t) };
  try {
    return networkFromStateDict(state, { few, neighbors, nnDist: nnDist as NNDist, hact });
  } catch (error) {
    if (error instanceof UserError) throw new FileFormatError(file, error.message);
    throw error;
  }
}
