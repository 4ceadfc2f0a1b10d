import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../../src-shared/api.ts';
import { finishedRunsChanged, reloadOnFinishedRuns } from './run-events.ts';

describe('reloading when runs finish', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts ended runs and added or deleted ones, not progress', () => {
    expect(finishedRunsChanged({ type: 'runs-changed' })).toBe(true);
    for (const status of ['done', 'failed', 'cancelled', 'interrupted'] as const) {
      expect(finishedRunsChanged({ type: 'status', runId: 1, status, error: null })).toBe(true);
    }
    expect(finishedRunsChanged({ type: 'status', runId: 1, status: 'running', error: null })).toBe(false);
    expect(finishedRunsChanged({ type: 'status', runId: 1, status: 'queued', error: null })).toBe(false);
    expect(finishedRunsChanged({ type: 'epoch', runId: 1, epoch: 3 })).toBe(false);
    expect(finishedRunsChanged({ type: 'datasets-changed' })).toBe(false);
  });

  it('reloads once per burst, subscribes once however often started', () => {
    const listeners: Array<(event: ApiEvent) => void> = [];
    const client = { onEvent: (l: (event: ApiEvent) => void) => (listeners.push(l), () => undefined) };
    const reload = vi.fn();
    const start = reloadOnFinishedRuns(client, reload, 300);
    start();
    start();
    expect(listeners).toHaveLength(1);
    const emit = (event: ApiEvent) => listeners.forEach((l) => l(event));
    for (let id = 1; id <= 10; id++) emit({ type: 'status', runId: id, status: 'done', error: null });
    emit({ type: 'epoch', runId: 11, epoch: 1 });
    expect(reload).not.toHaveBeenCalled();
    vi.advanceTimersByTime(300);
    expect(reload).toHaveBeenCalledTimes(1);
    emit({ type: 'epoch', runId: 11, epoch: 2 });
    vi.advanceTimersByTime(1000);
    expect(reload).toHaveBeenCalledTimes(1);
    emit({ type: 'runs-changed' });
    vi.advanceTimersByTime(300);
    expect(reload).toHaveBeenCalledTimes(2);
  });
});
