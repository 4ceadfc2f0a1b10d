/** The Inspector view's pure parts: the class list's search and sort, the combination text, hover texts. */
import {
  toCsv,
  type Confusion,
  type FewClassDetail,
  type InspectorData,
  type WordNetRelation,
} from '../../../src-shared/inspector.ts';
import { comboLine } from '../../../src-shared/report/combos.ts';
import { signed } from './inspector-charts.ts';

export type ClassSortKey = 'name' | 'trainSamples' | 'baselineAcc' | 'alphanetAcc' | 'delta';
export type SortDir = 'asc' | 'desc';

export interface ClassSort {
  key: ClassSortKey;
  dir: SortDir;
}

type Sortable = Pick<FewClassDetail, 'classId' | ClassSortKey>;

/** Rows whose name contains the query (case- and accent-insensitive); every row for a blank query. */
export function searchClasses<T extends { name: string }>(rows: readonly T[], query: string): T[] {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const q = fold(query.trim());
  return q === '' ? [...rows] : rows.filter((r) => fold(r.name).includes(q));
}

/** Sorted by one column; unknown values (null) last in either direction, ties by class id. */
export function sortClasses<T extends Sortable>(rows: readonly T[], sort: ClassSort): T[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const [x, y] = [a[sort.key], b[sort.key]];
    if (x === null || y === null) return x === y ? a.classId - b.classId : x === null ? 1 : -1;
    const c = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
    return sign * c || a.classId - b.classId;
  });
}

/** Clicking the sorted column flips its direction; another column starts with the useful end (largest numbers, names A–Z). */
export function nextSort(current: ClassSort, key: ClassSortKey): ClassSort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'name' ? 'asc' : 'desc' };
}

/** The combination as the original's combos report prints it. */
export function combinationText(detail: FewClassDetail): string {
  return comboLine({
    name: detail.name,
    neighbours: detail.combination.map((t) => ({ name: t.name, alphaMean: t.alphaMean, alphaStd: t.alphaStd })),
  });
}

/** The combination's terms as CSV, one row per neighbour with each run's coefficient. */
export function combinationCsv(detail: FewClassDetail): string {
  const nRuns = detail.alphanetAccPerRun.length;
  return toCsv(
    [
      'few_class_id',
      'few_class',
      'rank',
      'neighbour_id',
      'neighbour',
      'split',
      'distance',
      'alpha_mean',
      'alpha_std',
      ...Array.from({ length: nRuns }, (_, i) => `alpha_run_${i + 1}`),
    ],
    detail.combination.map((t, i) => [
      detail.classId,
      detail.name,
      i + 1,
      t.classId,
      t.name,
      t.split,
      t.distance,
      t.alphaMean,
      t.alphaStd,
      ...t.alphaPerRun,
    ]),
  );
}

/** Hover text of a WordNet relation: each lowest common hypernym with its gloss. */
export function relationTitle(rel: WordNetRelation): string {
  if (rel.lowestCommonHypernyms.length === 0) return 'no common hypernym';
  return rel.lowestCommonHypernyms.map((h) => `${h.name} (${h.wnid}): ${h.gloss}`).join('\n');
}

/** A confusion's counts after AlphaNet, one per run. */
export function perRunCounts(c: Confusion): string {
  return c.alphanetPerRun.join(' · ');
}

/** The class a route asks for, when the data has it. */
export function classFromQuery(data: InspectorData, value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  const id = Number(value);
  return id < data.classes.length ? id : null;
}

/** The few classes whose combination borrows from class `id`, with its coefficient in each. */
export function borrowers(data: InspectorData, id: number): { detail: FewClassDetail; alphaMean: number }[] {
  return data.fewClasses.flatMap((f) => {
    const term = f.combination.find((t) => t.classId === id);
    return term ? [{ detail: f, alphaMean: term.alphaMean }] : [];
  });
}

/** File names (without extension) of an experiment's exports: `<dataset>-<experiment>-<plot>`, safe on every file system. */
export function exportName(dataset: string, experiment: string, plot: string): string {
  const safe = (s: string) => s.replace(/[^\p{L}\p{N}_.-]+/gu, '_');
  return `${safe(dataset)}-${safe(experiment)}-${safe(plot)}`;
}

/** An accuracy change (a fraction) as signed percentage points, '–' where there is none. */
export function deltaText(delta: number | null): string {
  return delta === null ? '–' : signed(delta * 100, 1);
}
