/**
 * The kernel choices a test covers: tfjs always, the native kernels where they are built. CI sets
 * ALPHANET_NATIVE_REQUIRED=1, so there a missing build fails test/native-kernels.test.ts instead of
 * quietly narrowing these tests to tfjs.
 */
import { nativeKernels } from '../../src-main/engine/native-kernels.ts';

export const NATIVE_BUILT = nativeKernels() !== null;

/** [false] or [false, true]: whether a case runs the native kernels. */
export const KERNELS: boolean[] = NATIVE_BUILT ? [false, true] : [false];

/** Runs `body` with the native kernels switched on or off (ALPHANET_NATIVE=0) for what it constructs. */
export async function withKernels<T>(native: boolean, body: () => Promise<T> | T): Promise<T> {
  const saved = process.env.ALPHANET_NATIVE;
  if (!native) process.env.ALPHANET_NATIVE = '0';
  else delete process.env.ALPHANET_NATIVE;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.ALPHANET_NATIVE;
    else process.env.ALPHANET_NATIVE = saved;
  }
}
