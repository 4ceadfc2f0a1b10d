import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_NAMES,
  ACTIVATION_TABLE,
  canonicalActivation,
  erf,
  isActivation,
  unknownActivationMessage,
} from './activations.ts';

describe('hidden activations (torch.nn.functional with default arguments)', () => {
  it('erf to double precision on both sides of the series/fraction switch', () => {
    // Reference values: erf(x) from high-precision tables.
    const table: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.9, 0.9999589021219005],
      [3.1, 0.9999883513426328],
      [4, 0.9999999845827421],
    ];
    for (const [x, want] of table) {
      expect(erf(x)).toBeCloseTo(want, 13);
      expect(erf(-x)).toBeCloseTo(-want, 13);
    }
    expect(erf(0)).toBe(0);
  });

  it("computes PyTorch's values", () => {
    const at1: Record<string, number> = {
      gelu: 0.8413447460685429,
      silu: 0.7310585786300049,
      mish: 0.8650983882673103,
      softplus: 1.3132616875182228,
      logsigmoid: -0.31326168751822286,
      hardswish: 2 / 3,
      hardsigmoid: 2 / 3,
      softsign: 0.5,
      tanhshrink: 1 - Math.tanh(1),
      softshrink: 0.5,
      selu: 1.0507009873554805,
    };
    for (const [name, want] of Object.entries(at1))
      expect(ACTIVATION_TABLE[name as keyof typeof ACTIVATION_TABLE].fn(1), name).toBeCloseTo(want, 14);
    const t = ACTIVATION_TABLE;
    expect(t.leaky_relu.fn(-2)).toBe(Math.fround(-2 * Math.fround(0.01)));
    expect(t.rrelu.fn(-1)).toBeCloseTo(-(1 / 8 + 1 / 3) / 2, 15);
    expect(t.elu.fn(-1)).toBeCloseTo(Math.exp(-1) - 1, 15);
    expect(t.relu6.fn(7)).toBe(6);
    expect(t.hardtanh.fn(-3)).toBe(-1);
    expect(t.hardshrink.fn(0.5)).toBe(0);
    expect(t.hardshrink.fn(0.6)).toBe(0.6);
    expect(t.softplus.fn(30)).toBe(30);
    expect(t.gelu.fn(-1)).toBeCloseTo(-0.15865525393145707, 14);
  });

  it("has derivatives that match central differences away from the kinks, and PyTorch's choice at them", () => {
    const points = [-3.7, -1.3, -0.2, 0.35, 0.9, 2.4, 4.1];
    for (const name of ACTIVATION_NAMES) {
      const { fn, grad } = ACTIVATION_TABLE[name];
      for (const x of points) {
        // h large enough that leaky_relu's float32 rounding stays below the tolerance.
        const h = 1e-3;
        const numeric = (fn(x + h) - fn(x - h)) / (2 * h);
        expect(Math.abs(grad(x) - numeric), `${name}'(${x})`).toBeLessThan(1e-5);
      }
    }
    const t = ACTIVATION_TABLE;
    expect([
      t.relu.grad(0),
      t.leaky_relu.grad(0),
      t.elu.grad(0),
      t.hardtanh.grad(1),
      t.relu6.grad(6),
      t.hardswish.grad(3),
      t.hardsigmoid.grad(3),
    ]).toEqual([0, Math.fround(0.01), 1, 0, 0, 1.5, 0]);
  });

  it('names what it does not accept and why', () => {
    expect(isActivation('gelu')).toBe(true);
    expect(isActivation('softmax')).toBe(false);
    expect(canonicalActivation('relu_')).toBe('relu');
    expect(canonicalActivation('leaky_relu')).toBe('leaky_relu');
    expect(canonicalActivation('gelu_')).toBeNull();
    expect(unknownActivationMessage('softmax')).toMatch(/not elementwise/);
    expect(unknownActivationMessage('swishy')).toMatch(/unknown activation 'swishy' \(choose from leaky_relu, relu/);
  });
});
