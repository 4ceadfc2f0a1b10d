import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Column, EvalDatagrp } from '../../../src-shared/compare.ts';
import type { CompareDataset, CompareGroup, CompareRun } from '../../../src-shared/compare-groups.ts';
import { hparamsTable, type HParamsTable } from '../../../src-shared/hparams.ts';
import { useClient } from '../api/client.ts';
import { errorMessage } from '../lib/format.ts';
import { reloadOnFinishedRuns } from '../lib/run-events.ts';

/** A sweep the view can show: an experiment whose finished runs have several configs. */
export interface SweepChoice {
  dataset: CompareDataset;
  group: CompareGroup;
}

/** The HParams view's state: the recorded sweeps, the chosen one's runs (refetched as runs finish) and the settings. */
export const useHParamsStore = defineStore('hparams', () => {
  const client = useClient();
  const datasets = ref<CompareDataset[]>([]);
  const runs = ref<CompareRun[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  /** `dataset\0experiment` of the chosen sweep; '' = the newest. */
  const chosen = ref('');
  const datagrp = ref<EvalDatagrp>('test');
  /** The metric column the table sorts by and the scatter plots. */
  const column = ref<Column>('few');
  /** The scatter's parameter (a config path); '' = the sweep's first. */
  const xParam = ref('');

  const sweeps = computed((): SweepChoice[] =>
    datasets.value.flatMap((dataset) =>
      dataset.groups
        .filter((g) => g.kind === 'experiment' && g.configHashes.length > 1)
        .map((group) => ({ dataset, group })),
    ),
  );
  const keyOf = (s: SweepChoice) => `${s.dataset.dataset}\u0000${s.group.name}`;
  const current = computed(
    () =>
      sweeps.value.find((s) => keyOf(s) === chosen.value) ??
      [...sweeps.value].sort((a, b) => Math.max(...b.group.runIds) - Math.max(...a.group.runIds))[0] ??
      null,
  );
  const table = computed((): HParamsTable => hparamsTable(runs.value, { datagrp: datagrp.value, metric: 'top1' }));

  async function fetchRuns(): Promise<void> {
    const ids = current.value?.group.runIds ?? [];
    runs.value = ids.length === 0 ? [] : await client.api.getComparisonRuns({ runIds: ids });
  }

  async function load(): Promise<void> {
    try {
      datasets.value = await client.api.listComparisonGroups({});
      await fetchRuns();
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loaded.value = true;
    }
  }

  async function choose(dataset: string, experiment: string): Promise<void> {
    chosen.value = `${dataset}\u0000${experiment}`;
    xParam.value = '';
    try {
      await fetchRuns();
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  const watchEvents = reloadOnFinishedRuns(client, () => void load());

  return { datasets, runs, loaded, error, datagrp, column, xParam, sweeps, current, table, load, choose, watchEvents };
});
