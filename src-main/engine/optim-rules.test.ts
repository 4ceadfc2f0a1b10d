/**
 * Every optimiser's first three steps against PyTorch's documented update rules (the algorithm boxes
 * of the torch.optim documentation, 1.13), written out here in double precision as a reference that
 * shares nothing with optim.ts: three parameters, gradients that change sign and include a zero, and
 * the non-default branches (amsgrad, momentum, centered, nesterov, maximize, weight decay).
 */
import { describe, expect, it } from 'vitest';
import type { KeyValues } from '../../src-shared/config.ts';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../src-shared/optimizers.ts';
import { initOptimizerState, optimizerStep, parseOptimizer } from './optim.ts';

const THETA0 = [0.5, -1.25, 2];
/** Gradients at steps 1, 2, 3 (per parameter); the reference ignores that they do not follow from a loss. */
const GRADS = [
  [0.3, -0.2, 1.5],
  [-0.1, -0.4, 0],
  [0.25, 0.6, -0.7],
];
const LR = [0.01, 0.01, 0.005];

type Rule = (theta: number[], grads: number[][], lr: number[]) => number[][];
type Hyper = Record<string, number>;
/** One parameter's update at step t (1-based) with learning rate lr; returns the new θ. */
type Update = (th: number, g: number, i: number, t: number, lr: number) => number;

/** θ after each step, every parameter updated by `update`. */
function steps(theta: number[], grads: number[][], lr: number[], update: Update): number[][] {
  const out: number[][] = [];
  grads.forEach((g, t0) => {
    theta = theta.map((th, i) => update(th, g[i], i, t0 + 1, lr[t0]));
    out.push(theta);
  });
  return out;
}

/** The gradient the documented algorithms start from: negated to maximise, plus λθ (L2 decay). */
const grad = (h: Hyper, g: number, th: number): number => (h.maximize ? -g : g) + (h.weight_decay ?? 0) * th;
const zeros = (theta: number[]): number[] => theta.map(() => 0);

/** Each rule, from its hyperparameters as documented, returns θ after steps 1, 2, 3. */
const rules: Record<string, (h: Hyper) => Rule> = {
  SGD: (h) => (theta, grads, lr) => {
    const b = zeros(theta);
    return steps(theta, grads, lr, (th, g0, i, t, lr) => {
      let g = grad(h, g0, th);
      if (h.momentum !== 0) {
        b[i] = t > 1 ? h.momentum * b[i] + (1 - h.dampening) * g : g;
        g = h.nesterov ? g + h.momentum * b[i] : b[i];
      }
      return th - lr * g;
    });
  },
  Adam: (h) => (theta, grads, lr) => {
    const [m, v, vMax] = [zeros(theta), zeros(theta), zeros(theta)];
    return steps(theta, grads, lr, (th, g0, i, t, lr) => {
      // AdamW decays θ itself (θ ← θ − γλθ) instead of adding λθ to the gradient.
      const g = h.decoupled ? grad({ ...h, weight_decay: 0 }, g0, th) : grad(h, g0, th);
      if (h.decoupled) th -= lr * h.weight_decay * th;
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
      v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
      vMax[i] = Math.max(vMax[i], v[i]);
      const mHat = m[i] / (1 - h.beta1 ** t);
      const vHat = (h.amsgrad ? vMax[i] : v[i]) / (1 - h.beta2 ** t);
      return th - (lr * mHat) / (Math.sqrt(vHat) + h.eps);
    });
  },
  Adagrad: (h) => (theta, grads, lr) => {
    const sum = theta.map(() => h.initial_accumulator_value);
    return steps(theta, grads, lr, (th, g0, i, t, lr) => {
      const g = grad(h, g0, th);
      sum[i] += g * g;
      return th - ((lr / (1 + (t - 1) * h.lr_decay)) * g) / (Math.sqrt(sum[i]) + h.eps);
    });
  },
  RMSprop: (h) => (theta, grads, lr) => {
    const [v, gAve, b] = [zeros(theta), zeros(theta), zeros(theta)];
    return steps(theta, grads, lr, (th, g0, i, _t, lr) => {
      const g = grad(h, g0, th);
      v[i] = h.alpha * v[i] + (1 - h.alpha) * g * g;
      let vTilde = v[i];
      if (h.centered) {
        gAve[i] = h.alpha * gAve[i] + (1 - h.alpha) * g;
        vTilde -= gAve[i] * gAve[i];
      }
      if (h.momentum > 0) {
        b[i] = h.momentum * b[i] + g / (Math.sqrt(vTilde) + h.eps);
        return th - lr * b[i];
      }
      return th - (lr * g) / (Math.sqrt(vTilde) + h.eps);
    });
  },
  Adadelta: (h) => (theta, grads, lr) => {
    const [v, u] = [zeros(theta), zeros(theta)];
    return steps(theta, grads, lr, (th, g0, i, _t, lr) => {
      const g = grad(h, g0, th);
      v[i] = h.rho * v[i] + (1 - h.rho) * g * g;
      const dx = (Math.sqrt(u[i] + h.eps) / Math.sqrt(v[i] + h.eps)) * g;
      u[i] = h.rho * u[i] + (1 - h.rho) * dx * dx;
      return th - lr * dx;
    });
  },
  Adamax: (h) => (theta, grads, lr) => {
    const [m, u] = [zeros(theta), zeros(theta)];
    return steps(theta, grads, lr, (th, g0, i, t, lr) => {
      const g = grad(h, g0, th);
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
      u[i] = Math.max(h.beta2 * u[i], Math.abs(g) + h.eps);
      return th - (lr * m[i]) / ((1 - h.beta1 ** t) * u[i]);
    });
  },
  NAdam: (h) => (theta, grads, lr) => {
    const [m, v] = [zeros(theta), zeros(theta)];
    const mu = (t: number) => h.beta1 * (1 - 0.5 * 0.96 ** (t * h.momentum_decay));
    const prod = (t: number) => Array.from({ length: t }, (_, i) => mu(i + 1)).reduce((a, x) => a * x, 1);
    return steps(theta, grads, lr, (th, g0, i, t, lr) => {
      const g = grad(h, g0, th);
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
      v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
      const mHat = (mu(t + 1) * m[i]) / (1 - prod(t + 1)) + ((1 - mu(t)) * g) / (1 - prod(t));
      return th - (lr * mHat) / (Math.sqrt(v[i] / (1 - h.beta2 ** t)) + h.eps);
    });
  },
  RAdam: (h) => (theta, grads, lr) => {
    const [m, v] = [zeros(theta), zeros(theta)];
    const rhoInf = 2 / (1 - h.beta2) - 1;
    return steps(theta, grads, lr, (th, g0, i, t, lr) => {
      const g = grad(h, g0, th);
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
      v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
      const mHat = m[i] / (1 - h.beta1 ** t);
      const rhoT = rhoInf - (2 * t * h.beta2 ** t) / (1 - h.beta2 ** t);
      if (rhoT <= 5) return th - lr * mHat;
      const l = Math.sqrt(1 - h.beta2 ** t) / (Math.sqrt(v[i]) + h.eps);
      const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      return th - lr * mHat * r * l;
    });
  },
  Rprop: (h) => (theta, grads, lr) => {
    const prev = zeros(theta);
    const eta = theta.map(() => lr[0]);
    return steps(theta, grads, lr, (th, g0, i) => {
      let g = grad(h, g0, th);
      if (g * prev[i] > 0) eta[i] = Math.min(eta[i] * h.etaplus, h.step_max);
      else if (g * prev[i] < 0) {
        eta[i] = Math.max(eta[i] * h.etaminus, h.step_min);
        g = 0;
      }
      prev[i] = g;
      return th - eta[i] * Math.sign(g);
    });
  },
  ASGD: (h) => (theta, grads, lr) =>
    steps(theta, grads, lr, (th, g0, _i, t) => {
      // η₁ = γ; η_t = γ / (1 + λγ(t − 1))^α with the previous step's γ.
      const eta = t === 1 ? lr[0] : lr[t - 2] / (1 + h.lambd * lr[t - 2] * (t - 1)) ** h.alpha;
      return th * (1 - h.lambd * eta) - eta * grad(h, g0, th);
    }),
};

const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, amsgrad: 0, maximize: 0 };
/** Settings per optimiser: [our key=value parameters, the reference's hyperparameters]. */
const CASES: Record<OptimizerName, [KeyValues, Record<string, number>, string][]> = {
  AdamW: [
    [{}, { ...ADAM_DEFAULTS, weight_decay: 0.01, decoupled: 1 }, 'Adam'],
    [
      { amsgrad: 'true', weight_decay: '0.1', betas: '(0.8,0.99)' },
      { ...ADAM_DEFAULTS, beta1: 0.8, beta2: 0.99, amsgrad: 1, weight_decay: 0.1, decoupled: 1 },
      'Adam',
    ],
  ],
  Adam: [
    [{}, { ...ADAM_DEFAULTS, weight_decay: 0, decoupled: 0 }, 'Adam'],
    [
      { weight_decay: '0.1', maximize: 'true', amsgrad: 'true' },
      { ...ADAM_DEFAULTS, weight_decay: 0.1, maximize: 1, amsgrad: 1, decoupled: 0 },
      'Adam',
    ],
  ],
  SGD: [
    [{}, { momentum: 0, dampening: 0, nesterov: 0, weight_decay: 0, maximize: 0 }, 'SGD'],
    [
      { momentum: '0.9', dampening: '0.1', weight_decay: '0.01' },
      { momentum: 0.9, dampening: 0.1, nesterov: 0, weight_decay: 0.01, maximize: 0 },
      'SGD',
    ],
    [
      { momentum: '0.9', nesterov: 'true', maximize: 'true' },
      { momentum: 0.9, dampening: 0, nesterov: 1, weight_decay: 0, maximize: 1 },
      'SGD',
    ],
  ],
  Adagrad: [
    [{}, { lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: 0 }, 'Adagrad'],
    [
      { lr_decay: '0.5', weight_decay: '0.1', initial_accumulator_value: '0.2' },
      { lr_decay: 0.5, weight_decay: 0.1, initial_accumulator_value: 0.2, eps: 1e-10, maximize: 0 },
      'Adagrad',
    ],
  ],
  RMSprop: [
    [{}, { alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: 0, maximize: 0 }, 'RMSprop'],
    [
      { momentum: '0.5', centered: 'true', alpha: '0.9', weight_decay: '0.1' },
      { alpha: 0.9, eps: 1e-8, weight_decay: 0.1, momentum: 0.5, centered: 1, maximize: 0 },
      'RMSprop',
    ],
  ],
  Adadelta: [
    [{}, { rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: 0 }, 'Adadelta'],
    [
      { rho: '0.5', weight_decay: '0.1', maximize: 'true' },
      { rho: 0.5, eps: 1e-6, weight_decay: 0.1, maximize: 1 },
      'Adadelta',
    ],
  ],
  Adamax: [
    [{}, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, maximize: 0 }, 'Adamax'],
    [
      { weight_decay: '0.1', betas: '(0.5,0.9)' },
      { beta1: 0.5, beta2: 0.9, eps: 1e-8, weight_decay: 0.1, maximize: 0 },
      'Adamax',
    ],
  ],
  NAdam: [
    [{}, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3 }, 'NAdam'],
    [
      { momentum_decay: '0.5', weight_decay: '0.1' },
      { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.1, momentum_decay: 0.5 },
      'NAdam',
    ],
  ],
  RAdam: [
    [{}, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 }, 'RAdam'],
    [{ betas: '(0.8,0.99)', weight_decay: '0.1' }, { beta1: 0.8, beta2: 0.99, eps: 1e-8, weight_decay: 0.1 }, 'RAdam'],
  ],
  Rprop: [
    [{}, { etaminus: 0.5, etaplus: 1.2, step_min: 1e-6, step_max: 50, maximize: 0 }, 'Rprop'],
    [
      { etas: '(0.3,1.5)', maximize: 'true' },
      { etaminus: 0.3, etaplus: 1.5, step_min: 1e-6, step_max: 50, maximize: 1 },
      'Rprop',
    ],
  ],
  ASGD: [
    [{}, { lambd: 1e-4, alpha: 0.75, weight_decay: 0, maximize: 0 }, 'ASGD'],
    [
      { lambd: '0.5', alpha: '0.5', weight_decay: '0.1' },
      { lambd: 0.5, alpha: 0.5, weight_decay: 0.1, maximize: 0 },
      'ASGD',
    ],
  ],
};

function expectSameSteps(name: OptimizerName, params: KeyValues, rule: Rule, grads: number[][], lr: number[]): void {
  const settings = parseOptimizer(name, { lr: String(lr[0]), ...params });
  const theta = [Float32Array.from(THETA0)];
  const state = initOptimizerState(settings, theta);
  const want = rule([...THETA0], grads, lr);
  grads.forEach((g, t) => {
    optimizerStep(settings, state, theta, [Float32Array.from(g)], lr[t]);
    Array.from(theta[0]).forEach((got, i) => {
      expect(Math.abs(got - want[t][i]), `step ${t + 1}, θ${i}: ${got} vs ${want[t][i]}`).toBeLessThanOrEqual(
        2e-6 * Math.max(1, Math.abs(want[t][i])),
      );
    });
  });
  // The steps must move the parameters (a rule that did nothing would pass a loose comparison).
  expect(Array.from(theta[0])).not.toEqual(Array.from(Float32Array.from(THETA0)));
}

describe('optimisers: first three steps as PyTorch documents them', () => {
  it('covers every optimiser of the table', () => {
    expect(Object.keys(CASES).sort()).toEqual([...OPTIMIZER_NAMES].sort());
  });

  for (const name of OPTIMIZER_NAMES) {
    for (const [params, hyper, rule] of CASES[name]) {
      it(`${name}(${
        Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || 'defaults'
      })`, () => {
        expectSameSteps(name, params, rules[rule](hyper), GRADS, LR);
      });
    }
  }
});

it('RAdam leaves its SGD-like start once rho_t > 5 (step 6 with beta2 = 0.999), as documented', () => {
  const grads = Array.from({ length: 8 }, (_, t) => GRADS[t % 3].map((g) => g * (1 + t / 4)));
  const lr = grads.map(() => 0.01);
  expectSameSteps('RAdam', {}, rules.RAdam({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 }), grads, lr);
});
