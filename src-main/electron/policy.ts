/**
 * What the Electron shell lets the window do, as plain functions (no Electron import) so they are
 * unit-tested: which URLs are the app, which links open in the user's browser, which dev-server URL
 * may be loaded with the preload attached.
 */

/** Hosts whose https pages a link in the app may open in the user's browser; nothing else is opened. */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'arxiv.org'];

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for an https link to an allowed host, without credentials (`https://user@host` tricks). */
export function externalLinkAllowed(url: string): boolean {
  const u = parse(url);
  return (
    u !== null &&
    u.protocol === 'https:' &&
    u.username === '' &&
    u.password === '' &&
    EXTERNAL_LINK_HOSTS.includes(u.hostname)
  );
}

/**
 * The dev server URL (ELECTRON_RENDERER_URL) is honoured only in an unpackaged app and only on
 * loopback http: anything else would load a remote page with the preload's API attached.
 */
export function devServerUrl(value: string | undefined, packaged: boolean): string | null {
  if (value === undefined || value === '' || packaged) return null;
  const u = parse(value);
  if (
    u === null ||
    u.protocol !== 'http:' ||
    u.username !== '' ||
    !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)
  )
    return null;
  return u.href;
}

/**
 * True when `url` is a page of the app: the same file (file://, the built renderer) or, in
 * development, the same origin as the dev server. Navigation and redirects elsewhere are refused,
 * and IPC from frames elsewhere is ignored.
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  const u = parse(url);
  const app = parse(appUrl);
  if (u === null || app === null) return false;
  if (app.protocol === 'file:') return u.protocol === 'file:' && u.pathname === app.pathname;
  return u.origin === app.origin;
}
