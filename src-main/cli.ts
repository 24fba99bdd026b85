// `cycast`: the command line. Runs the engine headless (no Electron import anywhere on this path), checks a
// config like `nginx -t`, prints help and version.

import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, formatIssue, loadConfigFile, type LoadedConfig } from './config/load.js';
import { descriptorLimit, PortInUseError, SERVER_VERSION, type BoundPorts, type RotatingLogFile } from './engine/index.js';
import { BUNDLED_CONFIG } from './paths.js';
import { defaultDataDir, ensureDataDir, type FirstRun } from './setup/first-run.js';
import { lanAddresses } from './host.js';
import { Station, stationLogger } from './station.js';
import type { CycastConfig } from '../src-shared/config/schema.js';

export const EXIT_OK = 0;
export const EXIT_USAGE = 64;
export const EXIT_CONFIG = 2;
export const EXIT_PORT_IN_USE = 3;
export const EXIT_MUSIC_FOLDER = 4;


const HELP = `Cycast Studio ${SERVER_VERSION}: an Icecast-compatible streaming server with a studio.

Usage:
  cycast --headless [--config FILE]   run the streaming server without a window
  cycast --check [--config FILE]      validate the config, print what would run, exit 0 (ok) or 2
  cycast --help | --version

Options:
  --config FILE   the config.hcl to use (default: the one in the per-user data folder)
  --headless      no window: the server and its web pages only (this is also what plain Node runs)
  --check         check the config and exit, like "nginx -t"
  -h, --help      this help
  -v, --version   print the version

Without --config, the config lives in the per-user data folder (${'$'}CYCAST_HOME, else ~/.config/cycast-studio
on Linux), made on the first start with random passwords; logs go to logs/ beside the config.
SIGHUP reloads the config (an invalid one is refused and the running one stays).

Exit codes: 0 ok, 2 bad config, 3 a port is already in use, 4 a music folder cannot be read,
64 bad command line.
`;

export interface CliArgs {
  headless: boolean;
  check: boolean;
  help: boolean;
  version: boolean;
  config: string | null;
}

export function parseArgs(argv: string[]): CliArgs {
  const a: CliArgs = { headless: false, check: false, help: false, version: false, config: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--headless') a.headless = true;
    else if (arg === '--check' || arg === '-t') a.check = true;
    else if (arg === '--help' || arg === '-h') a.help = true;
    else if (arg === '--version' || arg === '-v') a.version = true;
    else if (arg === '--config' || arg === '-c') {
      const v = argv[++i];
      if (!v) throw new UsageError(`${arg} needs a file name`);
      a.config = v;
    } else if (arg.startsWith('--config=')) a.config = arg.slice('--config='.length);
    else if (arg.startsWith('--') && /^--(inspect|enable|disable|no-sandbox)/.test(arg)) continue; // Chromium/Electron switches
    else throw new UsageError(`unknown option ${arg}`);
  }
  return a;
}

export class UsageError extends Error {}

/** The config to run: --config, else the per-user data folder's (made on first start). */
export function resolveConfigPath(given: string | null): { path: string; firstRun: FirstRun | null } {
  if (given) return { path: resolve(given), firstRun: null };
  const first = ensureDataDir(defaultDataDir());
  return { path: first.configPath, firstRun: first.created ? first : null };
}

/** For --check without --config: the data folder's config if there is one, else the bundled default (no writes). */
function configToCheck(given: string | null): string {
  if (given) return resolve(given);
  const own = resolve(defaultDataDir(), 'config.hcl');
  return existsSync(own) ? own : BUNDLED_CONFIG;
}

/** Music folders that exist but cannot be read: the server would play silence without saying why. */
export function unreadableMusicFolders(cfg: CycastConfig, baseDir: string): string[] {
  const bad: string[] = [];
  for (const m of cfg.mounts) {
    if (!m.playlist_enabled) continue;
    const dir = resolve(baseDir, m.playlist_directory);
    if (!existsSync(dir)) continue;
    if (!statSync(dir).isDirectory()) {
      bad.push(`${dir} (not a folder, for ${m.path})`);
      continue;
    }
    try {
      accessSync(dir, constants.R_OK | constants.X_OK);
      readdirSync(dir);
    } catch (e) {
      bad.push(`${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}, for ${m.path})`);
    }
  }
  return bad;
}

/** What would run: the lines shared by the start-up banner and --check. */
export function describePlan(cfg: CycastConfig, ports?: { listen: number; source: number; shoutcast: number }): string[] {
  const s = cfg.server;
  const listen = ports?.listen ?? s.listen_port;
  const source = ports?.source ?? s.source_port;
  const shout = ports ? ports.shoutcast : s.shoutcast_port === -1 ? s.source_port + 1 : s.shoutcast_port;
  const shown = s.host === '0.0.0.0' || s.host === '::' ? lanAddresses()[0] ?? '127.0.0.1' : s.host;
  const lines = [
    `  Sources connect to   ${shown}:${source}  (Icecast: SOURCE or PUT, user "${s.source_user || 'any'}", mount below)`,
  ];
  if (shout) lines.push(`  SHOUTcast v1 sources ${shown}:${shout}  (password only; BUTT/VirtualDJ in SHOUTcast mode)`);
  for (const m of cfg.mounts) {
    lines.push(`  Listen at            http://${shown}:${listen}${m.path}  (${m.format}${m.max_listeners ? `, at most ${m.max_listeners} listeners` : ''})`);
  }
  lines.push(`  Listener page        http://${shown}:${listen}/  (play, now playing; embeddable at /embed)`);
  lines.push(`  Status page          http://${shown}:${listen}/status`);
  lines.push(`  Studio (browser)     http://${shown}:${listen}/studio/  (user "${cfg.admin.user}", the admin password)`);
  lines.push(`  APIs                 /api/status  /api/stats  /status-json.xsl  /metrics  /admin/ (user "${cfg.admin.user}")`);
  if (s.host === '0.0.0.0' || s.host === '::') lines.push(`  Bound to             ${s.host} (every interface${lanAddresses().length ? `: ${['127.0.0.1', ...lanAddresses()].join(', ')}` : ''})`);
  return lines;
}

async function loadOrExplain(path: string, out: (s: string) => void): Promise<LoadedConfig | null> {
  try {
    const loaded = await loadConfigFile(path);
    for (const n of loaded.notices) out(formatIssue(path, n));
    return loaded;
  } catch (e) {
    if (e instanceof ConfigError) {
      out(e.message);
      out(`${path}: ${e.issues.length} error${e.issues.length === 1 ? '' : 's'}; nothing was started.`);
      return null;
    }
    throw e;
  }
}

export async function runHeadless(configPath: string, firstRun: FirstRun | null = null): Promise<number> {
  const loaded = await loadOrExplain(configPath, (s) => console.error(s));
  if (!loaded) return EXIT_CONFIG;
  const { config } = loaded;
  const unreadable = unreadableMusicFolders(config, dirname(configPath));
  if (unreadable.length) {
    for (const u of unreadable) console.error(`cycast: cannot read the music folder ${u}; fix its permissions or set playlist.directory`);
    return EXIT_MUSIC_FOLDER;
  }
  const { logger, file: logFile } = stationLogger(config.advanced.verbose_logging, resolve(dirname(configPath), 'logs'));
  const station = new Station({ config, configPath, logger });
  const { engine } = station;
  let ports;
  try {
    ports = await station.start();
  } catch (e) {
    if (e instanceof PortInUseError) {
      console.error(`cycast: ${e.message}`);
      return EXIT_PORT_IN_USE;
    }
    console.error(`cycast: ${(e as Error).message}`);
    return 1;
  }
  logger.info(`Cycast Studio ${SERVER_VERSION} started: config ${configPath}; ports listen ${ports.listen}, source ${ports.source}, SHOUTcast ${ports.shoutcast || 'off'}; holds up to ${engine.limits.listeners} listeners and ${engine.limits.sources} sources (limits)`);
  console.log(banner(station, configPath, logFile?.path ?? null, ports, firstRun));
  return serveUntilStopped(station, configPath, logFile);
}

/** Runs until SIGINT or SIGTERM; SIGHUP reloads config.hcl with the studio's apply rules. */
function serveUntilStopped(station: Station, configPath: string, logFile: RotatingLogFile | null): Promise<number> {
  const { engine } = station;
  const logger = engine.log;
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal}: stopping`);
      // never hang on shutdown: whatever is not closed in 2 s is abandoned
      const force = setTimeout(() => done(EXIT_OK), 1800);
      force.unref();
      station.stop().then(() => {
        logFile?.close();
        clearTimeout(force);
        done(EXIT_OK);
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => {
      // same rules as the studio's apply: an invalid file is refused, nothing that did not change is touched;
      // the check runs in the config checker's process, so the stream goes on meanwhile
      loadConfigFile(configPath)
        .then(async (next) => {
          const changes = await engine.applyConfig(next.config);
          logger.info(`SIGHUP: reloaded ${configPath}: ${changes.length ? changes.map((c) => `${c.path} (${c.effect})`).join('; ') : 'nothing changed'}`);
        })
        .catch((e) => {
          if (e instanceof ConfigError) logger.error(`SIGHUP: ${configPath} not reloaded, the running config stays: ${e.issues.map((i) => formatIssue(configPath, i)).join('; ')}`);
          else logger.error(`SIGHUP: reload failed: ${(e as Error).message}`);
        });
    });
  });
}

/** The start-up banner: where to connect, what the server holds, and on the first start the passwords. */
function banner(station: Station, configPath: string, logPath: string | null, ports: BoundPorts, firstRun: FirstRun | null): string {
  const { engine } = station;
  const config = engine.config;
  const weak = config.server.source_password === 'hackme';
  const fresh = firstRun
    ? [
        `  First start: created ${configPath}`,
        `  Source password      ${firstRun.sourcePassword}  (user "${config.server.source_user || 'any'}")`,
        `  Admin password       ${firstRun.adminPassword}  (user "${config.admin.user}"; studio and /admin/)`,
        `  Relay password       ${firstRun.relayPassword}  (user "${config.admin.relay_user}"; for Icecast slaves: <master-password>)`,
        `  Music folder         ${resolve(dirname(configPath), config.playlist.directory)}`,
        '  (the passwords are in config.hcl; this is the only time they are printed)',
      ]
    : [];
  return [
    '',
    `  Cycast Studio ${SERVER_VERSION}: ${config.metadata.station_name}`,
    `  Config               ${configPath}`,
    ...(logPath ? [`  Log file             ${logPath}`] : []),
    ...describePlan(config, ports),
    `  Holds                ${engine.limits.listeners} listeners, ${engine.limits.sources} live sources (limits block; open-file limit ${descriptorLimit()})`,
    ...fresh,
    ...(weak ? ['  WARNING: the source password is still "hackme": change server.source_password'] : []),
    '',
    '  Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

export async function runCheck(configPath: string): Promise<number> {
  const loaded = await loadOrExplain(configPath, (s) => console.error(s));
  if (!loaded) return EXIT_CONFIG;
  console.log(`${configPath}: the configuration is valid. This would run:`);
  console.log(describePlan(loaded.config).join('\n'));
  return EXIT_OK;
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`cycast: ${e.message}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  if (args.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (args.version) {
    console.log(`cycast ${SERVER_VERSION}`);
    return EXIT_OK;
  }
  if (args.check) return runCheck(configToCheck(args.config));
  const { path: configPath, firstRun } = resolveConfigPath(args.config);
  // Under plain Node there is no window to open: headless is the only mode (the desktop app starts
  // through Electron's own entry).
  return runHeadless(configPath, firstRun);
}
