/**
 * The workbench's settings file (`settings.json` in the app's data folder), shared by the desktop app
 * and served mode: where runs train (`queue`: a Redis URL for distributed workers, or null for this
 * machine). A setting changed from the app applies at the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkRedisUrl } from './distributed/redis.ts';
import { appDataDir } from './paths.ts';
import { UserError } from './errors.ts';

export interface Settings {
  queue: string | null;
}

export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(appDataDir(env), 'settings.json');
}

export function readSettings(file: string = settingsFile()): Settings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { queue: null };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not JSON (${(error as Error).message}); fix or delete it`);
  }
  const queue = (raw as { queue?: unknown } | null)?.queue;
  if (queue !== undefined && queue !== null && typeof queue !== 'string')
    throw new UserError(`${file}: "queue" must be a Redis URL or null`);
  return { queue: typeof queue === 'string' && queue.trim() !== '' ? checkRedisUrl(queue) : null };
}

export function writeSettings(settings: Settings, file: string = settingsFile()): void {
  if (settings.queue !== null) checkRedisUrl(settings.queue);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
