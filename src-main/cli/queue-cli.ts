/** The `--queue` flag of the commands that queue runs (serve, train): this machine, or distributed workers. */
import { checkRedisUrl } from '../distributed/redis.ts';
import { UserError } from '../errors.ts';
import { getString, UsageError, type FlagSpec, type ParsedArgs } from './args.ts';

export const QUEUE_FLAG: FlagSpec = {
  name: 'queue',
  kind: 'string',
  help:
    'train on distributed workers (alphanet worker) through this Redis: redis://[:PASSWORD@]HOST:6379, rediss:// for TLS ' +
    '(default: the app\'s setting, else this machine; "" for this machine)',
};

/** A Redis URL flag's value, checked (a usage error names the flag). */
export function redisUrlOf(flag: string, value: string): string {
  try {
    return checkRedisUrl(value);
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as UserError).message}`);
  }
}

/** The Redis URL, null for this machine, undefined for the app's setting. */
export function queueArg(args: ParsedArgs): string | null | undefined {
  const value = getString(args, 'queue');
  if (value === undefined) return undefined;
  return value.trim() === '' ? null : redisUrlOf('queue', value);
}
