// `cycast`: the command line. Runs the engine headless (no Electron import anywhere on this path), checks a
// config like `nginx -t`, prints help and version.

import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError, formatIssue, loadConfigFile, type LoadedConfig } from './config/load.js';
import { Engine, PortInUseError } from './engine/engine.js';
import { formatLogLine, Logger } from './engine/log.js';
import { SERVER_VERSION } from './engine/version.js';
import { BUNDLED_CONFIG, RENDERER_DIR } from './paths.js';
import { StudioService } from './studio/service.js';
import { attachStudioHttp } from './web/studio-http.js';
import type { CycastConfig } from '../src-shared/config/schema.js';

export const EXIT_OK = 0;
export const EXIT_USAGE = 64;
export const EXIT_CONFIG = 2;
export const EXIT_PORT_IN_USE = 3;


const HELP = `Cycast Studio ${SERVER_VERSION}: an Icecast-compatible streaming server with a studio.

Usage:
  cycast --headless [--config FILE]   run the streaming server without a window
  cycast --check [--config FILE]      validate the config, print what would run, exit 0 (ok) or 2
  cycast --help | --version

Options:
  --config FILE   the config.hcl to use (default: ./config.hcl if present, else the bundled default)
  --headless      no window: the server and its web pages only (this is also what plain Node runs)
  --check         check the config and exit, like "nginx -t"
  -h, --help      this help
  -v, --version   print the version

Exit codes: 0 ok, 2 bad config, 3 a port is already in use, 64 bad command line.
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

export function resolveConfigPath(given: string | null): string {
  if (given) return resolve(given);
  const local = resolve('config.hcl');
  return existsSync(local) ? local : BUNDLED_CONFIG;
}

function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
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
  lines.push(`  Status page          http://${shown}:${listen}/`);
  lines.push(`  Studio (browser)     http://${shown}:${listen}/studio/  (user "${cfg.admin.user}", the admin password)`);
  lines.push(`  APIs                 /api/status  /api/stats  /status-json.xsl  /metrics  /admin/ (user "${cfg.admin.user}")`);
  if (s.host === '0.0.0.0' || s.host === '::') lines.push(`  Bound to             ${s.host} (every interface${lanAddresses().length ? `: ${['127.0.0.1', ...lanAddresses()].join(', ')}` : ''})`);
  return lines;
}

function loadOrExplain(path: string, out: (s: string) => void): LoadedConfig | null {
  try {
    const loaded = loadConfigFile(path);
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

export async function runHeadless(configPath: string): Promise<number> {
  const loaded = loadOrExplain(configPath, (s) => console.error(s));
  if (!loaded) return EXIT_CONFIG;
  const { config } = loaded;
  const logger = new Logger(config.advanced.verbose_logging);
  logger.subscribe((e) => (e.level === 'error' || e.level === 'warn' ? console.error : console.log)(formatLogLine(e)));
  const engine = new Engine(config, logger, { baseDir: dirname(configPath) });
  const studio = new StudioService(engine, configPath);
  attachStudioHttp(engine, studio, RENDERER_DIR);
  studio.start();
  let ports;
  try {
    ports = await engine.start();
  } catch (e) {
    await engine.stop();
    if (e instanceof PortInUseError) {
      console.error(`cycast: ${e.message}`);
      return EXIT_PORT_IN_USE;
    }
    console.error(`cycast: ${(e as Error).message}`);
    return 1;
  }
  const weak = config.server.source_password === 'hackme';
  console.log(
    [
      '',
      `  Cycast Studio ${SERVER_VERSION}: ${config.metadata.station_name}`,
      `  Config               ${configPath}`,
      ...describePlan(config, ports),
      ...(weak ? ['  WARNING: the source password is still "hackme": change server.source_password'] : []),
      '',
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal}: stopping`);
      // never hang on shutdown: whatever is not closed in 2 s is abandoned
      const force = setTimeout(() => done(EXIT_OK), 1800);
      force.unref();
      studio.stop();
      engine.stop().then(() => {
        clearTimeout(force);
        done(EXIT_OK);
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export function runCheck(configPath: string): number {
  const loaded = loadOrExplain(configPath, (s) => console.error(s));
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
  const configPath = resolveConfigPath(args.config);
  if (args.check) return runCheck(configPath);
  // Under plain Node there is no window to open: headless is the only mode (the desktop app starts
  // through Electron's own entry).
  return runHeadless(configPath);
}
