import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { ApiEvent, RunCurves, RunSummary } from '../../../src-shared/api.ts';
import { useClient } from '../api/client.ts';
import { mergeCurves, type XAxisMode } from '../lib/curves.ts';
import { CURVES_DEFAULTS, curvesQuery, parseCurvesQuery } from '../lib/curves-url.ts';
import { errorMessage } from '../lib/format.ts';

/** Where the chart settings are remembered between sessions (per origin: one served data folder, or the desktop app). */
const PREFS_KEY = 'alphanet.curves.prefs';

function rememberedPrefs(): ReturnType<typeof parseCurvesQuery> {
  try {
    const raw: unknown = JSON.parse(window.localStorage.getItem(PREFS_KEY) ?? '{}');
    if (typeof raw !== 'object' || raw === null) return {};
    const query = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return parseCurvesQuery(query);
  } catch {
    return {};
  }
}

/** The curves dashboard's state: which runs, their series (refreshed live), and the chart settings. */
export const useCurvesStore = defineStore('curves', () => {
  const client = useClient();
  const runs = ref<RunSummary[]>([]);
  const selected = ref<number[]>([]);
  const curves = ref<Record<number, RunCurves>>({});
  const error = ref<string | null>(null);
  const loaded = ref(false);
  const prefs = { ...CURVES_DEFAULTS, ...rememberedPrefs() };
  const smoothing = ref(prefs.smoothing);
  const xAxis = ref<XAxisMode>(prefs.xAxis);
  const logY = ref(prefs.logY);
  const groupRepeats = ref(prefs.groupRepeats);
  const runFilter = ref('');
  /** Sections open: the α statistics, the single test point and the rest stay folded (and undrawn) until asked for. */
  const openGroups = ref<string[]>(prefs.openGroups);

  /** The whole screen as a link's query (see curves-url.ts). */
  const query = computed(() =>
    curvesQuery({
      runs: selected.value,
      smoothing: smoothing.value,
      xAxis: xAxis.value,
      logY: logY.value,
      groupRepeats: groupRepeats.value,
      openGroups: openGroups.value,
      runFilter: runFilter.value,
    }),
  );

  /** Sets what a link carries; the runs are selected (and fetched) by the caller. */
  function applyQuery(q: Record<string, string>): number[] | undefined {
    const parsed = parseCurvesQuery(q);
    if (parsed.smoothing !== undefined) smoothing.value = parsed.smoothing;
    if (parsed.xAxis !== undefined) xAxis.value = parsed.xAxis;
    if (parsed.logY !== undefined) logY.value = parsed.logY;
    if (parsed.groupRepeats !== undefined) groupRepeats.value = parsed.groupRepeats;
    if (parsed.openGroups !== undefined) openGroups.value = parsed.openGroups;
    if (parsed.runFilter !== undefined) runFilter.value = parsed.runFilter;
    return parsed.runs;
  }

  // The chart settings (not the runs, which belong to one data folder's moment) outlive the session.
  watch([smoothing, xAxis, logY, groupRepeats, openGroups], () => {
    const { runs: _runs, filter: _filter, ...settings } = query.value;
    try {
      window.localStorage.setItem(PREFS_KEY, JSON.stringify(settings));
    } catch {
      // Storage full or disabled: the settings still live in the link.
    }
  });

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
    query,
    applyQuery,
    loadRuns,
    select,
    toggle,
    watchEvents,
  };
});
