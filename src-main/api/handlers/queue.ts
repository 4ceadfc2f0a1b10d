/** Where runs train: this machine's queue or distributed workers, and the saved setting. */
import type { Api, QueueInfo } from '../../../src-shared/api.ts';
import { redactRedisUrl } from '../../distributed/redis.ts';
import { readSettings, writeSettings } from '../../settings.ts';
import type { Handlers } from './context.ts';

export function queueHandlers(h: Handlers): Pick<Api, 'getQueueInfo' | 'setQueueSetting'> {
  async function queueInfo(): Promise<QueueInfo> {
    const saved = readSettings().queue;
    return { ...(await h.queue.info()), setting: saved === null ? null : redactRedisUrl(saved) };
  }

  return {
    async getQueueInfo() {
      return queueInfo();
    },

    async setQueueSetting({ redis }) {
      writeSettings({ queue: redis });
      return queueInfo();
    },
  };
}
