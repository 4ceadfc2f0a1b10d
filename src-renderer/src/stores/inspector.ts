import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { InspectableExperiment } from '../../../src-shared/api.ts';
import type { InspectorData } from '../../../src-shared/inspector.ts';
import { useClient } from '../api/client.ts';
import { errorMessage } from '../lib/format.ts';
import { reloadOnFinishedRuns } from '../lib/run-events.ts';
import type { Remote } from './datasets.ts';

/** The experiment's identity for the data it shows: a new finished run or baseline asks main again. */
export const inspectorKey = (e: InspectableExperiment): string =>
  JSON.stringify([e.dataset, e.experiment, e.configHash, e.runIds, e.baselineRunId]);

/** Which experiment (and config of a sweep), whatever its runs: a new run set replaces the data shown for it. */
export const experimentKey = (e: InspectableExperiment): string =>
  JSON.stringify([e.dataset, e.experiment, e.configHash]);

/** The Inspector's state: the experiments it can open (kept current) and the data of those opened. */
export const useInspectorStore = defineStore('inspector', () => {
  const client = useClient();
  const experiments = ref<InspectableExperiment[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const data = ref<Record<string, Remote<InspectorData>>>({});
  /** Per dataset and experiment, the newest data fetched: shown while a changed run set is recomputed. */
  const latest = ref<Record<string, InspectorData>>({});

  async function loadList(): Promise<void> {
    try {
      experiments.value = await client.api.listInspectable({});
      // Data of a run set no longer listed (a run finished or was deleted since) is never shown again;
      // without this every finished run of a sweep would leave a copy of the experiment's data behind.
      const listed = new Set(experiments.value.map(inspectorKey));
      for (const key of Object.keys(data.value)) if (!listed.has(key)) delete data.value[key];
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loaded.value = true;
    }
  }

  /** Fetches an experiment's data unless it is here or on its way; `retry` asks again after a failure. */
  async function open(e: InspectableExperiment, retry = false): Promise<void> {
    const key = inspectorKey(e);
    const have = data.value[key];
    if (have && (have.state !== 'error' || !retry)) return;
    data.value[key] = { state: 'loading' };
    try {
      const value = await client.api.getInspector({
        dataset: e.dataset,
        experiment: e.experiment,
        ...(e.configHash === null ? {} : { configHash: e.configHash }),
      });
      data.value[key] = { state: 'ok', value };
      latest.value[experimentKey(e)] = value;
    } catch (err) {
      data.value[key] = { state: 'error', error: errorMessage(err) };
    }
  }

  // Runs that finish or disappear change what can be inspected.
  const watchEvents = reloadOnFinishedRuns(client, () => void loadList());

  return { experiments, loaded, error, data, latest, loadList, open, watchEvents };
});
