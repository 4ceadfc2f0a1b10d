/** Runs `task` once the page is idle (at the latest after `timeoutMs`): work that must not delay the first screen. */
export function whenIdle(task: () => void, timeoutMs = 5000): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(task, { timeout: timeoutMs });
  else setTimeout(task, 1000);
}
