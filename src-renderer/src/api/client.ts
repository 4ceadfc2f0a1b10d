/**
 * The renderer's one way to reach main: IPC through the preload's `window.alphanet` in Electron, HTTP
 * and SSE in a browser (served mode). Views only ever see `ApiClient`.
 */
import {
  API_METHODS,
  ApiError,
  TOKEN_HEADER,
  TOKEN_META,
  type Api,
  type ApiErrorBody,
  type ApiEvent,
  type ApiMethod,
} from '../../../src-shared/api.ts';

/** The live-update channel: open, retrying after a drop, or given up (e.g. the server restarted with a new token). */
export type ConnectionState = 'live' | 'reconnecting' | 'closed';

export interface ApiClient {
  api: Api;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** 'ipc' in Electron, 'http' in served mode: decides e.g. whether to offer native file dialogs. */
  transport: 'ipc' | 'http';
  /** Electron only: a native file picker; null where there is none (served mode types a server path). */
  pickPath: ((kind: 'file' | 'folder') => Promise<string | null>) | null;
}

/** The bridge the preload puts on `window` (see src-main/electron/preload.ts). */
export interface AlphanetBridge {
  invoke(method: ApiMethod, params: unknown): Promise<{ ok: true; value: unknown } | { ok: false; body: ApiErrorBody }>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  pickPath(kind: 'file' | 'folder'): Promise<string | null>;
}

declare global {
  interface Window {
    alphanet?: AlphanetBridge;
  }
}

function buildApi(call: (method: ApiMethod, params: unknown) => Promise<unknown>): Api {
  const api: Partial<Record<ApiMethod, (params: unknown) => Promise<unknown>>> = {};
  for (const method of API_METHODS) api[method] = (params: unknown) => call(method, params);
  // Every method of the contract got a function above; each returns that method's result as sent by main.
  return api as Api;
}

function errorFrom(body: ApiErrorBody, status: number): ApiError {
  return new ApiError(body.error, body.fields ?? [], status);
}

function ipcClient(bridge: AlphanetBridge): ApiClient {
  return {
    transport: 'ipc',
    api: buildApi(async (method, params) => {
      const reply = await bridge.invoke(method, params);
      if (!reply.ok) throw errorFrom(reply.body, 400);
      return reply.value;
    }),
    onEvent: (listener) => bridge.onEvent(listener),
    // IPC lives as long as the window does.
    onConnection(listener) {
      listener('live');
      return () => {};
    },
    pickPath: (kind) => bridge.pickPath(kind),
  };
}

const TOKEN_KEY = 'alphanet.token';

/**
 * The served mode's token: from the URL the server printed (then kept in sessionStorage and hidden),
 * else the tab's session, else the one the server wrote into the page it let in by cookie.
 */
export function takeToken(location: Location, storage: Storage, history: History, page?: Document): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  const fromPage = page?.querySelector<HTMLMetaElement>(`meta[name="${TOKEN_META}"]`)?.content;
  return fromPage || (storage.getItem(TOKEN_KEY) ?? '');
}

function httpClient(token: string): ApiClient {
  const listeners = new Set<(event: ApiEvent) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'reconnecting';
  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of connectionListeners) listener(next);
  };
  let source: EventSource | null = null;
  const connect = () => {
    const stream = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source = stream;
    stream.onopen = () => setState('live');
    // EventSource retries by itself after a drop; it gives up (CLOSED) on a refused request.
    stream.onerror = () => setState(stream.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    stream.onmessage = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as ApiEvent;
      for (const listener of listeners) listener(event);
    };
  };
  return {
    transport: 'http',
    api: buildApi(async (method, params) => {
      const response = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify(params ?? {}),
      });
      const text = await response.text();
      const body: unknown = text === '' ? null : JSON.parse(text);
      if (!response.ok) throw errorFrom(body as ApiErrorBody, response.status);
      return body;
    }),
    onEvent(listener) {
      if (source === null) connect();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
    pickPath: null,
  };
}

export function createClient(): ApiClient {
  if (window.alphanet) return ipcClient(window.alphanet);
  return httpClient(takeToken(window.location, window.sessionStorage, window.history, window.document));
}

let client: ApiClient | null = null;

/** The app's client, created on first use. */
export function useClient(): ApiClient {
  client ??= createClient();
  return client;
}
