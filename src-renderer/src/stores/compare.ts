import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { Comparison, Column, EvalDatagrp, MetricName } from '../../../src-shared/compare.ts';
import {
  compareSelection,
  runIdsOf,
  type CompareDataset,
  type CompareRun,
} from '../../../src-shared/compare-groups.ts';
import type { CellStyle } from '../../../src-shared/export/format.ts';
import type { ExportFormat } from '../../../src-shared/export/index.ts';
import { useClient } from '../api/client.ts';
import { COMPARE_DEFAULTS, COMPARE_REMEMBERED, compareQuery, parseCompareQuery } from '../lib/compare-url.ts';
import { defaultSelection, pruneSelection } from '../lib/compare-view.ts';
import { errorMessage } from '../lib/format.ts';
import { reloadOnFinishedRuns } from '../lib/run-events.ts';
import { pick } from '../lib/view-link.ts';
import { usePreferencesStore } from './preferences.ts';

/**
 * The Compare view's state: the comparable groups per dataset, which are chosen, their runs (fetched
 * once, refetched when runs finish or are deleted) and the table settings. The comparisons themselves
 * are computed here from src-shared, as `alphanet results` computes them.
 */
export const useCompareStore = defineStore('compare', () => {
  const client = useClient();
  const datasets = ref<CompareDataset[]>([]);
  /** Dataset key → chosen group ids. */
  const selected = ref<Record<string, string[]>>({});
  const runs = ref<Map<number, CompareRun>>(new Map());
  const loaded = ref(false);
  const error = ref<string | null>(null);
  /** Until the user picks (or a link does), the selection follows the data: every named experiment, new ones included. */
  const picked = ref(false);

  const metric = ref<MetricName>(COMPARE_DEFAULTS.metric);
  const datagrp = ref<EvalDatagrp>(COMPARE_DEFAULTS.datagrp);
  const showDelta = ref(COMPARE_DEFAULTS.showDelta);
  /** Name of the row the others are tested against; '' for none. */
  const reference = ref(COMPARE_DEFAULTS.reference);
  const sortBy = ref<{ column: Column; descending: boolean } | null>(COMPARE_DEFAULTS.sortBy);
  const exportFormat = ref<ExportFormat>(COMPARE_DEFAULTS.exportFormat);
  const exportStyle = ref<CellStyle>(COMPARE_DEFAULTS.exportStyle);

  /** The whole screen as a link's query (see compare-url.ts). */
  const query = computed(() =>
    compareQuery({
      selected: picked.value ? selected.value : null,
      metric: metric.value,
      datagrp: datagrp.value,
      showDelta: showDelta.value,
      reference: reference.value,
      sortBy: sortBy.value,
      exportFormat: exportFormat.value,
      exportStyle: exportStyle.value,
    }),
  );

  /**
   * Sets what a link carries. A link with a screen in it is the whole screen (what it leaves out is a
   * default, and without `sel` the selection follows the data); a bare `#/compare` takes the settings
   * remembered for the data folder on the first visit and keeps the screen on later ones (a selection
   * made elsewhere, as HParams' "Compare selected", stays).
   */
  const preferences = usePreferencesStore();
  let visited = false;
  async function applyQuery(q: Record<string, string>): Promise<void> {
    const remembered = (await preferences.load()).compare ?? {};
    const bare = Object.keys(q).length === 0;
    if (bare && visited) return;
    visited = true;
    const parsed = { ...COMPARE_DEFAULTS, ...parseCompareQuery(bare ? pick(remembered, COMPARE_REMEMBERED) : q) };
    metric.value = parsed.metric;
    datagrp.value = parsed.datagrp;
    showDelta.value = parsed.showDelta;
    reference.value = parsed.reference;
    sortBy.value = parsed.sortBy;
    exportFormat.value = parsed.exportFormat;
    exportStyle.value = parsed.exportStyle;
    if (!bare) {
      picked.value = parsed.selected !== null;
      if (parsed.selected !== null) selected.value = parsed.selected;
    }
  }

  watch(query, (q) => {
    if (visited) preferences.remember('compare', pick(q, COMPARE_REMEMBERED));
  });

  const selection = computed(() =>
    datasets.value.map((d) => ({
      dataset: d,
      groups: d.groups.filter((g) => selected.value[d.dataset]?.includes(g.id)),
    })),
  );

  const comparisons = computed((): { value: Comparison[]; error: string | null } => {
    try {
      const value = compareSelection(selection.value, runs.value, {
        metric: { datagrp: datagrp.value, metric: metric.value },
        reference: reference.value || null,
        sortBy: sortBy.value,
      });
      return { value, error: null };
    } catch (e) {
      // Two chosen rows with one name (a config group's generated name taken by an experiment).
      return { value: [], error: errorMessage(e) };
    }
  });

  /** Fetches the chosen runs not here yet; `afresh`: all of them, replacing what is here once they arrive. */
  async function fetchRuns(afresh = false): Promise<void> {
    const ids = runIdsOf(selection.value).filter((id) => afresh || !runs.value.has(id));
    const fetched = ids.length === 0 ? [] : await client.api.getComparisonRuns({ runIds: ids });
    if (fetched.length === 0 && !afresh) return;
    const next = new Map(afresh ? [] : runs.value);
    for (const run of fetched) next.set(run.id, run);
    runs.value = next;
  }

  async function load(): Promise<void> {
    try {
      datasets.value = await client.api.listComparisonGroups({});
      selected.value = picked.value ? pruneSelection(selected.value, datasets.value) : defaultSelection(datasets.value);
      // A deleted run's id can be given to a new run: fetch the chosen runs afresh. The old ones stay
      // until then, so the tables do not flash empty ("no runs") on every run that finishes.
      await fetchRuns(true);
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loaded.value = true;
    }
  }

  async function choose(dataset: string, ids: string[]): Promise<void> {
    picked.value = true;
    selected.value = { ...selected.value, [dataset]: ids };
    try {
      await fetchRuns();
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  function toggleGroup(dataset: string, id: string, on: boolean): Promise<void> {
    const current = selected.value[dataset] ?? [];
    return choose(dataset, on ? [...current, id] : current.filter((x) => x !== id));
  }

  /** On: the dataset's named experiments; off: nothing of it. */
  function toggleDataset(dataset: string, on: boolean): Promise<void> {
    const d = datasets.value.find((x) => x.dataset === dataset);
    return choose(dataset, on && d ? (defaultSelection([d])[dataset] ?? []) : []);
  }

  /** A column header click: best first, then worst first; the Experiment header restores the chosen order. */
  function sort(column: Column | null): void {
    if (column === null) sortBy.value = null;
    else if (sortBy.value?.column === column) sortBy.value = { column, descending: !sortBy.value.descending };
    else sortBy.value = { column, descending: true };
  }

  /** Shows exactly these configs of a dataset (from HParams): their config groups, or the experiment a config is. */
  async function showConfigs(dataset: string, configHashes: readonly string[]): Promise<void> {
    if (!loaded.value) await load();
    const d = datasets.value.find((x) => x.dataset === dataset);
    const groups = d?.groups ?? [];
    const ids = configHashes.flatMap((hash) => {
      const group =
        groups.find((g) => g.kind === 'config' && g.configHashes[0] === hash) ??
        groups.find((g) => g.configHashes.length === 1 && g.configHashes[0] === hash);
      return group ? [group.id] : [];
    });
    await choose(dataset, ids);
  }

  /** Shows the configs of these runs (the Runs view's selection) on each of their datasets, and nothing of the others. */
  async function showRuns(list: readonly { dataset: string; configHash: string }[]): Promise<void> {
    await load();
    for (const d of datasets.value)
      await showConfigs(d.dataset, [...new Set(list.filter((r) => r.dataset === d.dataset).map((r) => r.configHash))]);
  }

  const watchEvents = reloadOnFinishedRuns(client, () => void load());

  return {
    datasets,
    selected,
    loaded,
    error,
    metric,
    datagrp,
    showDelta,
    reference,
    sortBy,
    exportFormat,
    exportStyle,
    comparisons,
    query,
    applyQuery,
    load,
    toggleGroup,
    toggleDataset,
    showConfigs,
    showRuns,
    sort,
    watchEvents,
  };
});
