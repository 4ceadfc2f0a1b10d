/**
 * The optimisers of src-shared/optimizers.ts (PyTorch's names, parameters and defaults) and LR schedulers
 * (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR) with PyTorch 1.13's update rules (its
 * single-tensor implementations), over flat Float32Array parameters. Values parse from the original's
 * `key=value` strings; tuples as `betas=(0.9,0.999)`.
 */
import type { KeyValues } from '../../src-shared/config.ts';
import {
  checkParam,
  isLrScheduler,
  isOptimizer,
  listValues,
  LR_SCHEDULER_NAMES,
  OPTIMIZER_NAMES,
  OPTIMIZER_TABLE,
  optimizerParamsProblem,
  SCHEDULER_TABLE,
  type LrSchedulerName,
  type OptimizerName,
} from '../../src-shared/optimizers.ts';
import { UserError } from '../errors.ts';
import { nativeKernels } from './native-kernels.ts';

export interface OptimizerSettings {
  name: OptimizerName;
  /** The base learning rate (the scheduler's starting point). */
  lr: number;
  /** Every numeric parameter of the optimiser, PyTorch's default where not given. */
  num: Record<string, number>;
  /** Every boolean parameter. */
  flag: Record<string, boolean>;
  /** Every pair parameter (betas, etas, step_sizes). */
  pair: Record<string, [number, number]>;
}

function checkKeys(owner: string, params: KeyValues, known: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) throw new UserError(`${owner} has no parameter '${key}' (known: ${known.join(', ')})`);
  }
}

function wrap<T>(owner: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${owner}: ${(error as Error).message}`);
  }
}

export function parseOptimizer(name: string, params: KeyValues): OptimizerSettings {
  if (!isOptimizer(name))
    throw new UserError(`unknown optimiser '${name}' (choose from ${OPTIMIZER_NAMES.join(', ')})`);
  const table = OPTIMIZER_TABLE[name].params;
  checkKeys(name, params, Object.keys(table));
  return wrap(name, () => {
    const settings: OptimizerSettings = { name, lr: 0, num: {}, flag: {}, pair: {} };
    for (const [key, spec] of Object.entries(table)) {
      const raw = params[key] ?? spec.default;
      const problem = checkParam(spec.kind, raw);
      if (problem) throw new Error(`${key}=${raw}: ${problem}`);
      if (spec.kind === 'boolean') settings.flag[key] = /^(true|1)$/i.test(raw.trim());
      else if (spec.kind === 'betas' || spec.kind === 'pair') {
        const [a, b] = listValues(raw);
        settings.pair[key] = [a, b];
      } else settings.num[key] = Number(raw);
    }
    settings.lr = settings.num.lr;
    const problem = optimizerParamsProblem(name, params);
    if (problem) throw new Error(problem);
    return settings;
  });
}

/**
 * Per-parameter state (PyTorch's, in the order `stateBuffers` lists) plus the step count. Scalars PyTorch
 * keeps as float32 tensors (NAdam's mu_product, ASGD's eta) are buffers of length 1.
 */
export interface OptimizerState {
  step: number;
  buffers: Float32Array[][];
}

/** Names of the state buffers each parameter has under `settings` (documentation and checkpoint layout). */
export function stateBuffers(settings: OptimizerSettings): string[] {
  const { num, flag } = settings;
  switch (settings.name) {
    case 'SGD':
      return num.momentum > 0 ? ['momentum_buffer'] : [];
    case 'Adam':
    case 'AdamW':
      return flag.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
    case 'Adagrad':
      return ['sum'];
    case 'RMSprop':
      return ['square_avg', ...(num.momentum > 0 ? ['momentum_buffer'] : []), ...(flag.centered ? ['grad_avg'] : [])];
    case 'Adadelta':
      return ['square_avg', 'acc_delta'];
    case 'Adamax':
      return ['exp_avg', 'exp_inf'];
    case 'NAdam':
      return ['exp_avg', 'exp_avg_sq', 'mu_product'];
    case 'RAdam':
      return ['exp_avg', 'exp_avg_sq'];
    case 'Rprop':
      return ['prev', 'step_size'];
    case 'ASGD':
      // ASGD's running average `ax` never feeds back into the parameters, and nothing here reads it.
      return ['eta'];
  }
}

const SCALAR_BUFFERS = new Set(['mu_product', 'eta']);

export function initOptimizerState(settings: OptimizerSettings, params: readonly Float32Array[]): OptimizerState {
  const names = stateBuffers(settings);
  const init = (name: string, n: number): Float32Array => {
    const buf = new Float32Array(SCALAR_BUFFERS.has(name) ? 1 : n);
    if (name === 'sum') buf.fill(settings.num.initial_accumulator_value);
    if (name === 'mu_product') buf.fill(1);
    return buf;
  };
  return { step: 0, buffers: params.map((p) => names.map((name) => init(name, p.length))) };
}

const f = Math.fround;

/** Tensors this big take Adam's update in the native kernels; a call costs about a microsecond. */
const NATIVE_MIN_ELEMENTS = 4096;

/**
 * One update of every parameter in place, at learning rate `lr`, as torch.optim's single-tensor
 * implementations compute it: each tensor operation's result rounded to float32 where torch stores
 * it, Python-float scalars (bias corrections, step sizes) in double.
 */
export function optimizerStep(
  settings: OptimizerSettings,
  state: OptimizerState,
  params: Float32Array[],
  grads: readonly Float32Array[],
  lr: number,
): void {
  state.step += 1;
  params.forEach((p, pi) => updateParam(settings, state.step, p, grads[pi], state.buffers[pi], lr));
}

/**
 * Whether a tensor's update may run on parts of it separately (updateParam on row ranges, each with the
 * same ranges of its buffers): true unless a state buffer is one scalar per tensor (NAdam's mu_product,
 * ASGD's eta), which each part's update would advance again.
 */
export function updatesBySlices(settings: OptimizerSettings): boolean {
  return stateBuffers(settings).every((name) => !SCALAR_BUFFERS.has(name));
}

/**
 * Step `t` of one tensor `p` (or of a range of it, see updatesBySlices) in place, with its gradient `g`
 * and state buffers `bufs`: every element is updated on its own, so any split gives the same numbers.
 */
export function updateParam(
  settings: OptimizerSettings,
  t: number,
  p: Float32Array,
  g: Float32Array,
  bufs: readonly Float32Array[],
  lr: number,
): void {
  const { num, flag, pair } = settings;
  const wd = num.weight_decay ?? 0;
  const sign = flag.maximize ? -1 : 1;
  // The gradient as every rule starts from it: negated to maximise, plus L2 decay where coupled. Worked
  // out in one pass before the rule's loop (a closure called per element cost more than the rule).
  const coupled = wd !== 0 && settings.name !== 'AdamW';
  let start = g;
  if (sign !== 1 || coupled) {
    start = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) start[i] = coupled ? sign * g[i] + wd * p[i] : sign * g[i];
  }
  const grad = (i: number): number => start[i];
  switch (settings.name) {
    case 'SGD': {
      const { momentum, dampening } = num;
      const buf = bufs[0];
      for (let i = 0; i < p.length; i++) {
        let d = grad(i);
        if (momentum !== 0) {
          // The first step's buffer is the gradient itself (torch clones it).
          buf[i] = t === 1 ? d : f(f(momentum * buf[i]) + (1 - dampening) * d);
          d = flag.nesterov ? f(d + momentum * buf[i]) : buf[i];
        }
        p[i] = f(p[i] - lr * d);
      }
      return;
    }
    case 'Adam':
    case 'AdamW': {
      const [beta1, beta2] = pair.betas;
      const [m, v, vMax] = bufs;
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      // AdamW: decoupled weight decay, before the moments.
      const decay = settings.name === 'AdamW' ? 1 - lr * wd : 1;
      const { eps } = num;
      const amsgrad = flag.amsgrad;
      // The same rule in the native kernels, bit for bit (test/native-kernels.test.ts), where W1's size pays.
      const native = p.length >= NATIVE_MIN_ELEMENTS ? nativeKernels() : null;
      if (native) {
        native.adam(p, start, m, v, amsgrad ? vMax : null, beta1, beta2, stepSize, bc2Sqrt, decay, eps);
        return;
      }
      for (let i = 0; i < p.length; i++) {
        const gi = start[i];
        const pi = decay === 1 ? p[i] : f(p[i] * decay);
        const mi = (m[i] = f(f(beta1 * m[i]) + (1 - beta1) * gi));
        let second = (v[i] = f(f(beta2 * v[i]) + (1 - beta2) * gi * gi));
        if (amsgrad) second = vMax[i] = Math.max(vMax[i], second);
        const denom = f(f(f(Math.sqrt(second)) / bc2Sqrt) + eps);
        p[i] = f(pi - stepSize * f(mi / denom));
      }
      return;
    }
    case 'Adagrad': {
      const [sum] = bufs;
      const clr = lr / (1 + (t - 1) * num.lr_decay);
      for (let i = 0; i < p.length; i++) {
        const gi = grad(i);
        sum[i] = f(sum[i] + gi * gi);
        const std = f(f(Math.sqrt(sum[i])) + num.eps);
        p[i] = f(p[i] - clr * f(gi / std));
      }
      return;
    }
    case 'RMSprop': {
      const { alpha, momentum } = num;
      const [sq] = bufs;
      const buf = momentum > 0 ? bufs[1] : null;
      const gAvg = flag.centered ? bufs[bufs.length - 1] : null;
      for (let i = 0; i < p.length; i++) {
        const gi = grad(i);
        sq[i] = f(f(alpha * sq[i]) + (1 - alpha) * gi * gi);
        let avg: number;
        if (gAvg) {
          gAvg[i] = f(f(alpha * gAvg[i]) + (1 - alpha) * gi);
          avg = f(Math.sqrt(f(sq[i] - gAvg[i] * gAvg[i])));
        } else avg = f(Math.sqrt(sq[i]));
        avg = f(avg + num.eps);
        if (buf) {
          buf[i] = f(f(momentum * buf[i]) + f(gi / avg));
          p[i] = f(p[i] - lr * buf[i]);
        } else p[i] = f(p[i] - lr * f(gi / avg));
      }
      return;
    }
    case 'Adadelta': {
      const { rho, eps } = num;
      const [sq, acc] = bufs;
      for (let i = 0; i < p.length; i++) {
        const gi = grad(i);
        sq[i] = f(f(rho * sq[i]) + (1 - rho) * gi * gi);
        const std = f(Math.sqrt(f(sq[i] + eps)));
        const delta = f(f(f(Math.sqrt(f(acc[i] + eps))) / std) * gi);
        acc[i] = f(f(rho * acc[i]) + (1 - rho) * delta * delta);
        p[i] = f(p[i] - lr * delta);
      }
      return;
    }
    case 'Adamax': {
      const [beta1, beta2] = pair.betas;
      const [m, u] = bufs;
      const clr = lr / (1 - beta1 ** t);
      for (let i = 0; i < p.length; i++) {
        const gi = grad(i);
        m[i] = f(f(beta1 * m[i]) + (1 - beta1) * gi);
        u[i] = Math.max(f(beta2 * u[i]), f(Math.abs(gi) + num.eps));
        p[i] = f(p[i] - clr * f(m[i] / u[i]));
      }
      return;
    }
    case 'NAdam': {
      const [beta1, beta2] = pair.betas;
      const [m, v, muProduct] = bufs;
      const bc2 = 1 - beta2 ** t;
      const mu = beta1 * (1 - 0.5 * 0.96 ** (t * num.momentum_decay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * num.momentum_decay));
      muProduct[0] = f(muProduct[0] * mu);
      const muProductNext = muProduct[0] * muNext;
      const gradScale = (lr * (1 - mu)) / (1 - muProduct[0]);
      const momentScale = (lr * muNext) / (1 - muProductNext);
      for (let i = 0; i < p.length; i++) {
        const gi = grad(i);
        m[i] = f(f(beta1 * m[i]) + (1 - beta1) * gi);
        v[i] = f(f(beta2 * v[i]) + (1 - beta2) * gi * gi);
        const denom = f(f(Math.sqrt(f(v[i] / bc2))) + num.eps);
        p[i] = f(p[i] - gradScale * f(gi / denom));
        p[i] = f(p[i] - momentScale * f(m[i] / denom));
      }
      return;
    }
    case 'RAdam': {
      const [beta1, beta2] = pair.betas;
      const [m, v] = bufs;
      const bc1 = 1 - beta1 ** t;
      const bc2 = 1 - beta2 ** t;
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
      // The variance is tractable only once rho_t > 5; before that RAdam is SGD with momentum.
      const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      for (let i = 0; i < p.length; i++) {
        const gi = grad(i);
        m[i] = f(f(beta1 * m[i]) + (1 - beta1) * gi);
        v[i] = f(f(beta2 * v[i]) + (1 - beta2) * gi * gi);
        const mHat = f(m[i] / bc1);
        if (rhoT > 5) {
          const adaptive = f(Math.sqrt(bc2) / f(f(Math.sqrt(v[i])) + num.eps));
          p[i] = f(p[i] - f(f(f(mHat * lr) * adaptive) * rect));
        } else p[i] = f(p[i] - f(mHat * lr));
      }
      return;
    }
    case 'Rprop': {
      const [etaMinus, etaPlus] = pair.etas;
      const [stepMin, stepMax] = pair.step_sizes;
      const [prev, stepSize] = bufs;
      if (t === 1) stepSize.fill(lr);
      for (let i = 0; i < p.length; i++) {
        let gi = sign * g[i];
        const s = Math.sign(gi * prev[i]);
        const factor = s > 0 ? etaPlus : s < 0 ? etaMinus : 1;
        stepSize[i] = Math.min(Math.max(f(stepSize[i] * factor), stepMin), stepMax);
        // After a sign change the step is skipped and the gradient forgotten.
        if (s < 0) gi = 0;
        p[i] = f(p[i] - Math.sign(gi) * stepSize[i]);
        prev[i] = gi;
      }
      return;
    }
    case 'ASGD': {
      const [eta] = bufs;
      if (t === 1) eta[0] = lr;
      const e = eta[0];
      for (let i = 0; i < p.length; i++) {
        const gi = grad(i);
        p[i] = f(p[i] * (1 - num.lambd * e));
        p[i] = f(p[i] - e * gi);
      }
      eta[0] = lr / (1 + num.lambd * lr * t) ** num.alpha;
      return;
    }
  }
}

export interface SchedulerSettings {
  name: LrSchedulerName | null;
  stepSize: number;
  gamma: number;
  milestones: number[];
  tMax: number;
  etaMin: number;
}

export function parseScheduler(name: string | null, params: KeyValues): SchedulerSettings {
  const none: SchedulerSettings = { name: null, stepSize: 1, gamma: 1, milestones: [], tMax: 1, etaMin: 0 };
  if (name === null) {
    if (Object.keys(params).length > 0) throw new UserError('scheduler parameters given without a scheduler');
    return none;
  }
  if (!isLrScheduler(name))
    throw new UserError(`unknown LR scheduler '${name}' (choose from ${LR_SCHEDULER_NAMES.join(', ')})`);
  const table = SCHEDULER_TABLE[name].params;
  checkKeys(name, params, Object.keys(table));
  return wrap(name, () => {
    const value: Record<string, string> = {};
    for (const [key, spec] of Object.entries(table)) {
      const raw = params[key] ?? spec.default;
      if (raw === null) throw new Error(`needs ${key}=…`);
      const problem = checkParam(spec.kind, raw);
      if (problem) throw new Error(`${key}=${raw}: ${problem}`);
      value[key] = raw;
    }
    const gamma = value.gamma === undefined ? 1 : Number(value.gamma);
    switch (name) {
      case 'StepLR':
        return { ...none, name, stepSize: Number(value.step_size), gamma };
      case 'MultiStepLR':
        return { ...none, name, milestones: listValues(value.milestones).sort((a, b) => a - b), gamma };
      case 'ExponentialLR':
        return { ...none, name, gamma };
      case 'CosineAnnealingLR':
        return { ...none, name, tMax: Number(value.T_max), etaMin: Number(value.eta_min) };
    }
  });
}

/**
 * The learning rate after `epoch` scheduler steps (the LR of 0-based epoch `epoch`), following
 * PyTorch's recursive (chainable) formulas step by step so the floating-point values match its.
 */
export function lrAt(settings: SchedulerSettings, baseLr: number, epoch: number): number {
  let lr = baseLr;
  for (let e = 1; e <= epoch; e++) {
    switch (settings.name) {
      case null:
        break;
      case 'StepLR':
        if (e % settings.stepSize === 0) lr *= settings.gamma;
        break;
      case 'MultiStepLR': {
        const hits = settings.milestones.filter((m) => m === e).length;
        if (hits > 0) lr *= settings.gamma ** hits;
        break;
      }
      case 'ExponentialLR':
        lr *= settings.gamma;
        break;
      case 'CosineAnnealingLR': {
        const { tMax, etaMin } = settings;
        if ((e - 1 - tMax) % (2 * tMax) === 0) {
          lr += ((baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
        } else {
          lr =
            ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) +
            etaMin;
        }
        break;
      }
    }
  }
  return lr;
}
