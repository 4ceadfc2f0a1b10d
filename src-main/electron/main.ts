/**
 * The Electron main process, kept thin: one sandboxed window, the same API and validators as served
 * mode over IPC, native file pickers, app data in Electron's userData folder, and on quit the running
 * runs are stopped and marked interrupted (resumable from their last epoch checkpoint).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { dispatch } from '../api/dispatch.ts';
import { openWorkbench, type Workbench } from '../api/workbench.ts';
import { CONTENT_SECURITY_POLICY } from '../server/csp.ts';
import { IPC } from './channels.ts';
import { devServerUrl, externalLinkAllowed, isAppUrl } from './policy.ts';

// Before anything reads the data folder: the CLI and this app then share one database and cache.
process.env.ALPHANET_DATA_DIR ??= app.getPath('userData');
// better-sqlite3 built for Electron's ABI beside this bundle (scripts/electron-native.mjs, with
// @electron/rebuild); worker threads (bundles beside this one, src-main/workers.ts) inherit the variable.
process.env.ALPHANET_SQLITE_BINDING ??= path.join(
  import.meta.dirname,
  '..',
  'native',
  `better_sqlite3-electron-${process.versions.electron}.node`,
);

let workbench: Workbench | null = null;
let window: BrowserWindow | null = null;
/** The page the window shows: the built renderer, or the dev server's (unpackaged, loopback only). */
const devUrl = devServerUrl(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
const appUrl = devUrl ?? pathToFileURL(path.join(import.meta.dirname, '..', 'renderer', 'index.html')).href;

/** IPC is answered only for the workbench window's own top frame showing the app (not an iframe, not a page it was lured to). */
function fromWorkbench(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return window !== null && frame !== null && frame === window.webContents.mainFrame && isAppUrl(frame.url, appUrl);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'AlphaNet Workbench',
    webPreferences: {
      preload: path.join(import.meta.dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  });
  // Links to a few known sites open in the user's browser; no window ever opens in the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (externalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // Neither the window nor any frame in it navigates or is redirected away from the app.
  const stay = (event: { url: string; preventDefault(): void }) => {
    if (!isAppUrl(event.url, appUrl)) event.preventDefault();
  };
  win.webContents.on('will-navigate', stay);
  win.webContents.on('will-frame-navigate', stay);
  win.webContents.on('will-redirect', stay);
  void win.loadURL(appUrl);
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // The workbench needs no camera, microphone, notifications, geolocation…: every request is denied.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  const dataDir = process.env.ALPHANET_DATA_DIR ?? app.getPath('userData');
  const bench = openWorkbench({
    dbFile: path.join(dataDir, 'workbench.sqlite'),
    cwd: app.getPath('home'),
    log: (line) => console.error(line),
  });
  workbench = bench;

  ipcMain.handle(IPC.call, async (event, method: unknown, params: unknown) => {
    if (!fromWorkbench(event)) throw new Error('IPC call from a frame that is not the workbench');
    const result = await dispatch(bench.api, typeof method === 'string' ? method : '', params);
    return result.ok ? { ok: true, value: result.value } : { ok: false, body: result.body };
  });
  ipcMain.handle(IPC.pickPath, async (event, kind: unknown) => {
    if (!window || !fromWorkbench(event)) throw new Error('IPC call from a frame that is not the workbench');
    const picked = await dialog.showOpenDialog(window, {
      title: kind === 'folder' ? 'Choose a folder with a datasets.toml' : 'Choose a datasets.toml',
      properties: [kind === 'folder' ? 'openDirectory' : 'openFile'],
      filters: kind === 'folder' ? [] : [{ name: 'datasets.toml', extensions: ['toml'] }],
    });
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  });
  bench.events.subscribe((event) => window?.webContents.send(IPC.event, event));

  window = createWindow();
  window.on('closed', () => (window = null));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
}

let closing = false;
app.on('before-quit', (event) => {
  if (closing || !workbench) return;
  // Stop the workers and mark their runs interrupted before the process ends.
  event.preventDefault();
  closing = true;
  void workbench.close().finally(() => app.quit());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

void start();
