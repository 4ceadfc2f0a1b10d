/**
 * The desktop build (`npm run build`: electron-vite) under plain Node, with no Electron binary: it is
 * built once into a folder of its own (inside the checkout, where node_modules resolves), then the built
 * CLI trains the demo, served mode from the build starts the queue, validate and Inspector workers, the
 * score and first-layer workers answer on their own, and with a redis-server a distributed worker from
 * the build trains through its training thread. The Electron main itself (out/main/index.js) needs
 * Electron and is only checked for what it imports.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_HEADER, type RunSummary } from '../../src-shared/api.ts';
import { defaultRunConfig } from '../../src-shared/config.ts';
import type { DatasetReport } from '../../src-shared/dataset.ts';
import type { InspectorData } from '../../src-shared/inspector.ts';
import { awaitChange, CTRL, CTRL_BYTES, OP, type FirstLayerWorkerInput } from '../../src-main/engine/first-layer.ts';
import { parseOptimizer } from '../../src-main/engine/optim.ts';
import type { ScoreWorkerInput, ScoreWorkerReply, ScoreWorkerRequest } from '../../src-main/engine/score-pool.ts';
import { BUILD_STAMP, WORKER_ENTRIES } from '../../src-main/workers.ts';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis-server.ts';
import { buildDesktopBundle } from '../support/desktop-build.ts';
import { KERNELS } from '../support/native.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/workers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const OUT = path.join(ROOT, 'node_modules', '.cache', `alphanet-bundle-test-${process.pid}`);
const MAIN = path.join(OUT, 'main');
const CLI_CACHE = path.join(OUT, 'cli-cache');
const BUILD_TIMEOUT_MS = 300_000;

/** The environment of a CLI process that must run from the test's build (its compile cache stays unused). */
function cliEnv(dataDir: string, build = MAIN): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ALPHANET_CLI_BUILD: build,
    ALPHANET_CLI_CACHE: CLI_CACHE,
    ALPHANET_DATA_DIR: dataDir,
  };
  delete env.ALPHANET_CLI_FROM_SOURCE;
  return env;
}

function alphanet(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'alphanet.mjs'), ...argv], {
    cwd: env.ALPHANET_DATA_DIR,
    env,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmpDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `alphanet-bundle-${name}-`));

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Every module specifier a built file imports (static, dynamic, require), comments between allowed. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*(?:\/\*[^]*?\*\/\s*)?["']([^"']+)["']/g,
    /\brequire\s*\(\s*["']([^"']+)["']/g,
    /^\s*import\s*["']([^"']+)["']/gm,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]);
  return found;
}

beforeAll(() => {
  const started = performance.now();
  buildDesktopBundle(OUT);
  console.log(`electron-vite build (main, preload, renderer): ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, BUILD_TIMEOUT_MS);
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

describe('the desktop build under plain Node', () => {
  it('has an entry for the Electron main, the CLI and every worker, and needs no TypeScript at run time', () => {
    for (const name of ['index', 'cli', ...Object.keys(WORKER_ENTRIES)])
      expect(fs.existsSync(path.join(MAIN, `${name}.js`)), name).toBe(true);
    const stamp = JSON.parse(fs.readFileSync(path.join(MAIN, BUILD_STAMP), 'utf8')) as {
      built: number;
      inputs: string[];
    };
    expect(stamp.inputs).toContain(path.join('src-main', 'cli', 'main.ts'));
    expect(stamp.inputs.every((f) => fs.existsSync(path.join(ROOT, f)) && !f.includes('node_modules'))).toBe(true);

    const code = [...filesUnder(MAIN), ...filesUnder(path.join(OUT, 'preload'))].filter((f) => /\.[cm]?js$/.test(f));
    const imported = code.flatMap((file) => specifiers(fs.readFileSync(file, 'utf8')).map((spec) => ({ file, spec })));
    // The scan sees the imports it must see (else it proves nothing).
    expect(imported.map((i) => i.spec)).toEqual(
      expect.arrayContaining(['@tensorflow/tfjs-core', 'better-sqlite3', 'electron', 'node:worker_threads']),
    );
    expect(imported.filter(({ spec }) => /^tsx(\/|$)/.test(spec) || /\.[cm]?tsx?$/.test(spec))).toEqual([]);
    for (const { file, spec } of imported.filter((i) => i.spec.startsWith('.')))
      expect(fs.existsSync(path.resolve(path.dirname(file), spec)), `${file}: ${spec}`).toBe(true);
  });

  it('trains the demo through the built CLI and prints the README’s table', () => {
    const dataDir = tmpDir('demo');
    try {
      const demo = alphanet(cliEnv(dataDir), 'demo');
      expect(demo.code, demo.err).toBe(0);
      const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
      const table = /`npx alphanet demo` prints[^\n]*\n\n```\n([^`]+)```/.exec(readme)?.[1];
      expect(table).toMatch(/^AlphaNet /m);
      expect(demo.out).toContain(table);
      // From the build: the compile cache of the sources was never made.
      expect(fs.existsSync(CLI_CACHE)).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('bin/alphanet.mjs runs a build only while no source file it lists is newer or gone', () => {
    const fake = path.join(OUT, 'fake-main');
    fs.mkdirSync(fake, { recursive: true });
    fs.writeFileSync(
      path.join(fake, 'cli.js'),
      "export async function main() { process.stdout.write('from the fake build\\n'); return 0; }\n",
    );
    const stamp = (built: number, inputs: string[]) =>
      fs.writeFileSync(path.join(fake, BUILD_STAMP), JSON.stringify({ built, inputs }));
    const dataDir = tmpDir('stale');
    try {
      stamp(Date.now(), ['package.json']);
      expect(alphanet(cliEnv(dataDir, fake), '--help').out).toBe('from the fake build\n');
      stamp(0, ['package.json']);
      expect(alphanet(cliEnv(dataDir, fake), '--help').out).toMatch(/^Usage: alphanet/m);
      stamp(Date.now(), ['package.json', 'src-main/no-such-file.ts']);
      expect(alphanet(cliEnv(dataDir, fake), '--help').out).toMatch(/^Usage: alphanet/m);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(CLI_CACHE, { recursive: true, force: true });
    }
  });

  it.each(KERNELS)(
    'the bundled score worker writes X·Wᵀ into the shared scores (native kernels: %s)',
    async (native) => {
      const input: ScoreWorkerInput = { backend: 'cpu', native };
      const worker = new Worker(path.join(MAIN, 'score-worker.js'), { workerData: input });
      try {
        const replies: ScoreWorkerReply[] = [];
        const next = () => new Promise<ScoreWorkerReply>((resolve) => worker.once('message', resolve));
        replies.push(await next());
        expect(replies[0]).toEqual({ type: 'ready', backend: 'cpu' });
        const [n, dim, nClasses] = [3, 4, 2];
        const weight = Float32Array.from({ length: nClasses * dim }, (_, i) => i - 3);
        const rows = Float32Array.from({ length: n * dim }, (_, i) => (i % 5) * 0.5);
        const send = (msg: ScoreWorkerRequest) => worker.postMessage(msg);
        // Scores for rows 2 .. 2+n of a 6-row matrix: the block lands at its row, the rest untouched.
        const out = new Float32Array(new SharedArrayBuffer(4 * 6 * nClasses)).fill(-1);
        const shared = new Float32Array(new SharedArrayBuffer(rows.byteLength));
        shared.set(rows);
        send({ type: 'weight', weight, dim, nClasses, out });
        send({ type: 'rows', id: 7, rows: shared, n, outRow: 2 });
        expect(await next()).toEqual({ type: 'done', id: 7 });
        const expected = Array.from({ length: n * nClasses }, (_, k) => {
          const [r, c] = [Math.floor(k / nClasses), k % nClasses];
          return Array.from({ length: dim }, (_, j) => rows[r * dim + j] * weight[c * dim + j]).reduce(
            (a, b) => a + b,
            0,
          );
        });
        expect(Array.from(out)).toEqual([...Array(2 * nClasses).fill(-1), ...expected, ...Array(nClasses).fill(-1)]);
      } finally {
        await worker.terminate();
      }
    },
  );

  it.each(KERNELS)('the bundled first-layer worker computes its slab of W1·sourcesᵀ (native: %s)', async (native) => {
    const [nFew, inDim, rows] = [3, 4, 2];
    const sources = Float32Array.from({ length: nFew * inDim }, (_, i) => i + 1);
    const w1Shared = new SharedArrayBuffer(4 * rows * inDim);
    const data: FirstLayerWorkerInput = {
      backend: 'cpu',
      native,
      ctrl: new SharedArrayBuffer(CTRL_BYTES),
      args: new SharedArrayBuffer(16),
      input: new SharedArrayBuffer(4 * rows * nFew),
      output: new SharedArrayBuffer(4 * rows * inDim),
      sources,
      nFew,
      inDim,
      start: 0,
      end: rows,
      w1: w1Shared,
      buffers: [],
      optim: parseOptimizer('AdamW', {}),
    };
    const worker = new Worker(path.join(MAIN, 'first-layer-worker.js'), { workerData: data });
    const ctrl = new Int32Array(data.ctrl);
    try {
      expect(await new Promise((resolve) => worker.once('message', resolve))).toEqual({ type: 'ready' });
      // W1 lives in shared memory: the helper reads its rows in place.
      const w1 = new Float32Array(w1Shared);
      w1.set(Float32Array.from({ length: rows * inDim }, (_, i) => (i % 3) - 1));
      Atomics.store(ctrl, CTRL.op, OP.forward);
      const want = Atomics.add(ctrl, CTRL.request, 1) + 1;
      Atomics.notify(ctrl, CTRL.request);
      for (let done = Atomics.load(ctrl, CTRL.done); done !== want; done = Atomics.load(ctrl, CTRL.done)) {
        expect(awaitChange(ctrl, CTRL.done, done, CTRL.mainSleeps, 30_000)).toBe(true);
      }
      const expected = Array.from({ length: rows * nFew }, (_, k) => {
        const [r, f] = [Math.floor(k / nFew), k % nFew];
        return Array.from({ length: inDim }, (_, j) => w1[r * inDim + j] * sources[f * inDim + j]).reduce(
          (a, b) => a + b,
          0,
        );
      });
      expect(Array.from(new Float32Array(data.output).subarray(0, rows * nFew))).toEqual(expected);
    } finally {
      Atomics.store(ctrl, CTRL.op, OP.stop);
      Atomics.add(ctrl, CTRL.request, 1);
      Atomics.notify(ctrl, CTRL.request);
      await worker.terminate();
    }
  });
});

interface Served {
  origin: string;
  token: string;
  call<T>(method: string, params: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** `alphanet serve --port 0` from the test's build. */
async function serveFromBuild(dataDir: string, args: string[] = []): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'alphanet.mjs'), 'serve', '--port', '0', ...args],
    {
      cwd: dataDir,
      env: cliEnv(dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = new URL(
    await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`alphanet serve printed no URL within 60 s:\n${output}`)),
        60_000,
      );
      child.stdout?.on('data', () => {
        const m = /Open (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`alphanet serve exited with ${code}:\n${output}`)));
    }),
  );
  const token = url.searchParams.get('token') ?? '';
  return {
    origin: url.origin,
    token,
    async call<T>(method: string, params: unknown): Promise<T> {
      const res = await fetch(`${url.origin}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify(params),
      });
      if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}\n${output}`);
      return (await res.json()) as T;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function runsDone(served: Served, experiment: string, n: number): Promise<RunSummary[]> {
  for (const deadline = Date.now() + 150_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
    const runs = await served.call<RunSummary[]>('listRuns', { experiment });
    const failed = runs.find((r) => r.status === 'failed');
    if (failed) throw new Error(`run ${failed.id} failed: ${failed.error}`);
    if (runs.length === n && runs.every((r) => r.status === 'done')) return runs;
  }
  throw new Error(`${n} runs of '${experiment}' did not finish within 150 s`);
}

function shortDemoConfig() {
  const config = defaultRunConfig('demo');
  config.training.train_epochs = 3;
  config.training.min_epochs = 1;
  return config;
}

describe('served mode from the desktop build', () => {
  it('validates the demo (validate worker), trains a run (queue worker) and opens the Inspector (inspector worker)', async () => {
    const dataDir = tmpDir('served');
    const served = await serveFromBuild(dataDir);
    try {
      const report = await served.call<DatasetReport>('getDatasetReport', { key: 'demo' });
      expect([report.n_classes, report.dim, report.splits_cover_labels]).toEqual([100, 64, true]);
      await served.call('launchExperiment', { experiment: 'from the build', config: shortDemoConfig(), seeds: [1] });
      const [run] = await runsDone(served, 'from the build', 1);
      expect(run.epochsDone).toBe(3);
      const inspector = await served.call<InspectorData>('getInspector', {
        dataset: 'demo',
        experiment: 'from the build',
      });
      expect(inspector.runs.map((r) => r.id)).toEqual([run.id]);
      expect(inspector.classes).toHaveLength(100);
    } finally {
      await served.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const redisEnabled = redisAvailable();

describe.skipIf(!redisEnabled)('a distributed worker from the desktop build', () => {
  let redis: RedisServer | null = null;
  let worker: WorkerProcess | null = null;
  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
  });

  it('trains a run queued on Redis on its training thread', async () => {
    redis = await startRedis();
    worker = await startWorkerProcess(redis.url, 'bundle', [], {
      ALPHANET_CLI_BUILD: MAIN,
      ALPHANET_CLI_CACHE: CLI_CACHE,
    });
    const dataDir = tmpDir('distributed');
    const served = await serveFromBuild(dataDir, ['--queue', redis.url]);
    try {
      await served.call('launchExperiment', { experiment: 'on a worker', config: shortDemoConfig(), seeds: [2] });
      const [run] = await runsDone(served, 'on a worker', 1);
      expect([run.epochsDone, run.worker]).toEqual([3, 'bundle']);
      expect(fs.existsSync(CLI_CACHE)).toBe(false);
    } finally {
      await served.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
