import type { ApiEvent } from '../../../src-shared/api.ts';
import type { ApiClient } from '../api/client.ts';

/** Whether an event means the set of finished runs changed: a run ended (any way) or runs were added or deleted. */
export function finishedRunsChanged(event: ApiEvent): boolean {
  return (
    event.type === 'runs-changed' ||
    (event.type === 'status' && event.status !== 'queued' && event.status !== 'running')
  );
}

/**
 * Calls `reload` once after a burst of events that change the finished runs (a sweep ends many at
 * once), `delayMs` after the first. Returns a starter that subscribes once, however often it is called.
 */
export function reloadOnFinishedRuns(
  client: Pick<ApiClient, 'onEvent'>,
  reload: () => void,
  delayMs = 300,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;
  const onEvent = (event: ApiEvent): void => {
    if (!finishedRunsChanged(event)) return;
    timer ??= setTimeout(() => {
      timer = null;
      reload();
    }, delayMs);
  };
  return () => {
    unsubscribe ??= client.onEvent(onEvent);
  };
}
