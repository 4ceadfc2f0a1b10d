import path from 'node:path';
import { defaultRunConfig, type RunConfig } from '../../src-shared/config.ts';

export const TINYLT_TOML = path.resolve(import.meta.dirname, '../fixtures/tinylt/datasets.toml');

/** Many short epochs (small batches), so a kill lands mid-run with epochs on both sides of it. */
export function crashConfig(): RunConfig {
  const config = defaultRunConfig('tinylt_synth');
  const t = config.training;
  t.n_neighbors = 3;
  t.sampler_args = [{}, { r: '0.5' }];
  t.train_epochs = 120;
  t.min_epochs = 2;
  t.train_batch_size = 8;
  t.lr_sched_params = { step_size: '40', gamma: '0.5' };
  return config;
}
