// A private icecast2 on loopback, configured in a temp folder (it refuses to run as root without
// <changeowner>, so the folder is open to the user it changes to). Used as the reference peer.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePortPair, kill, sleep } from './server.js';

export const ICE_SOURCE_PW = 'ice-source-pw';
export const ICE_ADMIN = { user: 'admin', password: 'ice-admin-pw' };

export interface IcecastOptions {
  /** a port to use (to restart on the same one); default: a free pair (port + 1 is SHOUTcast's) */
  port?: number;
  /** a mount that takes SHOUTcast v1 sources on port + 1 */
  shoutcastMount?: string;
  /** slave of a master: host port user password, polled every `interval` seconds */
  master?: { port: number; user: string; password: string; interval: number };
  /** extra XML inside <icecast> */
  extra?: string;
  /** also listen with TLS on a port of its own (`tlsPort`), with this PEM file (certificate, then key) */
  tlsPem?: string;
}

export interface Icecast {
  port: number;
  /** the TLS port (opts.tlsPem), else 0 */
  tlsPort: number;
  child: ChildProcess;
  dir: string;
  url(path: string): string;
  errorLog(): string;
  stop(): Promise<void>;
}

export async function startIcecast(opts: IcecastOptions = {}): Promise<Icecast> {
  const port = opts.port ?? (await freePortPair());
  const dir = mkdtempSync(join(tmpdir(), 'cycast-ice-'));
  mkdirSync(join(dir, 'log'), { recursive: true });
  chmodSync(dir, 0o777);
  chmodSync(join(dir, 'log'), 0o777);
  const m = opts.master;
  const tlsPort = opts.tlsPem ? await freePort() : 0;
  if (opts.tlsPem) chmodSync(opts.tlsPem, 0o644); // icecast2 reads it as the user it changes to
  const xml = `<icecast>
  <location>test</location><admin>test@localhost</admin>
  <limits><clients>10000</clients><sources>10</sources><queue-size>524288</queue-size><client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout><source-timeout>10</source-timeout><burst-on-connect>1</burst-on-connect><burst-size>65536</burst-size></limits>
  <authentication><source-password>${ICE_SOURCE_PW}</source-password><relay-password>${ICE_SOURCE_PW}</relay-password><admin-user>${ICE_ADMIN.user}</admin-user><admin-password>${ICE_ADMIN.password}</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address>${opts.shoutcastMount ? `<shoutcast-mount>${opts.shoutcastMount}</shoutcast-mount>` : ''}</listen-socket>
  ${tlsPort ? `<listen-socket><port>${tlsPort}</port><bind-address>127.0.0.1</bind-address><ssl>1</ssl></listen-socket>` : ''}
  ${m ? `<master-server>127.0.0.1</master-server><master-server-port>${m.port}</master-server-port><master-update-interval>${m.interval}</master-update-interval><master-username>${m.user}</master-username><master-password>${m.password}</master-password><relays-on-demand>0</relays-on-demand>` : ''}
  ${opts.extra ?? ''}
  <fileserve>1</fileserve>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>${join(dir, 'log')}</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot>${opts.tlsPem ? `<ssl-certificate>${opts.tlsPem}</ssl-certificate>` : ''}</paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>4</loglevel></logging>
  <security><chroot>0</chroot><changeowner><user>nobody</user><group>nogroup</group></changeowner></security>
</icecast>\n`;
  const file = join(dir, 'icecast.xml');
  writeFileSync(file, xml);
  chmodSync(file, 0o644);
  const child = spawn('icecast2', ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = (p: string): string => `http://127.0.0.1:${port}${p}`;
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    if (child.exitCode !== null) throw new Error(`icecast2 exited: ${out}`);
    try {
      if ((await fetch(url('/status-json.xsl'))).ok) break;
    } catch {
      // not up yet
    }
  }
  return {
    port,
    tlsPort,
    child,
    dir,
    url,
    errorLog: () => {
      try {
        return readFileSync(join(dir, 'log', 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop: () => kill(child),
  };
}

/** icecast2's status-json sources, as an array, keyed by mount path. */
export async function iceSources(ice: Icecast): Promise<Map<string, Record<string, unknown>>> {
  const text = await (await fetch(ice.url('/status-json.xsl'))).text();
  let j: { icestats: { source?: unknown } };
  try {
    j = JSON.parse(text);
  } catch {
    // icecast2 2.4.4's XSL emits broken JSON while it has no source (`{"icestats":"server_start":...`)
    if (!text.includes('"source"')) return new Map();
    throw new Error(`icecast2 status-json unreadable: ${text.slice(0, 200)}`);
  }
  const src = j.icestats.source;
  const list = (Array.isArray(src) ? src : src ? [src] : []) as Record<string, unknown>[];
  return new Map(list.map((s) => [new URL(String(s.listenurl)).pathname, s]));
}
