/**
 * The hidden activations AlphaNet accepts for `--alphanet:hact`: the functions of
 * `torch.nn.functional` that map a tensor elementwise to a tensor of the same shape with their default
 * arguments (the original calls `getattr(F, hact)(x)`), with PyTorch's formulas and its choice of
 * derivative at the kinks. The single owner of that list: the CLI, the launch form, the validators and
 * the engine import it.
 *
 * Not accepted, because they are not such a function: `glu` (halves the width), `softmax`, `softmin`,
 * `log_softmax`, `normalize` (not elementwise), `prelu`, `threshold` (need a weight or arguments without
 * defaults), `dropout*`, `rrelu` in training mode and `gumbel_softmax` (random).
 */

/** One activation: y = fn(x) and dy/dx = grad(x), both in double (the engine rounds to float32). */
export interface ActivationDef {
  fn(x: number): number;
  grad(x: number): number;
}

/** float32 constants, as PyTorch's float kernels hold their scalar arguments. */
const f = Math.fround;
const LEAKY_SLOPE = f(0.01);
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** rrelu outside training: a leaky relu with slope (lower + upper) / 2 = (1/8 + 1/3) / 2. */
const RRELU_SLOPE = (1 / 8 + 1 / 3) / 2;
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log(1 + eˣ) without overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * erf to double precision: its Maclaurin series for |x| < 3 (terms alternate and shrink; at most ~60),
 * else 1 − erfc from its continued fraction.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    // erf x = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  // erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated bottom-up.
  let frac = ax;
  for (let n = 60; n >= 1; n--) frac = ax + n / 2 / frac;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / frac;
  return Math.sign(x) * (1 - erfc);
}

export const ACTIVATION_NAMES = [
  'leaky_relu',
  'relu',
  'relu6',
  'elu',
  'selu',
  'celu',
  'rrelu',
  'gelu',
  'silu',
  'mish',
  'softplus',
  'softsign',
  'tanh',
  'sigmoid',
  'logsigmoid',
  'hardtanh',
  'hardsigmoid',
  'hardswish',
  'hardshrink',
  'softshrink',
  'tanhshrink',
] as const;
export type Activation = (typeof ACTIVATION_NAMES)[number];

export const ACTIVATION_TABLE: Record<Activation, ActivationDef> = {
  // x if x > 0 else 0.01·x
  leaky_relu: { fn: (x) => (x > 0 ? x : f(x * LEAKY_SLOPE)), grad: (x) => (x > 0 ? 1 : LEAKY_SLOPE) },
  // max(0, x)
  relu: { fn: (x) => (x > 0 ? x : 0), grad: (x) => (x > 0 ? 1 : 0) },
  // min(max(0, x), 6)
  relu6: { fn: (x) => Math.min(Math.max(x, 0), 6), grad: (x) => (x > 0 && x < 6 ? 1 : 0) },
  // x if x > 0 else eˣ − 1
  elu: { fn: (x) => (x > 0 ? x : Math.expm1(x)), grad: (x) => (x > 0 ? 1 : Math.exp(x)) },
  // 1.0507·(x if x > 0 else 1.6733·(eˣ − 1))
  selu: {
    fn: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    grad: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
  },
  // x if x > 0 else eˣ − 1 (α = 1)
  celu: { fn: (x) => (x > 0 ? x : Math.expm1(x)), grad: (x) => (x > 0 ? 1 : Math.exp(x)) },
  // x if x > 0 else x·(1/8 + 1/3)/2 (not training: no noise)
  rrelu: {
    fn: (x) => (x > 0 ? x : x * RRELU_SLOPE),
    grad: (x) => (x > 0 ? 1 : RRELU_SLOPE),
  },
  // x·Φ(x) (exact, erf)
  gelu: {
    fn: (x) => 0.5 * x * (1 + erf(x * SQRT1_2)),
    grad: (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  },
  // x·σ(x)
  silu: { fn: (x) => x * sigmoid(x), grad: (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x))) },
  // x·tanh(softplus(x))
  mish: {
    fn: (x) => x * Math.tanh(softplus(x)),
    grad: (x) => {
      const t = Math.tanh(softplus(x));
      return t + x * sigmoid(x) * (1 - t * t);
    },
  },
  // log(1 + eˣ) with PyTorch's β = 1, threshold = 20: x itself above the threshold.
  softplus: { fn: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))), grad: (x) => (x > 20 ? 1 : sigmoid(x)) },
  // x / (1 + |x|)
  softsign: { fn: (x) => x / (1 + Math.abs(x)), grad: (x) => 1 / (1 + Math.abs(x)) ** 2 },
  // tanh x
  tanh: { fn: Math.tanh, grad: (x) => 1 - Math.tanh(x) ** 2 },
  // 1 / (1 + e⁻ˣ)
  sigmoid: { fn: sigmoid, grad: (x) => sigmoid(x) * (1 - sigmoid(x)) },
  // log σ(x)
  logsigmoid: { fn: (x) => -softplus(-x), grad: (x) => sigmoid(-x) },
  // min(max(x, −1), 1)
  hardtanh: { fn: (x) => Math.min(Math.max(x, -1), 1), grad: (x) => (x > -1 && x < 1 ? 1 : 0) },
  // min(max(x/6 + 1/2, 0), 1)
  hardsigmoid: {
    fn: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5),
    grad: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
  },
  // x·min(max(x + 3, 0), 6)/6
  hardswish: {
    fn: (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6),
    grad: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
  },
  // x if |x| > 0.5 else 0
  hardshrink: { fn: (x) => (Math.abs(x) > 0.5 ? x : 0), grad: (x) => (Math.abs(x) > 0.5 ? 1 : 0) },
  // x ∓ 0.5 if |x| > 0.5 else 0
  softshrink: {
    fn: (x) => (x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0),
    grad: (x) => (Math.abs(x) > 0.5 ? 1 : 0),
  },
  // x − tanh x
  tanhshrink: { fn: (x) => x - Math.tanh(x), grad: (x) => Math.tanh(x) ** 2 },
};

/** Why a `torch.nn.functional` name the original would also look up is not accepted here. */
export const REJECTED_ACTIVATIONS: Record<string, string> = {
  glu: 'halves the width of its input',
  softmax: 'is not elementwise',
  softmin: 'is not elementwise',
  log_softmax: 'is not elementwise',
  normalize: 'is not elementwise',
  prelu: 'needs a weight tensor',
  threshold: 'needs threshold and value arguments',
  dropout: 'is random',
  gumbel_softmax: 'is random',
};

export function isActivation(name: string): name is Activation {
  return (ACTIVATION_NAMES as readonly string[]).includes(name);
}

/** torch.nn.functional's in-place variants: the same function, so the same activation here. */
const IN_PLACE: readonly string[] = ['relu_', 'elu_', 'selu_', 'celu_', 'leaky_relu_', 'rrelu_', 'hardtanh_'];

/** The activation a `torch.nn.functional` name computes (`relu_` → `relu`), or null when it is none of ours. */
export function canonicalActivation(name: string): Activation | null {
  const base = IN_PLACE.includes(name) ? name.slice(0, -1) : name;
  return isActivation(base) ? base : null;
}

/** The message for a name that is not an activation, with the reason when it is a known function. */
export function unknownActivationMessage(name: string): string {
  const why = REJECTED_ACTIVATIONS[name];
  return why
    ? `activation '${name}' ${why}, so it cannot be a hidden activation`
    : `unknown activation '${name}' (choose from ${ACTIVATION_NAMES.join(', ')})`;
}
