import path from 'node:path';
import { openWorkbench } from '../../api/workbench.ts';
import { appDataDir, appRoot } from '../../paths.ts';
import { defaultDbFile } from '../../store/db.ts';
import { createServer, isLoopback, listen, serverUrl } from '../../server/server.ts';
import { servedToken, TOKEN_FILE } from '../../server/token.ts';
import { ensureWebBuild } from '../../server/web-build.ts';
import { getBoolean, getNumber, getString, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { stopSignal } from '../signals.ts';
import { QUEUE_FLAG, queueArg } from '../queue-cli.ts';

export const command: Command = {
  spec: {
    name: 'serve',
    summary:
      'Serve the workbench to a browser: the built renderer and its API, with live run progress. Loopback only unless ' +
      `--allow-remote; every request needs the token in the printed URL (kept in the data folder's ${TOKEN_FILE} across restarts; --new-token replaces it).`,
    usage:
      'alphanet serve [--host 127.0.0.1] [--port N] [--db FILE] [--concurrency N] [--queue redis://HOST:6379] [--allow-remote] [--new-token] [--api-only]',
    flags: [
      { name: 'host', kind: 'string', help: 'address to bind', default: '127.0.0.1' },
      { name: 'port', kind: 'integer', help: 'port to listen on (0: any free port)', default: '8421' },
      {
        name: 'db',
        kind: 'string',
        help: 'the workbench database (default: workbench.sqlite in the app folder, shared with the app)',
      },
      {
        name: 'concurrency',
        kind: 'integer',
        help: 'runs trained at once (each on its own worker thread)',
        default: '1',
      },
      { name: 'allow-remote', kind: 'boolean', help: 'allow binding to an address other computers can reach' },
      QUEUE_FLAG,
      {
        name: 'new-token',
        kind: 'boolean',
        help: 'replace the kept token: every tab signed in before must sign in again',
      },
      {
        name: 'api-only',
        kind: 'boolean',
        help: 'serve the API without the browser UI (otherwise a missing web build is built first, or serve stops and names the command)',
      },
    ],
  },
  async run(args, io) {
    const host = getString(args, 'host') ?? '127.0.0.1';
    const port = getNumber(args, 'port') ?? 8421;
    if (port < 0 || port > 65535) throw new UsageError(`--port ${port} is not a port number (0–65535)`);
    const remote = !isLoopback(host);
    if (remote && !getBoolean(args, 'allow-remote')) {
      throw new UsageError(
        `--host ${host} is reachable from other computers; add --allow-remote if that is what you want`,
      );
    }
    const concurrency = getNumber(args, 'concurrency') ?? 1;
    if (concurrency < 1) throw new UsageError(`--concurrency ${concurrency}: at least 1 run at a time`);
    const dbArg = getString(args, 'db');
    const dbFile = dbArg === undefined ? defaultDbFile() : path.resolve(io.cwd, dbArg);
    const staticDir = getBoolean(args, 'api-only') ? null : ensureWebBuild(appRoot(), (line) => io.err(line));

    // Requests may only write under the data folder: a token holder must not place files anywhere.
    const workbench = openWorkbench({
      dbFile,
      cwd: io.cwd,
      concurrency,
      outputRoot: appDataDir(),
      queue: queueArg(args),
      log: (line) => io.err(line),
    });
    const { token, created } = servedToken(appDataDir(), getBoolean(args, 'new-token'));
    const server = createServer({ api: workbench.api, events: workbench.events, token, staticDir, host });
    let bound: number;
    try {
      bound = await listen(server, host, port);
    } catch (error) {
      await workbench.close();
      throw new UsageError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
    }
    // Listen for Ctrl+C before printing the URL: whoever reads it may stop the server at once.
    const stopped = stopSignal();
    if (remote) {
      io.err(
        `WARNING: serving on ${host}, reachable from other computers. Anyone with the token can read your runs and ` +
          'start training; the connection is not encrypted.',
      );
    }
    io.out(`AlphaNet Workbench is serving ${dbFile}`);
    const { mode, redis } = await workbench.queue.info();
    if (mode === 'distributed')
      io.out(`Runs train on the workers of ${redis} (start them with alphanet worker --redis URL)`);
    io.out(`Open ${serverUrl(host, bound, token)}`);
    if (created) io.out(`(a new token, kept in ${path.join(appDataDir(), TOKEN_FILE)} for later starts)`);
    io.out('Press Ctrl+C to stop (running runs become interrupted and can be resumed).');

    await stopped;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await workbench.close();
    io.out('stopped');
    return 0;
  },
};
