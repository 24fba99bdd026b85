// The renderer's only door to the main process: one object, window.studio, with the StudioApi's commands,
// an event subscription and the native file dialog. CommonJS, as sandboxed preloads must be.
import electron = require('electron');
import type { StudioApi, StudioEvent, StudioMethod } from '../../src-shared/studio-api.js';

const { contextBridge, ipcRenderer, webUtils } = electron;

// the methods come from the main process, which has the shared contract's list (a sandboxed preload cannot
// import it); the main process checks every call against that list again
const METHODS = ipcRenderer.sendSync('studio:methods') as StudioMethod[];

const api: Record<string, unknown> = {};
for (const m of METHODS) api[m] = (...args: unknown[]) => ipcRenderer.invoke('studio:call', m, args);
api.subscribe = (onEvent: (e: StudioEvent) => void) => {
  const listener = (_e: unknown, ev: StudioEvent): void => onEvent(ev);
  ipcRenderer.on('studio:event', listener);
  return () => ipcRenderer.removeListener('studio:event', listener);
};
api.pickFiles = (folders: boolean): Promise<string[]> => ipcRenderer.invoke('studio:pick', folders === true);
// the local path of a file dropped on the window (File.path is gone since Electron 32)
api.pathForFile = (file: File): string => webUtils.getPathForFile(file);

contextBridge.exposeInMainWorld('studio', api as unknown as StudioApi & { pickFiles(folders: boolean): Promise<string[]>; pathForFile(f: File): string });
