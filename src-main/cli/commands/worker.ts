import path from 'node:path';
import { startDistributedWorker } from '../../distributed/worker.ts';
import { redactRedisUrl } from '../../distributed/redis.ts';
import { appDataDir } from '../../paths.ts';
import { getNumber, getString, requireString, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { redisUrlOf } from '../queue-cli.ts';
import { stopSignal } from '../signals.ts';
import { BACKEND_FLAG, backendOf } from '../engine-cli.ts';

export const command: Command = {
  spec: {
    name: 'worker',
    summary:
      "Train runs of distributed workbenches: take runs from the BullMQ queue on a Redis, train them with this machine's " +
      'data and caches, and send every epoch and the result back to the workbench that queued them.',
    usage:
      'alphanet worker --redis redis://[:PASSWORD@]HOST:6379 [--concurrency N] [--config datasets.toml] [--name W]',
    flags: [
      {
        name: 'redis',
        kind: 'string',
        help: 'the Redis the coordinators queue runs on (redis://, or rediss:// for TLS; :PASSWORD@ for AUTH)',
      },
      { name: 'concurrency', kind: 'integer', help: 'runs trained at once, each on its own thread', default: '1' },
      {
        name: 'config',
        kind: 'string',
        help: "this machine's datasets.toml (default: ./config/datasets.toml, then the registry: datasets.toml in the data folder); its datasets must be the coordinator's, byte for byte",
      },
      { name: 'name', kind: 'string', help: 'the name coordinators show for this worker (default: HOST-PID)' },
      {
        name: 'cache-dir',
        kind: 'string',
        help: 'folder for the caches: converted features, pretrained scores, class means, neighbours (default: the app cache)',
      },
      BACKEND_FLAG,
      {
        name: 'lock-ms',
        kind: 'integer',
        help: 'how long a run stays with a worker that stopped answering before another worker takes it over (milliseconds)',
        default: '30000',
      },
    ],
  },
  async run(args, io) {
    const redisUrl = redisUrlOf('redis', requireString(args, 'redis'));
    const concurrency = getNumber(args, 'concurrency') ?? 1;
    if (concurrency < 1) throw new UsageError(`--concurrency ${concurrency}: at least 1 run at a time`);
    const lockMs = getNumber(args, 'lock-ms') ?? 30_000;
    if (lockMs < 1000) throw new UsageError(`--lock-ms ${lockMs}: at least 1000`);
    const configFlag = getString(args, 'config');
    const cacheFlag = getString(args, 'cache-dir');
    const worker = await startDistributedWorker({
      redisUrl,
      name: getString(args, 'name'),
      concurrency,
      configFile: configFlag === undefined ? undefined : path.resolve(io.cwd, configFlag),
      cwd: io.cwd,
      cacheRoot: cacheFlag === undefined ? undefined : path.resolve(io.cwd, cacheFlag),
      workDir: path.join(appDataDir(), 'worker'),
      backend: backendOf(args),
      lockDurationMs: lockMs,
      stalledIntervalMs: lockMs,
      log: (line) => io.out(line),
    });
    const stopped = stopSignal();
    io.out(
      `worker ${worker.name} is taking runs from ${redactRedisUrl(redisUrl)} (${concurrency} at a time); Ctrl+C stops it`,
    );
    await stopped;
    io.out('stopping: runs training here go back to the queue');
    await worker.close();
    return 0;
  },
};
