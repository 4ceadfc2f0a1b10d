import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_HEADER, type ApiEvent } from '../../src-shared/api.ts';
import { defaultRunConfig } from '../../src-shared/config.ts';
import { openWorkbench, type Workbench } from '../api/workbench.ts';
import { datasetRegistryFile } from '../paths.ts';
import { main } from '../cli/main.ts';
import { createServer, isLoopback, listen, newToken } from './server.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TINYLT = path.join(ROOT, 'test', 'fixtures', 'tinylt', 'datasets.toml');

let dir: string;
let bench: Workbench;
let server: http.Server;
let base: string;
const token = newToken();

type Body = Record<string, unknown>;

async function call<T = Body>(
  method: string,
  params: unknown,
  headers: Record<string, string> = { [TOKEN_HEADER]: token },
) {
  const res = await fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-serve-'));
  const staticDir = path.join(dir, 'web');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(
    path.join(staticDir, 'index.html'),
    '<!doctype html><html><head><title>workbench</title></head></html>',
  );
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the browser');
  bench = openWorkbench({ dbFile: path.join(dir, 'workbench.sqlite'), cwd: dir });
  server = createServer({ api: bench.api, events: bench.events, token, staticDir });
  const port = await listen(server, '127.0.0.1', 0);
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await bench.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A request with headers fetch will not send (Host), optionally streaming a body. */
function raw(
  options: http.RequestOptions,
  write: (req: http.ClientRequest) => void = () => {},
): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, ...options }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    write(req);
    req.end();
  });
}

describe('served mode: the Host header', () => {
  it('must name this server: a rebinding page with the token is refused', async () => {
    const port = new URL(base).port;
    const headers = { [TOKEN_HEADER]: token };
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1:1', `127.0.0.2:${port}`]) {
      const res = await raw({ path: '/api/listRuns', method: 'POST', headers: { ...headers, Host: host } });
      expect(res.status, host).toBe(421);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
      expect(
        (await raw({ path: '/api/listRuns', method: 'POST', headers: { ...headers, Host: host } })).status,
        host,
      ).toBe(200);
    }
  });
});

describe('served mode: the token', () => {
  it('refuses pages, API calls and the event stream without it, or with a wrong one', async () => {
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    expect((await call('listDatasets', {}, {})).status).toBe(401);
    expect((await call('listDatasets', {}, { [TOKEN_HEADER]: `${token}x` })).status).toBe(401);
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
    // A token in the query string is not enough for API calls (only the event stream takes it there).
    expect((await fetch(`${base}/api/listDatasets?token=${token}`, { method: 'POST' })).status).toBe(401);
  });

  it('answers a page opened without a valid token with a sign-in form, scripts and assets with JSON', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/<form method="get" action="\/"/);
    expect(html).toMatch(/name="token"/);
    expect(html).not.toMatch(/not this server/);
    // The form may submit (the app's own policy forbids forms) and nothing may run.
    expect(page.headers.get('content-security-policy')).toMatch(/form-action 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await (await fetch(`${base}/?token=wrong`)).text()).toMatch(/not this server/);
    const asset = await fetch(`${base}/assets/app.js`);
    expect(asset.status).toBe(401);
    expect(await asset.json()).toMatchObject({ error: expect.stringMatching(/token/) });
  });

  it('serves the page with the token and lets its assets through by cookie', async () => {
    const page = await fetch(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const again = await fetch(`${base}/index.html`, { headers: { cookie: cookie.split(';')[0] } });
    expect(await again.text()).toContain('<title>workbench</title>');
    // The page let in by cookie alone carries the token for its API calls.
    expect(await (await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0] } })).text()).toContain(
      `<meta name="alphanet-token" content="${token}" />`,
    );
  });

  it('never serves files outside the build folder', async () => {
    const res = await fetch(`${base}/..%2Fsecret.txt?token=${token}`);
    expect(res.status).toBe(403);
  });

  it('binds to loopback only unless told otherwise', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('192.168.1.5')).toBe(false);
  });
});

describe('served mode: the API', () => {
  it('adds a dataset from its datasets.toml and reports on it', async () => {
    const added = await call<{ key: string }[]>('addDataset', { configFile: TINYLT });
    expect(added.status).toBe(200);
    expect(added.body.map((d) => d.key)).toEqual(['tinylt_synth', 'tinylt_synth_ride']);
    const report = await call('getDatasetReport', { key: 'tinylt_synth' });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ key: 'tinylt_synth', usable: true, errors: [] });
    const list = await call<unknown[]>('listDatasets', {});
    expect(list.body).toContainEqual(
      expect.objectContaining({ key: 'tinylt_synth', properName: 'TinyLT | synth', configFile: datasetRegistryFile() }),
    );
  });

  it('answers malformed requests with a reason, not a crash', async () => {
    const headers = { [TOKEN_HEADER]: token };
    expect((await fetch(`${base}/api/listRuns`, { headers })).status).toBe(405);
    const badJson = await fetch(`${base}/api/listRuns`, { method: 'POST', headers, body: '{"status":' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as Body).error).toMatch(/^bad request body/);
    const huge = await fetch(`${base}/api/listRuns`, { method: 'POST', headers, body: 'x'.repeat(2 << 20) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as Body).error).toMatch(/over 1048576 bytes/);
    // Without a Content-Length (chunked) the limit is found while reading: still a 413, not a reset.
    const chunked = await raw({ path: '/api/listRuns', method: 'POST', headers }, (req) => {
      for (let i = 0; i < 40; i++) req.write('x'.repeat(64 * 1024));
    });
    expect(chunked.status).toBe(413);
    expect((await call('listRuns', {})).status).toBe(200);
  });

  it('refuses devices and FIFOs as a datasets config at once, and keeps serving', async () => {
    const fifo = path.join(dir, 'pipe.toml');
    execFileSync('mkfifo', [fifo]);
    const zero = await call('addDataset', { configFile: '/dev/zero' });
    expect(zero).toEqual({ status: 400, body: { error: '/dev/zero: a datasets config is a .toml file' } });
    const pipe = await call('addDataset', { configFile: fifo });
    expect(pipe).toEqual({
      status: 400,
      body: { error: `${fifo}: datasets config is a named pipe (FIFO), not a regular file` },
    });
    expect((await call('listRuns', {})).status).toBe(200);
  });

  it('rejects bad params with the field and reason, and queues nothing', async () => {
    const config = defaultRunConfig('tinylt_synth');
    config.training.min_epochs = 30;
    const bad = await call('launchExperiment', { experiment: 'x', config, repetitions: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([
      { path: 'config.training.min_epochs', message: 'must not exceed train_epochs (25)' },
    ]);
    expect((await call('getRun', { id: 'one' })).body.error).toBe('id: must be a run id (a whole number ≥ 1)');
    expect((await call('getRun', { id: 99 })).status).toBe(404);
    expect((await call('noSuchMethod', {})).status).toBe(404);
    expect((await call('listRuns', {})).body).toEqual([]);
  });

  it('trains two repetitions, streams their progress, and serves their curves', async () => {
    const events: ApiEvent[] = [];
    const controller = new AbortController();
    const stream = await fetch(`${base}/api/events?token=${token}`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const reading = (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += value;
        const parts = buffer.split('\n\n');
        buffer = parts.pop() ?? '';
        for (const part of parts) if (part.startsWith('data: ')) events.push(JSON.parse(part.slice(6)) as ApiEvent);
      }
    })();

    const config = defaultRunConfig('tinylt_synth');
    config.training.train_epochs = 2;
    config.training.min_epochs = 1;
    const launched = await call('launchExperiment', { experiment: 'tiny', config, repetitions: 2 });
    expect(launched.status).toBe(200);
    const runIds = launched.body.runIds as number[];
    expect(runIds).toHaveLength(2);

    const deadline = Date.now() + 90_000;
    let runs: { id: number; status: string; seed: number }[] = [];
    while (Date.now() < deadline) {
      runs = (await call<typeof runs>('listRuns', { experiment: 'tiny' })).body;
      if (runs.every((r) => r.status === 'done' || r.status === 'failed')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(runs.map((r) => [r.status, r.seed])).toEqual([
      ['done', 2],
      ['done', 1],
    ]);

    const curves = (await call<{ runId: number; tags: Record<string, unknown[]> }[]>('getCurves', { runIds })).body;
    expect(curves.map((c) => c.runId)).toEqual(runIds);
    for (const c of curves) {
      expect(c.tags.epoch_loss).toHaveLength(2);
      expect(c.tags.batch_loss.length).toBeGreaterThan(2);
    }
    const csv = (await call('exportSeries', { runId: runIds[0], tag: 'epoch_loss', format: 'csv' })).body;
    expect(String(csv.content).split('\n')[0]).toBe('Wall time,Step,Value');
    expect(String(csv.content).trim().split('\n')).toHaveLength(3);

    controller.abort();
    await reading;
    const statuses = events
      .filter((e) => e.type === 'status' && e.runId === runIds[0])
      .map((e) => (e as { status: string }).status);
    expect(statuses).toContain('done');
    expect(events.some((e) => e.type === 'epoch' && e.runId === runIds[1])).toBe(true);
  });
});

describe('alphanet serve', () => {
  it('refuses a non-loopback host without --allow-remote', async () => {
    const err: string[] = [];
    const code = await main(['serve', '--host', '0.0.0.0'], {
      out: () => {},
      err: (t) => err.push(t),
      isTTY: false,
      cwd: dir,
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/--allow-remote/);
  });

  /** Starts `alphanet serve` with `flags`; resolves with its printed URL, its output so far, and a stop function. */
  async function serve(flags: string[]) {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'alphanet.mjs'), 'serve', '--port', '0', '--db', path.join(dir, 'cli.sqlite'), ...flags],
      {
        cwd: dir,
        env: { ...process.env, ALPHANET_DATA_DIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}${err}`)), 30_000);
      child.stdout.on('data', () => {
        const m = /Open (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const stop = () => {
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    };
    return { url, stderr: () => err, stop };
  }

  it('listens on 127.0.0.1 by default and prints the URL with its token', async () => {
    const server = await serve([]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(server.stderr()).not.toMatch(/WARNING/);
    const parsed = new URL(server.url);
    const res = await fetch(`${parsed.origin}/api/listRuns`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: parsed.searchParams.get('token') ?? '' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(await server.stop()).toBe(0);
  });

  it('keeps its token in the data folder across restarts; --new-token replaces it', async () => {
    const tokenOf = (url: string) => new URL(url).searchParams.get('token');
    const first = await serve([]);
    expect(await first.stop()).toBe(0);
    const again = await serve([]);
    expect(tokenOf(again.url)).toBe(tokenOf(first.url));
    expect(await again.stop()).toBe(0);
    const rotated = await serve(['--new-token']);
    expect(tokenOf(rotated.url)).not.toBe(tokenOf(first.url));
    expect(fs.readFileSync(path.join(dir, 'serve-token'), 'utf8').trim()).toBe(tokenOf(rotated.url));
    expect(await rotated.stop()).toBe(0);
  });

  it('binds elsewhere only with --allow-remote, and warns', async () => {
    const server = await serve(['--host', '0.0.0.0', '--allow-remote']);
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/\?token=/);
    expect(server.stderr()).toMatch(/WARNING: serving on 0\.0\.0\.0, reachable from other computers/);
    // The printed URL works (its Host names the bound address), as does the machine's own address.
    const parsed = new URL(server.url);
    const headers = { [TOKEN_HEADER]: parsed.searchParams.get('token') ?? '' };
    for (const host of [parsed.host, `127.0.0.1:${parsed.port}`, `elsewhere.example:${parsed.port}`]) {
      const res = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: parsed.port,
            path: '/api/listRuns',
            method: 'POST',
            headers: { ...headers, Host: host },
          },
          (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
      expect(res, host).toBe(host.startsWith('elsewhere') ? 421 : 200);
    }
    expect(await server.stop()).toBe(0);
  });
});
