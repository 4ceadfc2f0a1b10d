/**
 * Served mode: the built renderer and the API over plain node:http. Every request needs the session's
 * token: API calls in a header, the event stream as `?token=`, pages and assets as `?token=` or the
 * cookie set when the page was first opened with it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { TOKEN_HEADER, TOKEN_META, type Api, type ApiEvent } from '../../src-shared/api.ts';
import { dispatch, type EventHub } from '../api/dispatch.ts';
import { CONTENT_SECURITY_POLICY } from './csp.ts';

export interface ServerOptions {
  api: Api;
  events: EventHub;
  token: string;
  /** The built renderer (index.html and assets); null serves a page saying how to build it. */
  staticDir: string | null;
  /** The address as given to `--host` (a name or a wildcard such as 0.0.0.0): the printed URL's host, so allowed in Host. */
  host?: string;
}

const MAX_BODY_BYTES = 1 << 20;
const COOKIE = 'alphanet_token';
const KEEPALIVE_MS = 15_000;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function cookieToken(req: http.IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return undefined;
}

function baseHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

function send(res: http.ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { ...baseHeaders(), 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value));
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => {
      // Stop buffering but keep reading (and dropping) so the 413 reaches the client instead of a reset.
      req.removeAllListeners('data');
      req.resume();
      reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
    };
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return tooLarge();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return tooLarge();
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Its own policy: no script at all, and the one form may submit to this server (the app's policy forbids forms). */
const SIGN_IN_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The sign-in page: a GET form to `/?token=…`, which sets the cookie as the printed URL does. */
function sendSignIn(res: http.ServerResponse, wrong: boolean): void {
  const body = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in · AlphaNet Workbench</title>
<style>body{font:15px system-ui,sans-serif;margin:12vh auto;max-width:28rem;padding:0 1rem;color:#222}
input{font:inherit;width:100%;box-sizing:border-box;padding:.45rem;margin:.4rem 0 .8rem}button{font:inherit;padding:.4rem 1rem}
.error{color:#b00020}code{background:#f3f3f3;padding:0 .2rem}</style>
<h1>AlphaNet Workbench</h1>
<form method="get" action="/" data-testid="sign-in">
<label for="token">Token</label>
<input id="token" name="token" autocomplete="current-password" type="password" required autofocus>
${wrong ? '<p class="error" role="alert">That token is not this server’s.</p>' : ''}
<button type="submit">Sign in</button>
</form>
<p>The token is in the URL that <code>alphanet serve</code> printed, and in the file <code>serve-token</code> of the data folder.</p>
</html>`;
  res.writeHead(401, {
    ...baseHeaders(),
    'Content-Security-Policy': SIGN_IN_POLICY,
    'Content-Type': MIME['.html'],
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

const MISSING_BUILD_PAGE = `<!doctype html><meta charset="utf-8"><title>AlphaNet Workbench</title>
<p>This server was started with <code>--api-only</code>: it serves the API, not the browser UI. Restart <code>alphanet serve</code> without it.</p>`;

function serveStatic(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  staticDir: string | null,
  token: string,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
  if (staticDir === null) return send(res, 503, MISSING_BUILD_PAGE, MIME['.html']);
  const root = path.resolve(staticDir);
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return sendJson(res, 400, { error: 'bad path' });
  }
  let file = path.resolve(root, `.${rel}`);
  if (file !== root && !file.startsWith(root + path.sep)) return sendJson(res, 403, { error: 'forbidden' });
  if (rel.endsWith('/')) file = path.join(file, 'index.html');
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return sendJson(res, 404, { error: `not found: ${url.pathname}` });
  }
  if (path.basename(file) === 'index.html') {
    // A page let in by the cookie alone (a new tab, another port after a restart) has no token in its
    // URL or session; the page carries it for the API calls (a meta tag: the policy allows no inline script).
    data = Buffer.from(
      data.toString('utf8').replace('<head>', `<head>\n    <meta name="${TOKEN_META}" content="${token}" />`),
    );
  }
  res.writeHead(200, {
    ...baseHeaders(),
    'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': data.length,
  });
  res.end(req.method === 'HEAD' ? undefined : data);
}

function openEventStream(req: http.IncomingMessage, res: http.ServerResponse, events: EventHub): void {
  res.writeHead(200, {
    ...baseHeaders(),
    'Content-Type': 'text/event-stream; charset=utf-8',
    Connection: 'keep-alive',
  });
  res.write(': connected\n\n');
  const unsubscribe = events.subscribe((event: ApiEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`));
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  req.on('close', () => {
    clearInterval(keepalive);
    unsubscribe();
  });
}

async function callApi(req: http.IncomingMessage, res: http.ServerResponse, method: string, api: Api): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'API calls are POST requests' });
  let params: unknown;
  try {
    const body = await readBody(req);
    params = body.trim() === '' ? {} : JSON.parse(body);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      res.setHeader('Connection', 'close');
      return sendJson(res, 413, { error: error.message });
    }
    return sendJson(res, 400, { error: `bad request body: ${(error as Error).message}` });
  }
  const result = await dispatch(api, method, params);
  if (result.ok) sendJson(res, 200, result.value ?? null);
  else sendJson(res, result.status, result.body);
}

/** An address as a Host header names it: IPv6 in brackets, IPv4-mapped IPv6 as plain IPv4. */
function hostName(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return plain.includes(':') ? `[${plain}]` : plain;
}

/**
 * The Host header must name this server: `localhost`, the address the connection came in on or the
 * one it was bound as, with its port. A page on another site that rebinds its DNS name to 127.0.0.1
 * sends its own name, and is refused even when it has stolen the token.
 */
export function hostAllowed(req: http.IncomingMessage, boundHost?: string): boolean {
  const header = req.headers.host;
  const { localAddress, localPort } = req.socket;
  if (header === undefined || localAddress === undefined) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.toLowerCase());
  if (!m) return false;
  const port = m[2] === undefined ? 80 : Number(m[2]);
  const names = ['localhost', hostName(localAddress), ...(boundHost ? [hostName(boundHost.toLowerCase())] : [])];
  return port === localPort && names.includes(m[1]);
}

export function createServer(options: ServerOptions): http.Server {
  const { token } = options;
  return http.createServer((req, res) => {
    if (!hostAllowed(req, options.host)) {
      return sendJson(res, 421, { error: 'wrong Host header: open the URL that `alphanet serve` printed' });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const queryToken = url.searchParams.get('token') ?? undefined;
    const headerToken = req.headers[TOKEN_HEADER];
    const isApi = url.pathname.startsWith('/api/');
    const authorised = isApi
      ? sameToken(typeof headerToken === 'string' ? headerToken : undefined, token) ||
        (url.pathname === '/api/events' && sameToken(queryToken, token))
      : sameToken(queryToken, token) || sameToken(cookieToken(req), token);
    if (!authorised) {
      // A person opening a page gets a form to paste the token into; scripts and assets get the JSON.
      if (!isApi && req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
        return sendSignIn(res, queryToken !== undefined);
      }
      return sendJson(res, 401, { error: 'missing or wrong token: open the URL that `alphanet serve` printed' });
    }
    if (!isApi && sameToken(queryToken, token)) {
      // Assets the page loads carry no query string; the cookie lets them through.
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    }
    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'the event stream is a GET request' });
      return openEventStream(req, res, options.events);
    }
    if (isApi) {
      callApi(req, res, url.pathname.slice('/api/'.length), options.api).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      });
      return;
    }
    serveStatic(req, res, url, options.staticDir, token);
  });
}

/** Listens and resolves with the bound port (port 0 picks a free one). */
export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

export function serverUrl(host: string, port: number, token: string): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/?token=${token}`;
}
