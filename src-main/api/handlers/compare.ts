/** Curves, their export, and the Compare view's groups and runs. */
import { seriesToCsv, seriesToJson, type Api, type RunCurves } from '../../../src-shared/api.ts';
import { compareRunOf, finishedCompareRuns, storeCompareGroups } from '../../store/compare-runs.ts';
import { NotFoundError } from '../dispatch.ts';
import type { Handlers } from './context.ts';
import { runCurves } from './rows.ts';

export function compareHandlers(
  h: Handlers,
): Pick<Api, 'getCurves' | 'exportSeries' | 'listComparisonGroups' | 'getComparisonRuns'> {
  const { store } = h;

  function curvesOf(id: number): RunCurves {
    h.requireRun(id);
    return runCurves(id, store.getRunCurves(id));
  }

  return {
    async getCurves({ runIds }) {
      return runIds.map(curvesOf);
    },

    async exportSeries({ runId, tag, format }) {
      const points = curvesOf(runId).tags[tag];
      if (!points) throw new NotFoundError(`run ${runId} has no series '${tag}'`);
      const base = `run-${runId}-${tag.replace(/[^\w.-]+/g, '_')}`;
      return format === 'csv'
        ? { filename: `${base}.csv`, mime: 'text/csv', content: seriesToCsv(points) }
        : { filename: `${base}.json`, mime: 'application/json', content: seriesToJson(points) };
    },

    async listComparisonGroups({ dataset }) {
      return storeCompareGroups(store, finishedCompareRuns(store, dataset));
    },

    async getComparisonRuns({ runIds }) {
      const missing: number[] = [];
      const runs = runIds.flatMap((id) => {
        const run = store.getRun(id);
        const record = run && compareRunOf(run);
        if (!record) missing.push(id);
        return record ? [record] : [];
      });
      if (missing.length > 0)
        throw new NotFoundError(`no finished run with id ${missing.join(', ')} (deleted, or not finished yet)`);
      return runs;
    },
  };
}
