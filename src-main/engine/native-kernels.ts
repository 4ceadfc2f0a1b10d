/**
 * The engine's native kernels (native/kernels.c, built by scripts/build-native.mjs when npm installs the
 * app): the first layer's two products, the score GEMM and Adam's update, on AVX2+FMA or AVX-512. Here
 * they run 2–3× the wasm backend's speed on one core (bench/kernels.ts). Optional: without the built
 * addon (no compiler at install, another CPU) or with ALPHANET_NATIVE=0, the engine computes through
 * tfjs and the JavaScript update rule instead.
 *
 * Their products sum in one fixed order whatever the instruction set or the split into row slabs (see
 * kernels.c), so a run's numbers depend only on whether native kernels were used, which the run records
 * (computeName), not on the machine's vector width or the thread count.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { appRoot } from '../paths.ts';

export type NativeIsa = 'avx2' | 'avx512';

export interface NativeKernels {
  /** The instruction set in use. */
  isa(): NativeIsa;
  /** Chooses an instruction set this CPU has (tests compare them). */
  useIsa(isa: NativeIsa): void;
  /** out (m × n) = a (m × k) · bᵀ, b being n × k; all row-major. */
  abt(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): void;
  /** out (m × n) = a (m × k) · b (k × n); all row-major. */
  ab(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): void;
  /** optim.ts's Adam/AdamW element rule over p, in place (vmax for AMSGrad, else null). */
  adam(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    vmax: Float32Array | null,
    beta1: number,
    beta2: number,
    stepSize: number,
    bc2Sqrt: number,
    decay: number,
    eps: number,
  ): void;
}

/** Where node-gyp puts the addon, relative to the app's root. */
export const NATIVE_ADDON = path.join('src-main', 'engine', 'native', 'build', 'Release', 'alphanet_kernels.node');

let loaded: NativeKernels | null | undefined;
let whyNot = '';

/** The native kernels, or null when they are switched off, not built or cannot run on this CPU. */
export function nativeKernels(env: NodeJS.ProcessEnv = process.env): NativeKernels | null {
  if (env.ALPHANET_NATIVE === '0') return null;
  if (loaded !== undefined) return loaded;
  try {
    const addon = createRequire(import.meta.url)(path.join(appRoot(), NATIVE_ADDON)) as NativeKernels;
    // The addon loads on any x86-64 CPU and says 'none' where it cannot compute.
    if ((addon.isa() as string) === 'none') {
      whyNot = 'this CPU has neither AVX2+FMA nor AVX-512';
      loaded = null;
    } else loaded = addon;
  } catch (error) {
    whyNot = `not built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); npm run build:native builds it`;
    loaded = null;
  }
  return loaded;
}

/** Why nativeKernels() is null ('' when it is not). */
export function nativeUnavailableReason(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ALPHANET_NATIVE === '0') return 'switched off by ALPHANET_NATIVE=0';
  return nativeKernels(env) ? '' : whyNot;
}

/**
 * The native kernels for work on tfjs backend `backend` (its tf.getBackend() id): only where the backend
 * computes on one thread in wasm or JavaScript; TensorFlow's own native backends have their kernels.
 */
export function nativeKernelsFor(backend: string): NativeKernels | null {
  return backend === 'wasm' || backend === 'cpu' ? nativeKernels() : null;
}

/** The backend as a run records it: 'wasm', or 'wasm + native avx512' when the native kernels ran. */
export function computeName(backend: string): string {
  const native = nativeKernelsFor(backend);
  return native ? `${backend} + native ${native.isa()}` : backend;
}
