import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../src-shared/config.ts';
import { BACKENDS, initBackend, parseBackendName, tf } from './backend.ts';
import { trainRun } from './run.ts';
import { computeName } from './native-kernels.ts';
import { makeSyntheticDataset } from './synthetic.ts';

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('backend choice', () => {
  it('falls through missing native bindings quietly to the first that starts', async () => {
    const chosen = await initBackend();
    expect(BACKENDS).toContain(chosen);
    if (!installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node')) expect(chosen).toBe('wasm');
  });

  it('switches on request and trains on the plain-JS backend too', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const ds = makeSyntheticDataset({
      nClasses: 10,
      dim: 4,
      maxPerClass: 120,
      minPerClass: 5,
      valPerClass: 3,
      testPerClass: 5,
      seed: 1,
    });
    const c = defaultRunConfig(ds.spec.key);
    c.training.n_neighbors = 2;
    c.training.train_epochs = 2;
    c.training.min_epochs = 1;
    const { result } = await trainRun(ds, c, { seed: 1, backend: 'cpu', cacheRoot: null });
    // The run records whether the native kernels computed beside the backend.
    expect(result.backend).toBe(computeName('cpu'));
    expect(result.epochs).toHaveLength(2);
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it('names bad backends', () => {
    expect(parseBackendName('wasm')).toBe('wasm');
    expect(() => parseBackendName('webgpu')).toThrow(/unknown backend 'webgpu'/);
  });
});
