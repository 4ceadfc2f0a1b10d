/**
 * Optimisers (AdamW, Adam, SGD) and LR schedulers (StepLR, MultiStepLR, ExponentialLR,
 * CosineAnnealingLR) with PyTorch's parameter names, defaults and update rules, over flat Float32Array
 * parameters. Values parse from the original's `key=value` strings; tuples as `betas=(0.9,0.999)`.
 */
import {
  parseBooleanValue,
  parseNumberList,
  parseNumberValue,
  type KeyValues,
  type LrSchedulerName,
  type OptimizerName,
} from '../../src-shared/config.ts';
import { UserError } from '../errors.ts';

export interface OptimizerSettings {
  name: OptimizerName;
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

const KNOWN_OPTIM_KEYS: Record<OptimizerName, string[]> = {
  AdamW: ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad'],
  Adam: ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad'],
  SGD: ['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov'],
};

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
  if (!(name in KNOWN_OPTIM_KEYS)) throw new UserError(`unknown optimiser '${name}' (choose from AdamW, Adam, SGD)`);
  const opt = name as OptimizerName;
  checkKeys(opt, params, KNOWN_OPTIM_KEYS[opt]);
  return wrap(opt, () => {
    const num = (key: string, fallback: number): number =>
      params[key] === undefined ? fallback : parseNumberValue(key, params[key]);
    const betas = params.betas === undefined ? [0.9, 0.999] : parseNumberList('betas', params.betas);
    if (betas.length !== 2 || betas.some((b) => b < 0 || b >= 1)) throw new Error(`betas=${params.betas}: two numbers in [0, 1)`);
    if (params.amsgrad !== undefined && parseBooleanValue('amsgrad', params.amsgrad)) {
      throw new Error('amsgrad=true is not supported');
    }
    const settings: OptimizerSettings = {
      name: opt,
      lr: num('lr', 0.001),
      betas: [betas[0], betas[1]],
      eps: num('eps', 1e-8),
      weightDecay: num('weight_decay', opt === 'AdamW' ? 0.01 : 0),
      momentum: num('momentum', 0),
      dampening: num('dampening', 0),
      nesterov: params.nesterov === undefined ? false : parseBooleanValue('nesterov', params.nesterov),
    };
    if (!(settings.lr >= 0)) throw new Error(`lr=${settings.lr}: must be ≥ 0`);
    if (!(settings.eps >= 0)) throw new Error(`eps=${settings.eps}: must be ≥ 0`);
    if (!(settings.weightDecay >= 0)) throw new Error(`weight_decay=${settings.weightDecay}: must be ≥ 0`);
    if (!(settings.momentum >= 0)) throw new Error(`momentum=${settings.momentum}: must be ≥ 0`);
    if (settings.nesterov && (settings.momentum <= 0 || settings.dampening !== 0)) {
      throw new Error('nesterov needs momentum > 0 and dampening = 0');
    }
    return settings;
  });
}

/** Per-parameter state (exp_avg / exp_avg_sq for Adam(W), momentum_buffer for SGD) plus the step count. */
export interface OptimizerState {
  step: number;
  buffers: Float32Array[][];
}

export function initOptimizerState(settings: OptimizerSettings, params: readonly Float32Array[]): OptimizerState {
  const perParam = settings.name === 'SGD' ? (settings.momentum > 0 ? 1 : 0) : 2;
  return { step: 0, buffers: params.map((p) => Array.from({ length: perParam }, () => new Float32Array(p.length))) };
}

/**
 * One update of every parameter in place, at learning rate `lr`, exactly as torch.optim's
 * single-tensor implementations (values rounded to float32 where torch stores them).
 */
export function optimizerStep(
  settings: OptimizerSettings,
  state: OptimizerState,
  params: Float32Array[],
  grads: readonly Float32Array[],
  lr: number,
): void {
  state.step += 1;
  const t = state.step;
  const f = Math.fround;
  const wd = settings.weightDecay;
  if (settings.name === 'SGD') {
    const { momentum, dampening, nesterov } = settings;
    params.forEach((p, pi) => {
      const g = grads[pi];
      const buf = state.buffers[pi][0];
      for (let i = 0; i < p.length; i++) {
        let d = wd !== 0 ? f(g[i] + wd * p[i]) : g[i];
        if (momentum !== 0) {
          // The first step's buffer is the gradient itself (torch clones it).
          buf[i] = t === 1 ? d : f(momentum * buf[i] + (1 - dampening) * d);
          d = nesterov ? f(d + momentum * buf[i]) : buf[i];
        }
        p[i] = f(p[i] - lr * d);
      }
    });
    return;
  }
  const [beta1, beta2] = settings.betas;
  const biasCorrection1 = 1 - beta1 ** t;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
  const stepSize = lr / biasCorrection1;
  const decoupled = settings.name === 'AdamW';
  params.forEach((p, pi) => {
    const g = grads[pi];
    const [m, v] = state.buffers[pi];
    for (let i = 0; i < p.length; i++) {
      let gi = g[i];
      if (decoupled) p[i] = f(p[i] * (1 - lr * wd));
      else if (wd !== 0) gi = f(gi + wd * p[i]);
      m[i] = f(beta1 * m[i] + (1 - beta1) * gi);
      v[i] = f(beta2 * v[i] + (1 - beta2) * gi * gi);
      const denom = f(f(Math.sqrt(v[i]) / biasCorrection2Sqrt) + settings.eps);
      p[i] = f(p[i] - (stepSize * m[i]) / denom);
    }
  });
}

export interface SchedulerSettings {
  name: LrSchedulerName | null;
  stepSize: number;
  gamma: number;
  milestones: number[];
  tMax: number;
  etaMin: number;
}

const KNOWN_SCHED_KEYS: Record<LrSchedulerName, string[]> = {
  StepLR: ['step_size', 'gamma'],
  MultiStepLR: ['milestones', 'gamma'],
  ExponentialLR: ['gamma'],
  CosineAnnealingLR: ['T_max', 'eta_min'],
};

export function parseScheduler(name: string | null, params: KeyValues): SchedulerSettings {
  const none: SchedulerSettings = { name: null, stepSize: 1, gamma: 1, milestones: [], tMax: 1, etaMin: 0 };
  if (name === null) {
    if (Object.keys(params).length > 0) throw new UserError('scheduler parameters given without a scheduler');
    return none;
  }
  if (!(name in KNOWN_SCHED_KEYS)) {
    throw new UserError(`unknown LR scheduler '${name}' (choose from ${Object.keys(KNOWN_SCHED_KEYS).join(', ')})`);
  }
  const sched = name as LrSchedulerName;
  checkKeys(sched, params, KNOWN_SCHED_KEYS[sched]);
  return wrap(sched, () => {
    const required = (key: string): string => {
      const raw = params[key];
      if (raw === undefined) throw new Error(`needs ${key}=…`);
      return raw;
    };
    const int = (key: string, raw: string): number => {
      const v = parseNumberValue(key, raw);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${key}=${raw}: must be a whole number ≥ 1`);
      return v;
    };
    const gamma = (fallback: number | null): number => {
      const raw = params.gamma ?? (fallback === null ? required('gamma') : String(fallback));
      return parseNumberValue('gamma', raw);
    };
    switch (sched) {
      case 'StepLR':
        return { ...none, name: sched, stepSize: int('step_size', required('step_size')), gamma: gamma(0.1) };
      case 'MultiStepLR': {
        const milestones = parseNumberList('milestones', required('milestones'));
        if (milestones.some((m) => !Number.isInteger(m) || m < 0)) throw new Error('milestones must be whole numbers ≥ 0');
        return { ...none, name: sched, milestones: [...milestones].sort((a, b) => a - b), gamma: gamma(0.1) };
      }
      case 'ExponentialLR':
        return { ...none, name: sched, gamma: gamma(null) };
      case 'CosineAnnealingLR':
        return {
          ...none,
          name: sched,
          tMax: int('T_max', required('T_max')),
          etaMin: params.eta_min === undefined ? 0 : parseNumberValue('eta_min', params.eta_min),
        };
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
          lr = ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) + etaMin;
        }
        break;
      }
    }
  }
  return lr;
}
