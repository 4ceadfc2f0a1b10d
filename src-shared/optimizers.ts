/**
 * The optimisers of `torch.optim` a run can use (`--training:ptopt:optim-cls`, named by class as the
 * original names them), each with PyTorch 1.13's parameter names and defaults, and the LR schedulers
 * with theirs. The single owner of both tables: the CLI help, the launch form, the validators and the
 * engine's parsers import them; the update rules live in the engine (src-main/engine/optim.ts).
 *
 * Left out: `LBFGS` (needs a closure that re-evaluates the loss), `SparseAdam` (sparse gradients only),
 * and PyTorch's implementation switches (`foreach`, `capturable`, `differentiable`, `fused`), which
 * change how, not what, it computes.
 */

/** What a parameter's value must be. */
export type ParamKind =
  /** a number > 0 */
  | 'positive'
  /** a number ≥ 0 */
  | 'nonneg'
  /** a number in [0, 1] */
  | 'unit'
  /** any finite number */
  | 'number'
  /** a whole number ≥ 1 */
  | 'integer'
  | 'boolean'
  /** two numbers in [0, 1), `(0.9,0.999)` */
  | 'betas'
  /** two numbers > 0, `(0.5,1.2)` */
  | 'pair'
  /** whole numbers ≥ 0, `[5,10]` */
  | 'integers';

export interface ParamSpec {
  kind: ParamKind;
  /** PyTorch's default, as the text a user would write. */
  default: string;
}

/** PyTorch's implementation switches: accepted in a recording, never change what is computed. */
export const IMPLEMENTATION_SWITCHES = ['foreach', 'capturable', 'differentiable', 'fused'] as const;

export const OPTIMIZER_NAMES = [
  'AdamW',
  'Adam',
  'SGD',
  'Adagrad',
  'RMSprop',
  'Adadelta',
  'Adamax',
  'NAdam',
  'RAdam',
  'Rprop',
  'ASGD',
] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

const p = (kind: ParamKind, def: string | number | boolean): ParamSpec => ({ kind, default: String(def) });
const lr = (def: number) => p('positive', def);
const betas = p('betas', '(0.9,0.999)');
const eps = (def: number) => p('nonneg', def);
const weightDecay = (def = 0) => p('nonneg', def);
const maximize = p('boolean', false);

export const OPTIMIZER_TABLE: Record<OptimizerName, { params: Record<string, ParamSpec> }> = {
  AdamW: {
    params: {
      lr: lr(1e-3),
      betas,
      eps: eps(1e-8),
      weight_decay: weightDecay(1e-2),
      amsgrad: p('boolean', false),
      maximize,
    },
  },
  Adam: {
    params: {
      lr: lr(1e-3),
      betas,
      eps: eps(1e-8),
      weight_decay: weightDecay(),
      amsgrad: p('boolean', false),
      maximize,
    },
  },
  // PyTorch 1.13 has no default lr for SGD; the original's default optim_params give lr=0.001.
  SGD: {
    params: {
      lr: lr(1e-3),
      momentum: p('nonneg', 0),
      dampening: p('number', 0),
      weight_decay: weightDecay(),
      nesterov: p('boolean', false),
      maximize,
    },
  },
  Adagrad: {
    params: {
      lr: lr(1e-2),
      lr_decay: p('nonneg', 0),
      weight_decay: weightDecay(),
      initial_accumulator_value: p('nonneg', 0),
      eps: eps(1e-10),
      maximize,
    },
  },
  RMSprop: {
    params: {
      lr: lr(1e-2),
      alpha: p('nonneg', 0.99),
      eps: eps(1e-8),
      weight_decay: weightDecay(),
      momentum: p('nonneg', 0),
      centered: p('boolean', false),
      maximize,
    },
  },
  Adadelta: { params: { lr: lr(1.0), rho: p('unit', 0.9), eps: eps(1e-6), weight_decay: weightDecay(), maximize } },
  Adamax: { params: { lr: lr(2e-3), betas, eps: eps(1e-8), weight_decay: weightDecay(), maximize } },
  NAdam: {
    params: { lr: lr(2e-3), betas, eps: eps(1e-8), weight_decay: weightDecay(), momentum_decay: p('nonneg', 4e-3) },
  },
  RAdam: { params: { lr: lr(1e-3), betas, eps: eps(1e-8), weight_decay: weightDecay() } },
  Rprop: { params: { lr: lr(1e-2), etas: p('pair', '(0.5,1.2)'), step_sizes: p('pair', '(1e-06,50)'), maximize } },
  ASGD: {
    params: {
      lr: lr(1e-2),
      lambd: p('nonneg', 1e-4),
      alpha: p('nonneg', 0.75),
      t0: p('nonneg', 1e6),
      weight_decay: weightDecay(),
      maximize,
    },
  },
};

/**
 * Why parameters that are each fine cannot go together (PyTorch's SGD refuses nesterov without momentum
 * or with dampening), or null. `params` as given, PyTorch's defaults for the rest; values already checked.
 */
export function optimizerParamsProblem(name: OptimizerName, params: Readonly<Record<string, string>>): string | null {
  if (name !== 'SGD') return null;
  const value = (key: string) => params[key] ?? OPTIMIZER_TABLE.SGD.params[key].default;
  const nesterov = /^(true|1)$/i.test(value('nesterov').trim());
  return nesterov && (Number(value('momentum')) <= 0 || Number(value('dampening')) !== 0)
    ? 'nesterov needs momentum > 0 and dampening = 0'
    : null;
}

export const LR_SCHEDULER_NAMES = ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR'] as const;
export type LrSchedulerName = (typeof LR_SCHEDULER_NAMES)[number];

/** A scheduler parameter: `default` null where PyTorch has none, so the run must give it. */
export interface SchedulerParamSpec {
  kind: ParamKind;
  default: string | null;
}

export const SCHEDULER_TABLE: Record<LrSchedulerName, { params: Record<string, SchedulerParamSpec> }> = {
  StepLR: { params: { step_size: { kind: 'integer', default: null }, gamma: { kind: 'positive', default: '0.1' } } },
  MultiStepLR: {
    params: { milestones: { kind: 'integers', default: null }, gamma: { kind: 'positive', default: '0.1' } },
  },
  ExponentialLR: { params: { gamma: { kind: 'positive', default: null } } },
  CosineAnnealingLR: {
    params: { T_max: { kind: 'integer', default: null }, eta_min: { kind: 'nonneg', default: '0' } },
  },
};

export function isLrScheduler(name: string): name is LrSchedulerName {
  return (LR_SCHEDULER_NAMES as readonly string[]).includes(name);
}

export function isOptimizer(name: string): name is OptimizerName {
  return (OPTIMIZER_NAMES as readonly string[]).includes(name);
}

/** A list value: `(a,b)`, `[a,b]` or bare `a`, as numbers (NaN where a part is not a number). */
export function listValues(raw: string): number[] {
  const inner = raw
    .trim()
    .replace(/^[[(]\s*/, '')
    .replace(/\s*[\])]$/, '');
  if (inner === '') return [];
  return inner.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
}

export function isNumberText(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}

/** Why `raw` is not a value of `kind`, or null when it is. */
export function checkParam(kind: ParamKind, raw: string): string | null {
  const n = Number(raw);
  switch (kind) {
    case 'positive':
      return isNumberText(raw) && n > 0 ? null : `'${raw}' must be a number > 0`;
    case 'nonneg':
      return isNumberText(raw) && n >= 0 ? null : `'${raw}' must be a number ≥ 0`;
    case 'unit':
      return isNumberText(raw) && n >= 0 && n <= 1 ? null : `'${raw}' must be a number in [0, 1]`;
    case 'number':
      return isNumberText(raw) ? null : `'${raw}' must be a number`;
    case 'integer':
      return isNumberText(raw) && Number.isInteger(n) && n >= 1 ? null : `'${raw}' must be a whole number ≥ 1`;
    case 'boolean':
      return /^(true|false|0|1)$/i.test(raw.trim()) ? null : `'${raw}' must be true or false`;
    case 'betas': {
      const v = listValues(raw);
      return v.length === 2 && v.every((x) => x >= 0 && x < 1)
        ? null
        : `'${raw}' must be two numbers in [0, 1), e.g. (0.9,0.999)`;
    }
    case 'pair': {
      const v = listValues(raw);
      return v.length === 2 && v.every((x) => x > 0) ? null : `'${raw}' must be two numbers > 0, e.g. (0.5,1.2)`;
    }
    case 'integers': {
      const v = listValues(raw);
      return v.every((x) => Number.isInteger(x) && x >= 0)
        ? null
        : `'${raw}' must be a comma-separated list of whole numbers ≥ 0`;
    }
  }
}
