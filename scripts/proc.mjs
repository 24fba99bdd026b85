// Small helpers the measuring scripts (bench, relay-bench, soak, load-probe) share: ports, sleeping, a
// process's CPU and memory from /proc, and a private icecast2's config.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback port nobody listens on right now. */
export const freePort = () =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

/** CPU time (user + system) a process has used, in clock ticks (100 per second on Linux). */
export const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};

/** Resident memory of a process, MiB. */
export const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/**
 * Writes a private icecast2 config in `dir` (port `port` on loopback, source password "bench", its logs in
 * dir/log, `extra` XML inside <icecast>) and returns its path. icecast2 refuses to run as root without
 * <changeowner>, and the user it changes to must be able to write its logs.
 */
export function writeIcecastConfig(dir, port, extra = '<fileserve>1</fileserve>') {
  const log = join(dir, 'log');
  mkdirSync(log, { recursive: true });
  chmodSync(dir, 0o777);
  chmodSync(log, 0o777);
  const xml = join(dir, 'icecast.xml');
  writeFileSync(
    xml,
    `<icecast>
  <location>bench</location><admin>bench@localhost</admin>
  <limits><clients>30000</clients><sources>4</sources><queue-size>524288</queue-size><client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout><source-timeout>10</source-timeout><burst-on-connect>1</burst-on-connect><burst-size>65536</burst-size></limits>
  <authentication><source-password>bench</source-password><admin-user>admin</admin-user><admin-password>bench</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  ${extra}
  <paths><basedir>/usr/share/icecast2</basedir><logdir>${log}</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot><changeowner><user>nobody</user><group>nogroup</group></changeowner></security>
</icecast>\n`,
  );
  chmodSync(xml, 0o644);
  return xml;
}
