import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ApiEvent, RunCurves, RunSummary } from '../../../src-shared/api.ts';
import { useClient } from '../api/client.ts';
import { mergeCurves, type XAxisMode } from '../lib/curves.ts';
import { errorMessage } from '../lib/format.ts';

/** The curves dashboard's state: which runs, their series (refreshed live), and the chart settings. */
export const useCurvesStore = defineStore('curves', () => {
  const client = useClient();
  const runs = ref<RunSummary[]>([]);
  const selected = ref<number[]>([]);
  const curves = ref<Record<number, RunCurves>>({});
  const error = ref<string | null>(null);
  const loaded = ref(false);
  const smoothing = ref(0.6);
  const xAxis = ref<XAxisMode>('step');
  const logY = ref(false);
  const groupRepeats = ref(false);
  const runFilter = ref('');
  /** Sections open: the α statistics, the single test point and the rest stay folded (and undrawn) until asked for. */
  const openGroups = ref<string[]>(['loss', 'validation']);

  const trainRuns = computed(() => runs.value.filter((r) => r.kind === 'train'));

  async function loadRuns(): Promise<void> {
    try {
      runs.value = await client.api.listRuns({});
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loaded.value = true;
    }
  }

  async function fetchCurves(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      for (const c of await client.api.getCurves({ runIds: ids })) curves.value[c.runId] = mergeCurves(curves.value[c.runId], c);
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  async function select(ids: number[]): Promise<void> {
    selected.value = [...new Set(ids)];
    await fetchCurves(selected.value.filter((id) => !(id in curves.value)));
  }

  async function toggle(id: number, on: boolean): Promise<void> {
    await select(on ? [...selected.value, id] : selected.value.filter((x) => x !== id));
  }

  // Live updates: refetch a selected run's curves when it writes an epoch or changes status.
  const pending = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  function refreshSoon(id: number): void {
    pending.add(id);
    timer ??= setTimeout(() => {
      timer = null;
      const ids = [...pending].filter((x) => selected.value.includes(x));
      pending.clear();
      void fetchCurves(ids);
      void loadRuns();
    }, 300);
  }

  function onEvent(event: ApiEvent): void {
    if (event.type === 'epoch' || event.type === 'status') refreshSoon(event.runId);
    else if (event.type === 'runs-changed') void loadRuns();
  }

  let unsubscribe: (() => void) | null = null;
  function watchEvents(): void {
    unsubscribe ??= client.onEvent(onEvent);
  }

  return {
    runs,
    trainRuns,
    selected,
    curves,
    error,
    loaded,
    smoothing,
    xAxis,
    logY,
    groupRepeats,
    runFilter,
    openGroups,
    loadRuns,
    select,
    toggle,
    watchEvents,
  };
});
