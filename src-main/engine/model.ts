/**
 * The AlphaNet model (spec §3) and its training step.
 *
 * Only the shared MLP trains; its input, the few classes' source matrices, is constant. And because the
 * classifier is linear, a few class's logit is R_c + b_c + Σ_i ã_ci·R_{n_i}, where R = X·Wᵀ are the
 * pretrained raw scores: training and evaluation need only R (computed once per dataset and cached, see
 * scores.ts) and O(F·k) work per sample, never the d-dimensional features. `exactLogits` keeps the
 * direct X·Ŵᵀ + b as the reference (TrainOptions.exactReference).
 *
 * Gradients are written out by hand (tfjs-core's Node build registers none, its ESM gradient modules do
 * not load under Node's resolver, and several of its gradients lack wasm
 * kernels); the ops used — matMul, transpose, add, mul, div, sum, abs, sign, maximum, exp, logSoftmax —
 * all have wasm kernels. The hidden activation and its derivative come from src-shared/activations.ts.
 */
import { ACTIVATION_TABLE, type Activation } from '../../src-shared/activations.ts';
import type { Rng } from '../../src-shared/rng.ts';
import { tf, type BackendName } from './backend.ts';
import { FirstLayer } from './first-layer.ts';
import type { NeighborTable } from './neighbors.ts';
import { updateParam, type OptimizerSettings, type OptimizerState } from './optim.ts';
import { computeScores, transposed } from './score-pool.ts';

/** The frozen parts: pretrained classifier, few classes, their neighbours and source matrices. */
export interface AlphaProblem {
  nClasses: number;
  dim: number;
  k: number;
  /** Few classes ascending; few[i]'s neighbours are neighbors[i], nearest first. */
  few: number[];
  neighbors: number[][];
  weight: Float32Array;
  bias: Float32Array;
  /** F × (k+1)·d: row i = [w_few[i], w_n1, …, w_nk] flattened. */
  sources: Float32Array;
}

export function buildProblem(
  classifier: { weight: Float32Array; bias: Float32Array },
  nClasses: number,
  dim: number,
  table: NeighborTable,
): AlphaProblem {
  const k = table.k;
  const width = (k + 1) * dim;
  const sources = new Float32Array(table.few.length * width);
  table.few.forEach((c, i) => {
    [c, ...table.neighbors[i]].forEach((cls, j) => {
      sources.set(classifier.weight.subarray(cls * dim, (cls + 1) * dim), i * width + j * dim);
    });
  });
  return {
    nClasses,
    dim,
    k,
    few: [...table.few],
    neighbors: table.neighbors.map((row) => [...row]),
    weight: classifier.weight,
    bias: classifier.bias,
    sources,
  };
}

export interface NetworkSpec {
  /** Input width (k+1)·d. */
  inDim: number;
  hdims: number[];
  /** Output width k. */
  outDim: number;
  act: Activation;
}

export function layerShapes(spec: NetworkSpec): { inDim: number; outDim: number }[] {
  const dims = [spec.inDim, ...spec.hdims, spec.outDim];
  return dims.slice(0, -1).map((inDim, i) => ({ inDim, outDim: dims[i + 1] }));
}

/**
 * PyTorch's default Linear/Conv2d init, kaiming_uniform(a=√5): U(±1/√fan_in) for weights and biases,
 * drawn layer by layer (weight row-major, then bias) from `rng`. Returns [W1, b1, W2, b2, …].
 */
export function initNetwork(spec: NetworkSpec, rng: Rng): Float32Array[] {
  const params: Float32Array[] = [];
  for (const { inDim, outDim } of layerShapes(spec)) {
    const bound = 1 / Math.sqrt(inDim);
    const draw = (n: number) => Float32Array.from({ length: n }, () => (rng.nextFloat() * 2 - 1) * bound);
    params.push(draw(outDim * inDim), draw(outDim));
  }
  return params;
}

/** Smallest normal float32: the L1 norm is clamped here so an all-zero output gives ã = 0, not NaN. */
const NORM_FLOOR = 1.1754943508222875e-38;

/** f applied to every element of z, on the CPU (a plain loop: Float32Array.from with a map is far slower). */
function elementwise(z: tf.Tensor2D, f: (x: number) => number): tf.Tensor2D {
  const x = z.dataSync() as Float32Array;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
  return tf.tensor2d(out, z.shape);
}

/**
 * The hidden activation and its derivative, elementwise on the CPU from the shared table (hidden layers
 * are F × h, small), so every activation has exactly one definition and PyTorch's derivative at its kinks.
 */
function activate(act: Activation, z: tf.Tensor2D): tf.Tensor2D {
  return elementwise(z, ACTIVATION_TABLE[act].fn);
}

function activationGrad(act: Activation, z: tf.Tensor2D): tf.Tensor2D {
  return elementwise(z, ACTIVATION_TABLE[act].grad);
}

interface Forward {
  /**
   * Inputs of the layers after the first: inputs[l − 1] = act(pre[l − 1]) feeds layer l. The first
   * layer's input (the sources) lives in FirstLayer, which computes both of its products.
   */
  inputs: tf.Tensor2D[];
  pre: tf.Tensor2D[];
  /** Raw output a (F × k). */
  out: tf.Tensor2D;
  /** Clamped L1 norms (F × 1). */
  norm: tf.Tensor2D;
  /** ã = a / ‖a‖₁ (F × k). */
  tilde: tf.Tensor2D;
}

/**
 * Layer tensors: weight (out × in), its transpose (in × out) and bias. Both layouts are uploaded for the
 * small layers because wasm's matMul is an order of magnitude slower with a transpose flag than on plain
 * operands. The first layer (h1 × (k+1)·d, nearly all the parameters) is none of this: FirstLayer takes
 * its products as W1 · sourcesᵀ and dZ1ᵀ · sources, split over threads, so nothing here uploads W1.
 */
interface LayerTensors {
  w: tf.Tensor2D | null;
  wT: tf.Tensor2D | null;
  b: tf.Tensor1D;
}

function forward(spec: NetworkSpec, layers: LayerTensors[], first: FirstLayer, w1: Float32Array): Forward {
  const inputs: tf.Tensor2D[] = [];
  const pre: tf.Tensor2D[] = [];
  const nLayers = layers.length;
  for (let l = 0; l < nLayers; l++) {
    const { wT, b } = layers[l];
    // Only the first layer has no uploaded weight: FirstLayer computes its product.
    const product = wT
      ? tf.matMul(inputs[l - 1], wT)
      : tf.transpose(tf.tensor2d(first.forward(w1), [first.h, first.nFew]));
    const z = tf.add(product, b) as tf.Tensor2D;
    pre.push(z);
    if (l < nLayers - 1) inputs.push(activate(spec.act, z));
  }
  const out = pre[pre.length - 1];
  const norm = tf.maximum(tf.sum(tf.abs(out), 1, true), NORM_FLOOR) as tf.Tensor2D;
  return { inputs, pre, out, norm, tilde: tf.div(out, norm) };
}

/** One training batch: raw pretrained scores of its rows and their labels. */
export interface Batch {
  /** B × C raw scores X·Wᵀ (no bias). */
  scores: Float32Array;
  labels: Int32Array;
  /** The samples' rows in the train datagrp, when known: their base classes' log-sum-exp is kept per row. */
  rows?: readonly number[];
}

/**
 * The persistent tensors of one training run (the sources) and the step / alpha
 * computations on them. Call dispose() when done.
 */
export class AlphaTrainer {
  private readonly first: FirstLayer;
  private gBuffer = new Float32Array(0);
  /** Per class, its index among the few classes, −1 for a base class. */
  private readonly fewIndex: Int32Array;
  /** Per train row, log Σ exp of its base classes' logits (NaN until a batch takes the row). */
  private baseLse = new Float64Array(0);
  private readonly shapes: { inDim: number; outDim: number }[];

  constructor(
    readonly problem: AlphaProblem,
    readonly spec: NetworkSpec,
    readonly predScale: number,
  ) {
    const F = problem.few.length;
    this.first = new FirstLayer(problem.sources, F, spec.inDim, layerShapes(spec)[0].outDim);
    this.fewIndex = new Int32Array(problem.nClasses).fill(-1);
    problem.few.forEach((c, i) => (this.fewIndex[c] = i));
    this.shapes = layerShapes(spec);
  }

  dispose(): void {
    this.first.dispose();
  }

  /**
   * Takes the run's parameters and optimiser state for training (see FirstLayer.attach: W1 and its
   * buffers move into shared memory, in place). Needed before useHelperThread.
   */
  attach(params: Float32Array[], state: OptimizerState, optim: OptimizerSettings): void {
    this.first.attach(params, state, optim);
  }

  /**
   * Starts a helper thread for the first layer's products and updates (FirstLayer); resolves true once
   * it runs. The results are the same with or without it.
   */
  useHelperThread(backend: BackendName): Promise<boolean> {
    return this.first.startHelper(backend);
  }

  /** First-layer slabs the helper thread computed so far. */
  get helperSlabs(): number {
    return this.first.helperSlabs;
  }

  private paramTensors(params: readonly Float32Array[]): LayerTensors[] {
    return this.shapes.map(({ inDim, outDim }, l) => ({
      w: l === 0 ? null : tf.tensor2d(params[2 * l], [outDim, inDim]),
      wT: l === 0 ? null : tf.tensor2d(transposed(params[2 * l], outDim, inDim), [inDim, outDim]),
      b: tf.tensor1d(params[2 * l + 1]),
    }));
  }

  /** ã (F × k, row-major) for the given parameters. */
  alphas(params: readonly Float32Array[]): Float32Array {
    return tf.tidy(
      () => forward(this.spec, this.paramTensors(params), this.first, params[0]).tilde.dataSync() as Float32Array,
    );
  }

  /** G (B × F × k): G[b, i, j] = raw score of sample b for few[i]'s j-th neighbour. */
  private neighborScores(batch: Batch, B: number): Float32Array {
    const { few, neighbors, nClasses, k } = this.problem;
    const F = few.length;
    // Reused: the backend copies it into a tensor, which the step disposes before the next one.
    if (this.gBuffer.length < B * F * k) this.gBuffer = new Float32Array(B * F * k);
    const g = this.gBuffer.subarray(0, B * F * k);
    for (let b = 0; b < B; b++) {
      const row = b * nClasses;
      let o = b * F * k;
      for (let i = 0; i < F; i++) {
        const nb = neighbors[i];
        for (let j = 0; j < k; j++) g[o++] = batch.scores[row + nb[j]];
      }
    }
    return g;
  }

  /** Mean cross-entropy of the batch and its gradient for every parameter ([dW1, db1, …]). */
  step(params: readonly Float32Array[], batch: Batch): { loss: number; grads: Float32Array[] } {
    const { loss, grads, dz1T } = this.backward(params, batch);
    grads[0] = this.first.grad(dz1T);
    return { loss, grads };
  }

  /**
   * One training step: the batch's loss (returned) and gradients at `params`, then update `state.step + 1`
   * of `optim` at `lr`, in place — W1's slab by slab in FirstLayer.update, the small layers' here. The
   * same numbers as `step` followed by optimizerStep.
   */
  train(params: Float32Array[], batch: Batch, optim: OptimizerSettings, state: OptimizerState, lr: number): number {
    const { loss, grads, dz1T } = this.backward(params, batch);
    state.step += 1;
    this.first.update(dz1T, params[0], state.buffers[0], optim, state.step, lr);
    for (let i = 1; i < params.length; i++) updateParam(optim, state.step, params[i], grads[i], state.buffers[i], lr);
    return loss;
  }

  /** The loss, every gradient but dW1 (grads[0] is empty), and dZ1ᵀ (h1 × F), from which FirstLayer makes dW1. */
  private backward(
    params: readonly Float32Array[],
    batch: Batch,
  ): { loss: number; grads: Float32Array[]; dz1T: Float32Array } {
    const { few, k } = this.problem;
    const F = few.length;
    const B = batch.labels.length;
    const result = tf.tidy(() => {
      const P = this.paramTensors(params);
      const fw = forward(this.spec, P, this.first, params[0]);
      const G = tf.tensor3d(this.neighborScores(batch, B), [B, F, k]);
      // The few classes' logit changes Σ_j ã_ij·R_{n_ij} (B × F); the loss and its gradient are plain loops.
      const delta = tf.sum(tf.mul(G, tf.expandDims(fw.tilde, 0)), 2) as tf.Tensor2D;
      const { loss, dDelta: dFew } = this.batchLoss(batch, delta.dataSync() as Float32Array);
      const dDelta = tf.tensor2d(dFew, [B, F]);
      const dTilde = tf.sum(tf.mul(G, tf.expandDims(dDelta, 2)), 0) as tf.Tensor2D;
      // ã = a/n with n = Σ|a|: da = dã/n − sign(a)·(Σ dã·a)/n².
      const dotTerm = tf.div(tf.sum(tf.mul(dTilde, fw.out), 1, true), tf.square(fw.norm));
      let dZ = tf.sub(tf.div(dTilde, fw.norm), tf.mul(tf.sign(fw.out), dotTerm)) as tf.Tensor2D;
      // dW1 is FirstLayer's (grads[0] holds dZ1ᵀ here); the other layers' gradients are small products.
      const grads: tf.Tensor[] = new Array(2 * P.length);
      for (let l = P.length - 1; l >= 0; l--) {
        const dZT = tf.transpose(dZ);
        if (l > 0) grads[2 * l] = tf.matMul(dZT, fw.inputs[l - 1]);
        else grads[0] = dZT;
        grads[2 * l + 1] = tf.sum(dZ, 0);
        const w = P[l].w;
        if (w) {
          const dH = tf.matMul(dZ, w);
          dZ = tf.mul(dH, activationGrad(this.spec.act, fw.pre[l - 1])) as tf.Tensor2D;
        }
      }
      return { loss, grads };
    });
    const grads = result.grads.map((g) => g.dataSync() as Float32Array);
    const dz1T = grads[0];
    grads[0] = new Float32Array(0);
    result.grads.forEach((g) => g.dispose());
    return { loss: result.loss, grads, dz1T };
  }

  /**
   * The batch's mean cross-entropy of softmax(predScale · (R + b + few changes)) and its gradient with
   * respect to the few classes' changes (B × F), in float64. Only those columns of d loss / d logits
   * are needed (base logits do not depend on the network), so the B × C gradient is never formed and
   * nothing of that size is allocated (fresh memory costs page faults here every step). The base
   * classes' log-sum-exp is a constant of each sample: kept per train row (Batch.rows), it is worked
   * out once per run for the few classes' samples, which every epoch takes again.
   */
  private batchLoss(batch: Batch, delta: Float32Array): { loss: number; dDelta: Float32Array } {
    const { nClasses: C, few, bias } = this.problem;
    const F = few.length;
    const B = batch.labels.length;
    const s = this.predScale;
    const dDelta = new Float32Array(B * F);
    const fewLogits = new Float64Array(F);
    let total = 0;
    for (let b = 0; b < B; b++) {
      const o = b * C;
      const row = batch.rows?.[b];
      let baseLse = row === undefined ? Number.NaN : this.cachedBaseLse(row);
      if (Number.isNaN(baseLse)) {
        baseLse = this.baseLogSumExp(batch.scores, o);
        if (row !== undefined) this.baseLse[row] = baseLse;
      }
      let max = baseLse;
      for (let i = 0; i < F; i++) {
        const c = few[i];
        const l = (fewLogits[i] = (batch.scores[o + c] + bias[c] + delta[b * F + i]) * s);
        if (l > max) max = l;
      }
      let sum = Math.exp(baseLse - max);
      for (let i = 0; i < F; i++) sum += Math.exp(fewLogits[i] - max);
      const lse = max + Math.log(sum);
      const y = batch.labels[b];
      const fy = this.fewIndex[y];
      total += lse - (fy >= 0 ? fewLogits[fy] : (batch.scores[o + y] + bias[y]) * s);
      // d loss / d change of few class i = s·(softmax_i − [y = few_i]) / B.
      for (let i = 0; i < F; i++) dDelta[b * F + i] = (s * (Math.exp(fewLogits[i] - lse) - (i === fy ? 1 : 0))) / B;
    }
    return { loss: total / B, dDelta };
  }

  private cachedBaseLse(row: number): number {
    if (row >= this.baseLse.length) {
      const grown = new Float64Array(Math.max(row + 1, 2 * this.baseLse.length)).fill(Number.NaN);
      grown.set(this.baseLse);
      this.baseLse = grown;
    }
    return this.baseLse[row];
  }

  /** log Σ_{c base} exp(predScale · (R_c + b_c)) of the sample at `o` in `scores` (−∞ with no base class). */
  private baseLogSumExp(scores: Float32Array, o: number): number {
    const { nClasses: C, bias } = this.problem;
    const s = this.predScale;
    const fewIndex = this.fewIndex;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < C; c++) if (fewIndex[c] < 0) max = Math.max(max, (scores[o + c] + bias[c]) * s);
    if (max === Number.NEGATIVE_INFINITY) return max;
    let sum = 0;
    for (let c = 0; c < C; c++) if (fewIndex[c] < 0) sum += Math.exp((scores[o + c] + bias[c]) * s - max);
    return max + Math.log(sum);
  }
}

/**
 * Logits of one sample from its raw scores: base j → R_j + b_j; few c → R_c + b_c + Σ ã_ci R_{n_i};
 * all × predScale. Float64 accumulation; writes C values into `out`.
 */
export function fastLogits(
  problem: AlphaProblem,
  tilde: Float32Array | null,
  scores: Float32Array,
  row: number,
  predScale: number,
  out: Float64Array,
): void {
  const { nClasses: C, few, neighbors, k, bias } = problem;
  const o = row * C;
  for (let c = 0; c < C; c++) out[c] = scores[o + c] + bias[c];
  if (tilde) {
    for (let i = 0; i < few.length; i++) {
      let acc = 0;
      const nb = neighbors[i];
      for (let j = 0; j < k; j++) acc += tilde[i * k + j] * scores[o + nb[j]];
      out[few[i]] += acc;
    }
  }
  if (predScale !== 1) for (let c = 0; c < C; c++) out[c] *= predScale;
}

/** The few classes' new weight rows ŵ_c = w_c + Σ ã_i v_i, spliced into a copy of W (C × d). */
export function trainedWeights(problem: AlphaProblem, tilde: Float32Array): Float32Array {
  const { dim: d, few, neighbors, k, weight } = problem;
  const out = Float32Array.from(weight);
  few.forEach((c, i) => {
    for (let t = 0; t < d; t++) {
      let acc = weight[c * d + t];
      for (let j = 0; j < k; j++) acc += tilde[i * k + j] * weight[neighbors[i][j] * d + t];
      out[c * d + t] = acc;
    }
  });
  return out;
}

/** The reference path: (X·Ŵᵀ + b)·predScale through the backend (n × C), on every core when big. */
export async function exactLogits(
  problem: AlphaProblem,
  tilde: Float32Array,
  feats: Float32Array,
  n: number,
  predScale: number,
): Promise<Float32Array> {
  const scores = await computeScores(feats, n, problem.dim, trainedWeights(problem, tilde), problem.nClasses);
  const C = problem.nClasses;
  for (let i = 0; i < n; i++)
    for (let c = 0; c < C; c++) scores[i * C + c] = (scores[i * C + c] + problem.bias[c]) * predScale;
  return scores;
}
