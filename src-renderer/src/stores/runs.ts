import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiEvent, RunFilter, RunSummary } from '../../../src-shared/api.ts';
import { useClient } from '../api/client.ts';
import { errorMessage } from '../lib/format.ts';

/** The run list shown by the Runs view, kept live from the event stream. */
export const useRunsStore = defineStore('runs', () => {
  const client = useClient();
  const runs = ref<RunSummary[]>([]);
  const filter = ref<RunFilter>({});
  const loaded = ref(false);
  const error = ref<string | null>(null);
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;

  async function load(): Promise<void> {
    try {
      runs.value = await client.api.listRuns({ ...filter.value });
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loaded.value = true;
    }
  }

  /** Many events can arrive at once (a sweep queues dozens of runs): reload once for all of them. */
  function reloadSoon(): void {
    reloadTimer ??= setTimeout(() => {
      reloadTimer = null;
      void load();
    }, 150);
  }

  function onEvent(event: ApiEvent): void {
    if (event.type === 'progress') {
      const run = runs.value.find((r) => r.id === event.runId);
      if (!run) return reloadSoon();
      const { type: _type, runId: _runId, status, ...progress } = event;
      run.status = status;
      run.progress = progress;
      run.epochsDone = Math.max(run.epochsDone, progress.epoch - 1);
      run.loading = null;
    } else if (event.type === 'loading') {
      const run = runs.value.find((r) => r.id === event.runId);
      if (!run) return reloadSoon();
      run.status = 'running';
      run.loading = { stage: event.stage, done: event.done, total: event.total };
    } else if (event.type === 'status' || event.type === 'runs-changed' || event.type === 'epoch') {
      reloadSoon();
    }
  }

  let unsubscribe: (() => void) | null = null;
  function watchEvents(): void {
    unsubscribe ??= client.onEvent(onEvent);
  }

  async function act(action: () => Promise<unknown>): Promise<void> {
    await action();
    await load();
  }

  return {
    runs,
    filter,
    loaded,
    error,
    load,
    watchEvents,
    cancel: (id: number) => act(() => client.api.cancelRun({ id })),
    resume: (id: number) => act(() => client.api.resumeRun({ id })),
    rerun: (id: number) => act(() => client.api.rerun({ id })),
    remove: (id: number) => act(() => client.api.deleteRun({ id })),
    removeMany: (ids: number[]) => act(() => client.api.deleteRuns({ ids })),
    rerunMany: (ids: number[]) => act(() => client.api.rerunRuns({ ids })),
    tagMany: (ids: number[], change: { add?: string[]; remove?: string[] }) =>
      act(() => client.api.tagRuns({ ids, ...change })),
  };
});
