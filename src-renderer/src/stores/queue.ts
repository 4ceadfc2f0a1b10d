import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { QueueInfo } from '../../../src-shared/api.ts';
import { useClient } from '../api/client.ts';
import { errorMessage } from '../lib/format.ts';

/** Workers announce themselves every few seconds; the panel refreshes as often while it is shown. */
const REFRESH_MS = 5000;

/** Where runs train (this machine or distributed workers) and the live workers, for the Workers panel. */
export const useQueueStore = defineStore('queue', () => {
  const client = useClient();
  const info = ref<QueueInfo | null>(null);
  const error = ref<string | null>(null);
  let timer: ReturnType<typeof setInterval> | null = null;

  async function load(): Promise<void> {
    try {
      info.value = await client.api.getQueueInfo({});
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** Saves the Redis URL (or null: this machine) for the next start; throws the API's error for the form. */
  async function save(redis: string | null): Promise<void> {
    info.value = await client.api.setQueueSetting({ redis });
  }

  function watch(): () => void {
    void load();
    timer ??= setInterval(() => void load(), REFRESH_MS);
    return () => {
      if (timer) clearInterval(timer);
      timer = null;
    };
  }

  return { info, error, load, save, watch };
});
