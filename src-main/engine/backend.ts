/**
 * The compute backend, chosen at run time: the native TensorFlow bindings when installed (optional
 * dependencies), else WebAssembly (always installed), else plain JavaScript. `--backend` overrides.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.ts';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export { tf };

/** The tfjs backend id each of our names registers under. */
const TFJS_ID: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let active: BackendName | null = null;

async function tryLoad(name: BackendName): Promise<boolean> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
        // Optional dependencies: a module that is not installed (or fails to load its native part) falls through.
        await import(/* @vite-ignore */ '@tensorflow/tfjs-node-gpu' as string);
        break;
      case 'tensorflow':
        await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
        break;
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const require = createRequire(import.meta.url);
        const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
        // One thread: the threaded build needs cross-origin isolation and buys little for our small matrices.
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
        wasm.setWasmPaths(`${dist}${path.sep}`);
        break;
      }
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        break;
    }
    return await tf.setBackend(TFJS_ID[name]);
  } catch {
    return false;
  }
}

/**
 * Makes `name` (or the best available backend) the active one and returns its name. Idempotent; a
 * named backend that cannot start is a UserError.
 */
export async function initBackend(name?: BackendName): Promise<BackendName> {
  if (active !== null && (name === undefined || name === active)) return active;
  const candidates = name ? [name] : BACKENDS;
  for (const candidate of candidates) {
    if (await tryLoad(candidate)) {
      await tf.ready();
      active = candidate;
      return candidate;
    }
  }
  throw new UserError(
    name ? `backend '${name}' is not available on this machine` : 'no compute backend could be started',
  );
}

export function parseBackendName(value: string): BackendName {
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new UserError(`unknown backend '${value}' (choose from ${BACKENDS.join(', ')})`);
}
