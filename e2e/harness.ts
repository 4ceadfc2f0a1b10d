/**
 * What the e2e tests drive: `alphanet serve` as a child process on a free port with its own data
 * folder, and Debian's Chromium through playwright-core (never a downloaded browser).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { TOKEN_HEADER, type RunFilter, type RunSummary } from '../src-shared/api.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const CHROMIUM = process.env.ALPHANET_CHROMIUM ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.join(ROOT, 'test-results');
/** Set ALPHANET_UPDATE_SCREENSHOTS=1 to also refresh the README's screenshots. */
const DOCS_DIR = path.join(ROOT, 'docs', 'screenshots');

export interface Served {
  url: string;
  origin: string;
  token: string;
  /** Everything the server printed (shown when a test fails). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `alphanet serve --port 0` (plus `args`) and resolves once it prints its URL. */
export async function startServer(dataDir: string, args: readonly string[] = []): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'alphanet.mjs'), 'serve', '--port', '0', ...args],
    {
      cwd: dataDir,
      env: { ...process.env, ALPHANET_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`alphanet serve printed no URL within 60 s:\n${output}`)), 60_000);
    const check = () => {
      const m = /Open (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`alphanet serve exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** False skips the browser suite, unless ALPHANET_E2E_REQUIRED is set (CI): there a missing browser fails. */
export function hasChromium(): boolean {
  const found = fs.existsSync(CHROMIUM);
  if (!found && process.env.ALPHANET_E2E_REQUIRED)
    throw new Error(`e2e: no Chromium at ${CHROMIUM}, and ALPHANET_E2E_REQUIRED is set`);
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // --disable-dev-shm-usage: containers often give /dev/shm only 64 MB, too little for Chromium.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Calls the API directly (to check what the UI did, not to drive it). */
export async function apiCall<T>(served: Served, method: string, params: unknown): Promise<T> {
  const res = await fetch(`${served.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: served.token },
    body: JSON.stringify(params),
  });
  if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  // Let transitions (progress bars) settle.
  await page.waitForTimeout(400);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.ALPHANET_UPDATE_SCREENSHOTS) {
    fs.mkdirSync(DOCS_DIR, { recursive: true });
    fs.copyFileSync(file, path.join(DOCS_DIR, `${name}.png`));
  }
}

/** A served workbench on a fresh data folder and one browser page on it, shared by a file's tests (they run in order). */
export class BrowserSession {
  dataDir!: string;
  served!: Served;
  browser!: Browser;
  page!: Page;
  /** Uncaught page errors and console errors; tests expect none. */
  readonly pageErrors: string[] = [];

  /** Arguments `alphanet serve` was started with (beyond the port). */
  serveArgs: string[] = [];

  /** Stops the server and starts a new one on the same data folder, as a user restarting the app. */
  async restartServer(): Promise<void> {
    await this.served.stop();
    this.served = await startServer(this.dataDir, this.serveArgs);
  }
}

export interface SessionOptions {
  /** Lets the page read and write the clipboard. */
  clipboard?: boolean;
  /** False skips the block (a service it needs is missing; the caller says why). */
  enabled?: boolean;
  /** Runs before the server starts (services it needs); returns extra `alphanet serve` arguments. */
  before?(): Promise<string[]>;
  /** Runs after the server stopped. */
  after?(): Promise<void>;
}

/**
 * A describe block whose tests share a BrowserSession (set up before the first test, removed after the
 * last); skipped with a message when there is no Chromium.
 */
export function describeInBrowser(
  title: string,
  body: (session: BrowserSession) => void,
  options: SessionOptions = {},
): void {
  const available = hasChromium();
  if (!available)
    console.warn(`e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium, or set ALPHANET_CHROMIUM)`);
  describe.skipIf(!available || options.enabled === false)(title, () => {
    const session = new BrowserSession();
    beforeAll(async () => {
      if (!fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
        throw new Error('the web build is missing: run `npm run build:web` (npm run e2e does it)');
      }
      session.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-e2e-'));
      session.serveArgs = (await options.before?.()) ?? [];
      session.served = await startServer(session.dataDir, session.serveArgs);
      session.browser = await launchBrowser();
      const context = await session.browser.newContext({
        viewport: { width: 1440, height: 1000 },
        acceptDownloads: true,
      });
      if (options.clipboard)
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.served.origin });
      session.page = await context.newPage();
      session.page.on('pageerror', (error) => session.pageErrors.push(error.message));
      session.page.on('console', (message) => {
        if (message.type() === 'error') session.pageErrors.push(message.text());
      });
    });
    beforeEach((context) => {
      context.onTestFailed(() => console.error(`alphanet serve said:\n${session.served.output()}`));
    });
    afterAll(async () => {
      await session.browser?.close();
      await session.served?.stop();
      await options.after?.();
      if (session.dataDir) fs.rmSync(session.dataDir, { recursive: true, force: true });
    });
    body(session);
  });
}

/** Waits until `n` runs match the filter and all are done; a failed run fails the caller with its error. */
export async function runsDone(
  served: Served,
  filter: RunFilter,
  n: number,
  timeoutMs = 150_000,
): Promise<RunSummary[]> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    const runs = await apiCall<RunSummary[]>(served, 'listRuns', filter);
    const failed = runs.find((r) => r.status === 'failed');
    if (failed) throw new Error(`run ${failed.id} failed: ${failed.error}`);
    if (runs.length === n && runs.every((r) => r.status === 'done')) return runs;
  }
  throw new Error(`${n} runs matching ${JSON.stringify(filter)} did not finish within ${timeoutMs / 1000} s`);
}
