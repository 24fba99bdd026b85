// The desktop shell, kept thin: a window on the studio UI, a tray icon with the on-air state, native file
// dialogs, notifications, and the IPC adapter for the StudioApi. Everything else is the engine and the
// StudioService, exactly as in headless mode. `--headless` runs without any window.

import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, session, shell, Tray, type IpcMainInvokeEvent } from 'electron';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main as cliMain, resolveConfigPath } from '../cli.js';
import { loadConfigFile } from '../config/load.js';
import { AUDIO_EXTENSIONS, type Engine } from '../engine/index.js';
import { RENDERER_DIR } from '../paths.js';
import { Station, stationLogger } from '../station.js';
import type { StudioService } from '../studio/service.js';
import { STUDIO_METHODS } from '../../src-shared/studio-api.js';
import { dispatchStudioCall } from '../studio/dispatch.js';
import { AUTO_RGB, discPng, LIVE_RGB } from './tray-icon.js';

const args = process.argv.slice(app.isPackaged ? 1 : 2);
const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'preload.cjs');
const INDEX = join(RENDERER_DIR, 'index.html');

if (args.includes('--headless') || args.includes('--check') || args.includes('--help') || args.includes('--version')) {
  // same command line as the `cycast` command, no window
  app.dock?.hide();
  cliMain(args).then((code) => app.exit(code));
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  startDesktop().catch((e: Error) => {
    dialog.showErrorBox('Cycast Studio could not start', e.stack ?? e.message);
    app.exit(1);
  });
}

interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

function boundsFile(): string {
  return join(app.getPath('userData'), 'window.json');
}

function loadBounds(): Bounds {
  try {
    return { width: 1280, height: 800, ...JSON.parse(readFileSync(boundsFile(), 'utf8')) };
  } catch {
    return { width: 1280, height: 800 };
  }
}

async function startDesktop(): Promise<void> {
  await app.whenReady();
  const { path: configPath } = resolveConfigPath(valueOf('--config'));
  let loaded;
  try {
    loaded = await loadConfigFile(configPath);
  } catch (e) {
    dialog.showErrorBox('Cycast Studio: the configuration has errors', (e as Error).message);
    app.exit(2);
    return;
  }
  // the desktop app logs to the data folder too (logs/ beside config.hcl), like the headless server
  const { logger, file } = stationLogger(loaded.config.advanced.verbose_logging, join(dirname(configPath), 'logs'));
  if (file) app.on('will-quit', () => file.close());
  const station = new Station({ config: loaded.config, configPath, logger, desktop: true });
  const { engine, studio: service } = station;
  try {
    await station.start();
  } catch (e) {
    dialog.showErrorBox('Cycast Studio cannot start the server', (e as Error).message);
    app.exit(3);
    return;
  }

  const win = createStudioWindow();
  const studioUrl = pathToFileURL(INDEX).href;
  const unsubscribe = wireStudioIpc(win, studioUrl, service);
  createTray(win, engine);

  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  app.on('before-quit', () => {
    unsubscribe();
    void station.stop();
  });
  app.on('window-all-closed', () => app.quit());

  if (!existsSync(INDEX)) {
    dialog.showErrorBox('Cycast Studio', `The studio UI is not built (${INDEX} is missing). Run "npm run build".`);
  }
  await win.loadFile(INDEX);
}

/** The studio's window: sandboxed, remembered bounds, no navigation away, links in the system browser. */
function createStudioWindow(): BrowserWindow {
  // the studio needs no camera, microphone, notifications-by-web-API or any other permission
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const b = loadBounds();
  const win = new BrowserWindow({
    x: b.x,
    y: b.y,
    width: b.width,
    height: b.height,
    minWidth: 1000,
    minHeight: 640,
    backgroundColor: '#0f1216',
    title: 'Cycast Studio',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  if (b.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  const saveBounds = (): void => {
    const nb: Bounds = { ...win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      writeFileSync(boundsFile(), JSON.stringify(nb));
    } catch {
      // the window still closes; it just opens at the default size next time
    }
  };
  win.on('close', saveBounds);

  // no navigation away from the studio, no new windows; http(s) links open in the system browser
  const studioUrl = pathToFileURL(INDEX).href;
  win.webContents.on('will-navigate', (e, url) => {
    if (url !== studioUrl) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });

  return win;
}

/** The IPC adapter of the StudioApi for `win`; returns the unsubscribe of the event forwarding. */
function wireStudioIpc(win: BrowserWindow, studioUrl: string, service: StudioService): () => void {
  // IPC: only from our own window's top frame, only the StudioApi's methods with well-formed arguments
  const fromStudio = (e: IpcMainInvokeEvent): boolean => e.sender === win.webContents && e.senderFrame?.url === studioUrl;
  ipcMain.handle('studio:call', async (e, method: unknown, callArgs: unknown) => {
    if (!fromStudio(e)) throw new Error('refused: not the studio window');
    return dispatchStudioCall(service, method, callArgs);
  });
  // the preload asks once for the methods it exposes: the shared contract's list, so there is one list
  ipcMain.on('studio:methods', (e) => {
    e.returnValue = e.sender === win.webContents ? [...STUDIO_METHODS] : [];
  });
  ipcMain.handle('studio:pick', async (e, folders: unknown) => {
    if (!fromStudio(e)) throw new Error('refused: not the studio window');
    const r = await dialog.showOpenDialog(win, {
      title: folders === true ? 'Add music folders' : 'Add music files',
      defaultPath: service.musicFolder(),
      properties: folders === true ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'],
      filters: folders === true ? [] : [{ name: 'Audio', extensions: Object.keys(AUDIO_EXTENSIONS).map((e) => e.slice(1)) }],
    });
    return r.canceled ? [] : r.filePaths;
  });
  return service.subscribe((ev) => {
    if (!win.isDestroyed()) win.webContents.send('studio:event', ev);
  });

}

/** The tray icon: the on-air colour and listener count, a menu, notifications when a DJ comes and goes. */
function createTray(win: BrowserWindow, engine: Engine): void {
  const icons = { live: nativeImage.createFromBuffer(discPng(32, LIVE_RGB)), auto: nativeImage.createFromBuffer(discPng(32, AUTO_RGB)) };
  const tray = new Tray(icons.auto);
  const updateTray = (): void => {
    const main = [...engine.mounts.values()][0];
    const live = main?.source !== null && main?.source !== undefined;
    tray.setImage(live ? icons.live : icons.auto);
    tray.setToolTip(`Cycast Studio: ${live ? 'LIVE' : 'AutoDJ'} · ${engine.mounts.totalListeners} listener${engine.mounts.totalListeners === 1 ? '' : 's'}${main?.title ? `\n${main.title}` : ''}`);
  };
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show the studio', click: () => (win.isDestroyed() ? undefined : (win.show(), win.focus())) },
      { label: 'Skip track', click: () => engine.skip(engine.config.server.mount_point) },
      { type: 'separator' },
      { label: 'Quit', click: () => app.quit() },
    ]),
  );
  tray.on('click', () => win.show());
  for (const ev of ['source-connect', 'source-disconnect', 'listener-connect', 'listener-disconnect', 'title'] as const) engine.on(ev, updateTray);
  updateTray();
  engine.on('source-connect', (m) => {
    if (Notification.isSupported()) new Notification({ title: 'A DJ is live', body: `${m.source?.description.name || m.source?.ip} on ${m.path}` }).show();
  });
  engine.on('source-disconnect', (m, reason) => {
    if (Notification.isSupported()) new Notification({ title: 'The DJ left', body: `${m.path}: ${reason}` }).show();
  });

}

function valueOf(flag: string): string | null {
  const i = args.indexOf(flag);
  if (i >= 0) return args[i + 1] ?? null;
  const eq = args.find((a) => a.startsWith(`${flag}=`));
  return eq ? eq.slice(flag.length + 1) : null;
}
