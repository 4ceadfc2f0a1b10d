import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import type { ApiEvent, RunCurves, RunSummary } from '../../../src-shared/api.ts';
import { useClient } from '../api/client.ts';
import { mergeCurves, type XAxisMode } from '../lib/curves.ts';
import { CURVES_DEFAULTS, curvesQuery, parseCurvesQuery } from '../lib/curves-url.ts';
import { errorMessage } from '../lib/format.ts';
import { pick } from '../lib/view-link.ts';
import { usePreferencesStore } from './preferences.ts';

/** The settings remembered for the data folder (the runs belong to one moment of it, the filter to one look). */
const REMEMBERED: readonly string[] = ['smoothing', 'x', 'logy', 'group', 'open'];

/** The curves dashboard's state: which runs, their series (refreshed live), and the chart settings. */
export const useCurvesStore = defineStore('curves', () => {
  const client = useClient();
  const runs = ref<RunSummary[]>([]);
  const selected = ref<number[]>([]);
  /**
   * Each run's points, not made reactive: a deep proxy over 20 runs' thousands of points made every
   * read of the charts' data a proxy trap. A fetch replaces the record, which is what views watch.
   */
  const curves = shallowRef<Readonly<Record<number, RunCurves>>>({});
  const error = ref<string | null>(null);
  const loaded = ref(false);
  const preferences = usePreferencesStore();
  const smoothing = ref(CURVES_DEFAULTS.smoothing);
  const xAxis = ref<XAxisMode>(CURVES_DEFAULTS.xAxis);
  const logY = ref(CURVES_DEFAULTS.logY);
  const groupRepeats = ref(CURVES_DEFAULTS.groupRepeats);
  const runFilter = ref('');
  /** Sections open: the α statistics, the single test point and the rest stay folded (and undrawn) until asked for. */
  const openGroups = ref<string[]>(CURVES_DEFAULTS.openGroups);

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

  /**
   * Sets what a link carries; the runs are selected (and fetched) by the caller. A link with a screen
   * in it is the whole screen (what it leaves out is a default); a bare `#/curves` first takes the
   * remembered settings (only on the first visit: later ones keep the screen as it was left).
   */
  let visited = false;
  async function applyQuery(q: Record<string, string>): Promise<number[] | undefined> {
    const remembered = (await preferences.load()).curves ?? {};
    const base = Object.keys(q).length > 0 ? {} : visited ? query.value : remembered;
    visited = true;
    const parsed = { ...CURVES_DEFAULTS, ...parseCurvesQuery(base), ...parseCurvesQuery(q) };
    smoothing.value = parsed.smoothing;
    xAxis.value = parsed.xAxis;
    logY.value = parsed.logY;
    groupRepeats.value = parsed.groupRepeats;
    openGroups.value = parsed.openGroups;
    runFilter.value = parsed.runFilter;
    return parsed.runs;
  }

  watch(query, (q) => {
    if (visited) preferences.remember('curves', pick(q, REMEMBERED));
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

  /** Curves requests in flight, by run: a selection waits for one instead of asking again. */
  const inflight = new Map<number, Promise<void>>();

  async function fetchCurves(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const request = (async () => {
      try {
        const next = { ...curves.value };
        for (const c of await client.api.getCurves({ runIds: ids }))
          next[c.runId] = markRaw(mergeCurves(next[c.runId], c));
        curves.value = next;
        error.value = null;
      } catch (e) {
        error.value = errorMessage(e);
      }
    })();
    for (const id of ids) inflight.set(id, request);
    try {
      await request;
    } finally {
      for (const id of ids) if (inflight.get(id) === request) inflight.delete(id);
    }
  }

  async function select(ids: number[]): Promise<void> {
    const next = [...new Set(ids)];
    // The same selection again (each visit re-selects) keeps its array: nothing on screen is rebuilt.
    if (next.length !== selected.value.length || next.some((id, i) => id !== selected.value[i])) selected.value = next;
    const waiting = new Set(selected.value.flatMap((id) => inflight.get(id) ?? []));
    await Promise.all([
      fetchCurves(selected.value.filter((id) => !(id in curves.value) && !inflight.has(id))),
      ...waiting,
    ]);
  }

  /** What Curves shows first: the newest experiment's runs, as a researcher usually wants what just ran. */
  function newestExperiment(): number[] {
    if (trainRuns.value.length === 0) return [];
    const newest = trainRuns.value.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
    return trainRuns.value
      .filter((r) => r.experiment === newest.experiment && r.dataset === newest.dataset)
      .map((r) => r.id);
  }

  /**
   * The runs and the curves Curves would open with, fetched while the app is idle after start (main.ts),
   * so that opening Curves only draws: the two requests were ~35 % of its first opening with 20 runs.
   */
  async function prefetch(): Promise<void> {
    // The events keep the list current from now on, so a later visit can take it as it is.
    watchEvents();
    if (!loaded.value) await loadRuns();
    // Selected now, as the first visit would: the view then renders its charts in its first pass.
    if (selected.value.length === 0) await select(newestExperiment());
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
    newestExperiment,
    prefetch,
    watchEvents,
  };
});
