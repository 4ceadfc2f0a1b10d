import { defineStore } from 'pinia';
import type { PreferenceScope, Preferences } from '../../../src-shared/api.ts';
import { useClient } from '../api/client.ts';

/** Settings are saved this long after the last change: a slider being dragged saves once. */
const SAVE_DELAY_MS = 400;

/**
 * The view settings remembered for the data folder (the API's preferences.json): read once, then
 * written a moment after each change. Without them (an older server, a read-only folder) the views
 * start from their defaults; the link still carries the screen.
 */
export const usePreferencesStore = defineStore('preferences', () => {
  const client = useClient();
  let remembered: Preferences = {};
  let loading: Promise<Preferences> | null = null;
  const timers = new Map<PreferenceScope, ReturnType<typeof setTimeout>>();

  function load(): Promise<Preferences> {
    loading ??= client.api.getPreferences({}).then(
      (p) => (remembered = p),
      () => remembered,
    );
    return loading;
  }

  function remember(scope: PreferenceScope, values: Record<string, string>): void {
    const before = remembered[scope] ?? {};
    const same =
      Object.keys(values).length === Object.keys(before).length &&
      Object.entries(values).every(([k, v]) => before[k] === v);
    if (same) return;
    remembered = { ...remembered, [scope]: values };
    clearTimeout(timers.get(scope));
    timers.set(
      scope,
      setTimeout(() => {
        timers.delete(scope);
        // A failed save loses only a remembered setting; the screen itself is in the link.
        client.api.setPreferences({ scope, values }).catch(() => undefined);
      }, SAVE_DELAY_MS),
    );
  }

  return { load, remember };
});
