/**
 * Connections to the Redis that carries distributed runs (BullMQ's queues live there). `redis://` and
 * `rediss://` (TLS) URLs, with `redis://:PASSWORD@host:port/db` or `redis://USER:PASSWORD@…` for AUTH.
 */
import { Redis } from 'ioredis';
import { UserError } from '../errors.ts';

/** Checks a `--redis` / `--queue` value; returns it unchanged. */
export function checkRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(
      `'${url}' is not a Redis URL (expected redis://[:PASSWORD@]HOST[:PORT][/DB] or rediss://… for TLS)`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UserError(
      `'${redactRedisUrl(url)}': the scheme must be redis:// or rediss:// (TLS), not ${parsed.protocol}//`,
    );
  }
  if (!parsed.hostname) throw new UserError(`'${redactRedisUrl(url)}' names no host`);
  return url;
}

/** The URL with its password replaced, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/**
 * The connections of one component, closed together. BullMQ never closes a connection it is given,
 * and an open one keeps the process alive. `maxRetriesPerRequest: null` (required by BullMQ's
 * blocking connections) also lets every command wait through a Redis restart while ioredis
 * reconnects, instead of failing; `rediss://` turns on TLS.
 */
export class RedisConnections {
  private readonly open: Redis[] = [];

  constructor(
    private readonly url: string,
    private readonly onError: (error: Error) => void,
  ) {
    checkRedisUrl(url);
  }

  connect(): Redis {
    const connection = new Redis(this.url, { maxRetriesPerRequest: null });
    // Refused connections while Redis restarts are expected; ioredis keeps retrying.
    connection.on('error', this.onError);
    this.open.push(connection);
    return connection;
  }

  async close(): Promise<void> {
    await Promise.all(this.open.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  }
}

/** Logs a Redis error once per kind until the connection is back (a restart would print one per retry). */
export function quietErrors(log: (line: string) => void): (error: Error) => void {
  let last = '';
  return (error) => {
    if (error.message === last) return;
    last = error.message;
    log(`redis: ${error.message}`);
  };
}
