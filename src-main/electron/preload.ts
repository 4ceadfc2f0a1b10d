/**
 * The renderer's only door to main: `window.alphanet` with three functions. Nothing of Node or of
 * ipcRenderer itself is exposed; main validates every argument (src-main/api/validate.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, ApiMethod } from '../../src-shared/api.ts';
import { IPC } from './channels.ts';

contextBridge.exposeInMainWorld('alphanet', {
  invoke: (method: ApiMethod, params: unknown) => ipcRenderer.invoke(IPC.call, method, params),
  onEvent(listener: (event: ApiEvent) => void): () => void {
    const wrapped = (_: IpcRendererEvent, event: ApiEvent) => listener(event);
    ipcRenderer.on(IPC.event, wrapped);
    return () => ipcRenderer.off(IPC.event, wrapped);
  },
  pickPath: (kind: 'file' | 'folder') => ipcRenderer.invoke(IPC.pickPath, kind),
});
