import { describe, expect, it } from 'vitest';
import { initOptimizerState, lrAt, optimizerStep, parseOptimizer, parseScheduler } from './optim.ts';

describe('optimisers', () => {
  it('AdamW decouples weight decay exactly as torch.optim.AdamW (hand-computed)', () => {
    const s = parseOptimizer('AdamW', { lr: '0.1', weight_decay: '0.5' });
    expect(s.pair.betas).toEqual([0.9, 0.999]);
    expect(s.num.eps).toBe(1e-8);
    const p = [Float32Array.of(1.0)];
    const st = initOptimizerState(s, p);
    // Step 1, g = 2: p ← 1·(1 − 0.1·0.5) = 0.95; m = 0.2, v = 0.004; m̂ = 2, v̂ = 4;
    // p ← 0.95 − 0.1·2/(2 + 1e-8) = 0.85 (up to eps).
    optimizerStep(s, st, p, [Float32Array.of(2)], 0.1);
    expect(p[0][0]).toBeCloseTo(0.95 - (0.1 * 2) / (2 + 1e-8), 6);
    // Step 2, g = −1: p ← 0.85·0.95 = 0.8075; m = 0.9·0.2 − 0.1 = 0.08; v = 0.999·0.004 + 0.001 = 0.004996;
    // m̂ = 0.08/0.19, v̂ = 0.004996/(1 − 0.999²); p ← 0.8075 − 0.1·m̂/(√v̂ + 1e-8).
    optimizerStep(s, st, p, [Float32Array.of(-1)], 0.1);
    const p1 = 0.95 - (0.1 * 2) / (2 + 1e-8);
    const mHat = 0.08 / (1 - 0.9 ** 2);
    const vHat = 0.004996 / (1 - 0.999 ** 2);
    expect(p[0][0]).toBeCloseTo(p1 * 0.95 - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8), 6);
    expect(st.step).toBe(2);
  });

  it('Adam adds L2 decay to the gradient instead', () => {
    const s = parseOptimizer('Adam', { lr: '0.1', weight_decay: '0.5' });
    const p = [Float32Array.of(1.0)];
    optimizerStep(s, initOptimizerState(s, p), p, [Float32Array.of(2)], 0.1);
    // g' = 2 + 0.5 = 2.5; first Adam step moves by lr·sign: 1 − 0.1.
    expect(p[0][0]).toBeCloseTo(0.9, 6);
  });

  it('SGD with momentum, dampening and nesterov follows torch', () => {
    const s = parseOptimizer('SGD', { lr: '0.1', momentum: '0.9' });
    const p = [Float32Array.of(1)];
    const st = initOptimizerState(s, p);
    optimizerStep(s, st, p, [Float32Array.of(1)], 0.1); // buf = 1; p = 0.9
    optimizerStep(s, st, p, [Float32Array.of(1)], 0.1); // buf = 1.9; p = 0.71
    expect(p[0][0]).toBeCloseTo(0.71, 6);
    const n = parseOptimizer('SGD', { lr: '0.1', momentum: '0.9', nesterov: 'true' });
    const q = [Float32Array.of(1)];
    const nst = initOptimizerState(n, q);
    optimizerStep(n, nst, q, [Float32Array.of(1)], 0.1); // buf = 1; d = 1 + 0.9 = 1.9; q = 0.81
    expect(q[0][0]).toBeCloseTo(0.81, 6);
    expect(() => parseOptimizer('SGD', { nesterov: 'true' })).toThrow(/nesterov/);
  });

  it('rejects unknown optimisers, keys and bad values', () => {
    expect(() => parseOptimizer('LBFGS', {})).toThrow(/unknown optimiser/);
    expect(() => parseOptimizer('AdamW', { beta1: '0.9' })).toThrow(/no parameter 'beta1'/);
    expect(() => parseOptimizer('AdamW', { lr: 'abc' })).toThrow(/lr=abc/);
    expect(parseOptimizer('AdamW', { betas: '(0.8,0.99)' }).pair.betas).toEqual([0.8, 0.99]);
    expect(parseOptimizer('AdamW', { betas: '[0.8,0.99]' }).pair.betas).toEqual([0.8, 0.99]);
  });
});

describe('LR schedulers follow PyTorch', () => {
  const seq = (name: string, params: Record<string, string>, n: number) =>
    Array.from({ length: n }, (_, e) => lrAt(parseScheduler(name, params), 0.1, e));

  it('StepLR', () => {
    const got = seq('StepLR', { step_size: '2', gamma: '0.5' }, 6);
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
  });

  it('MultiStepLR', () => {
    const got = seq('MultiStepLR', { milestones: '[2,4]', gamma: '0.1' }, 6);
    [0.1, 0.1, 0.01, 0.01, 0.001, 0.001].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
  });

  it('ExponentialLR', () => {
    const got = seq('ExponentialLR', { gamma: '0.9' }, 5);
    got.forEach((v, e) => expect(v).toBeCloseTo(0.1 * 0.9 ** e, 12));
  });

  it('CosineAnnealingLR matches the closed form, including past T_max', () => {
    const got = seq('CosineAnnealingLR', { T_max: '4', eta_min: '0.01' }, 12);
    got.forEach((v, e) => expect(v).toBeCloseTo(0.01 + ((0.1 - 0.01) * (1 + Math.cos((Math.PI * e) / 4))) / 2, 10));
  });

  it('no scheduler keeps the base LR; bad parameters are errors', () => {
    expect(lrAt(parseScheduler(null, {}), 0.1, 7)).toBe(0.1);
    expect(() => parseScheduler('StepLR', {})).toThrow(/step_size/);
    expect(() => parseScheduler('StepLR', { step_size: '1.5' })).toThrow(/whole number/);
    expect(() => parseScheduler('Plateau', {})).toThrow(/unknown LR scheduler/);
  });
});
