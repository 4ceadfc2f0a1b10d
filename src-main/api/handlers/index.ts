/**
 * The workbench API over the store, the run queue and the dataset modules, one module per area. Params
 * arrive validated (../validate.ts); handlers only do the work and map store rows to the contract's
 * shapes (rows.ts).
 */
import type { Api } from '../../../src-shared/api.ts';
import { compareHandlers } from './compare.ts';
import { handlerKit, type HandlerContext } from './context.ts';
import { datasetHandlers } from './datasets.ts';
import { inspectorHandlers } from './inspector.ts';
import { preferenceHandlers } from './preferences.ts';
import { queueHandlers } from './queue.ts';
import { runHandlers } from './runs.ts';

export type { HandlerContext };
export { migrateToRegistry } from './datasets.ts';

export function createHandlers(ctx: HandlerContext): Api {
  const h = handlerKit(ctx);
  return {
    ...datasetHandlers(h),
    ...runHandlers(h),
    ...compareHandlers(h),
    ...queueHandlers(h),
    ...inspectorHandlers(h),
    ...preferenceHandlers(h),
  };
}
