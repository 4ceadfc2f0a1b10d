/** A worker for the off-thread tests: doubles a number, spins forever on request, counts its starts. */
import { serveOffThread } from '../../src-main/api/off-thread.ts';

export interface WorkInput {
  value: number;
  spin?: boolean;
  /** Each started worker appends a line here, so a test can count workers. */
  log?: string;
}

await serveOffThread(new URL(import.meta.url), async (input: WorkInput) => {
  if (input.log) (await import('node:fs')).appendFileSync(input.log, 'started\n');
  if (input.spin) for (;;);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return input.value * 2;
});
