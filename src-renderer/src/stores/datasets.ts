import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AddDatasetRequest, BaselineSummary, DatasetSummary } from '../../../src-shared/api.ts';
import type { DatasetReport } from '../../../src-shared/dataset.ts';
import { useClient } from '../api/client.ts';
import { errorMessage } from '../lib/format.ts';

/** A value being fetched: absent, loading, loaded, or failed with the reason. */
export type Remote<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; error: string };

export const useDatasetsStore = defineStore('datasets', () => {
  const { api } = useClient();
  const list = ref<DatasetSummary[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const reports = ref<Record<string, Remote<DatasetReport>>>({});
  const baselines = ref<Record<string, Remote<BaselineSummary>>>({});

  let loads = 0;
  /** Loads overlap (an event and an action's own reload): only the last one started is taken. */
  async function load(): Promise<void> {
    const mine = ++loads;
    try {
      const fetched = await api.listDatasets({});
      if (mine !== loads) return;
      list.value = fetched;
      error.value = null;
    } catch (e) {
      if (mine === loads) error.value = errorMessage(e);
    } finally {
      loaded.value = true;
    }
  }

  /** Adds datasets and returns their keys; throws with the reason on failure. */
  async function add(request: AddDatasetRequest): Promise<string[]> {
    const added = await api.addDataset(request);
    await load();
    return added.map((d) => d.key);
  }

  /** Removes a dataset from the app and the registry; its runs stay. */
  async function remove(key: string): Promise<void> {
    await api.removeDataset({ key });
    delete reports.value[key];
    delete baselines.value[key];
    await load();
  }

  async function fetchInto<T>(target: Record<string, Remote<T>>, key: string, get: () => Promise<T>): Promise<void> {
    target[key] = { state: 'loading' };
    try {
      target[key] = { state: 'ok', value: await get() };
    } catch (e) {
      target[key] = { state: 'error', error: errorMessage(e) };
    }
  }

  let unsubscribe: (() => void) | null = null;
  /** Another window (or the CLI through the server) may add datasets. */
  function watchEvents(): void {
    unsubscribe ??= useClient().onEvent((event) => {
      if (event.type === 'datasets-changed') void load();
    });
  }

  const loadReport = (key: string) => fetchInto(reports.value, key, () => api.getDatasetReport({ key }));
  const computeBaseline = (key: string) => fetchInto(baselines.value, key, () => api.computeBaseline({ key }));

  return { list, loaded, error, reports, baselines, load, add, remove, loadReport, computeBaseline, watchEvents };
});
