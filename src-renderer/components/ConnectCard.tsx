// The exact settings to type into DJ software, for this machine's addresses, with copy buttons.
import { useEffect, useState } from 'react';
import type { ConnectionInfo } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';
import { useStudio } from '../store.js';

function Copy({ text, label }: { text: string; label: string }) {
  const toast = useStudio((s) => s.toast);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      toast('info', `${label} copied`);
    } catch {
      // clipboard access needs a secure context; fall back to selecting the text
      window.prompt(`Copy the ${label.toLowerCase()}:`, text);
    }
  };
  return (
    <button className="small" onClick={() => void copy()} aria-label={`Copy ${label}`}>
      Copy
    </button>
  );
}

export function ConnectCard() {
  const [info, setInfo] = useState<ConnectionInfo | null>(null);
  const [host, setHost] = useState('');
  const [show, setShow] = useState(false);
  const server = useStudio((s) => s.server);
  useEffect(() => {
    studio.connectionInfo().then((i) => {
      setInfo(i);
      setHost(i.addresses[0] ?? '127.0.0.1');
    }, () => setInfo(null));
  }, [server]);
  if (!info) return null;
  // 127.0.0.1 reaches this machine only: say so instead of offering it to another machine
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  const lanToo = info.addresses.some((a) => a !== host && a !== '127.0.0.1');
  const pw = show ? info.password : '•'.repeat(Math.min(12, info.password.length));
  const mountName = info.mount.replace(/^\//, '');
  return (
    <section className="card connect" data-testid="connect-card">
      <h3>Connect your DJ software</h3>
      <div className="connect-top">
        <label>
          Address{' '}
          <select value={host} onChange={(e) => setHost(e.target.value)} aria-label="Address">
            {info.addresses.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <span>
          Password <code data-testid="source-password">{pw}</code> <button className="small" onClick={() => setShow(!show)}>{show ? 'Hide' : 'Show'}</button>{' '}
          <Copy text={info.password} label="Source password" />
        </span>
        {info.weakPassword && <span className="badge warn">still the default password: change it in Config</span>}
      </div>
      {loopback && (
        <p className="muted small" data-testid="loopback-note">
          {lanToo ? '127.0.0.1 works only for software on this machine; pick another address for a DJ elsewhere on your network.' : 'The server listens on this machine only (server.host in Config): DJ software must run here too.'}
        </p>
      )}
      <table className="connect-table">
        <tbody>
          <tr>
            <th>Mixxx</th>
            <td>Live Broadcasting → Type <b>Icecast 2</b>, Host <code>{host}</code>, Port <code>{info.sourcePort}</code>, Mount <code>{info.mount}</code>, Login <code>{info.user}</code>, Password as above</td>
          </tr>
          <tr>
            <th>BUTT</th>
            <td>Server type <b>Icecast</b>, Address <code>{host}</code>, Port <code>{info.sourcePort}</code>, Mountpoint <code>{mountName}</code>, User <code>{info.user}</code>{info.shoutcastPort ? <> (or SHOUTcast, port <code>{info.shoutcastPort}</code>, password only)</> : null}</td>
          </tr>
          <tr>
            <th>VLC</th>
            <td>Stream → Icecast: Address <code>{host}</code>, Port <code>{info.sourcePort}</code>, Mount point <code>{info.mount}</code>, Login:pass <code>{info.user}:{pw}</code></td>
          </tr>
          <tr>
            <th>ffmpeg</th>
            <td>
              <code>
                -f mp3 -content_type audio/mpeg icecast://{info.user}:{pw}@{host}:{info.sourcePort}{info.mount}
              </code>{' '}
              <Copy text={`-f mp3 -content_type audio/mpeg icecast://${info.user}:${info.password}@${host}:${info.sourcePort}${info.mount}`} label="ffmpeg output" />
            </td>
          </tr>
          <tr>
            <th>Studio</th>
            <td>
              {loopback ? 'in a browser on this machine' : 'in a browser on another machine'}: <code>http://{host}:{info.listenPort}/studio/</code>, user <code>{info.adminUser}</code>, password{' '}
              <code>{show ? info.adminPassword : '•'.repeat(Math.min(12, info.adminPassword.length))}</code> <Copy text={info.adminPassword} label="Admin password" />
            </td>
          </tr>
          <tr>
            <th>Listen</th>
            <td>
              <code>http://{host}:{info.listenPort}{info.mount}</code> <Copy text={`http://${host}:${info.listenPort}${info.mount}`} label="Stream address" />
            </td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
