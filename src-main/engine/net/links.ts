// The station's links past the LAN: its push outputs and pull relays, started with the engine, kept in step
// with the config, and reported to the APIs and the studio.

import type { AudioFormat, CycastConfig, OutputConfig, RelayConfig } from '../../../src-shared/config/schema.js';
import type { LinksView, OutputView, RelayView } from '../../../src-shared/studio-api.js';
import type { LinkHost } from './link-host.js';
import { Output } from './output.js';
import { Relay } from './relay.js';


/** A URL as it may be shown: the password replaced. */
export function redactUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^@/]*)@/, (_, scheme: string, userinfo: string) => {
    const c = userinfo.indexOf(':');
    return `${scheme}${c < 0 ? userinfo : `${userinfo.slice(0, c)}:***`}@`;
  });
}

export class Links {
  private readonly outputs = new Map<string, Output>();
  private readonly relays = new Map<string, Relay>();
  private started = false;

  constructor(private readonly host: LinkHost) {}

  start(config: CycastConfig): void {
    this.started = true;
    this.apply(config);
  }

  stop(): void {
    this.started = false;
    for (const o of this.outputs.values()) o.stop();
    for (const r of this.relays.values()) r.stop();
  }

  /** Starts what the config adds, stops what it removes, restarts what it changes. */
  apply(config: CycastConfig): void {
    if (!this.started) return;
    // relays first: an output may send a relay mount
    const wantedRelays = new Map(config.relays.map((r) => [r.path, r]));
    /** the upstream's format a restarted relay's mount still has (it follows the upstream, and is kept) */
    const learned = new Map<string, AudioFormat | null>();
    for (const [path, r] of this.relays) {
      const next = wantedRelays.get(path);
      // restart a relay whose mount the apply replaced (a config mount on its path, a format change)
      if (!next || !sameRelay(r.config, next) || this.host.mount(path) !== r.target) {
        const dropMount = !next || next.format !== r.config.format;
        r.stop(dropMount);
        if (!dropMount && this.host.mount(path) === r.target) learned.set(path, r.learned);
        this.relays.delete(path);
      }
    }
    for (const cfg of config.relays) {
      if (this.relays.has(cfg.path)) continue;
      const r = new Relay(cfg, this.host, learned.get(cfg.path) ?? null);
      this.relays.set(cfg.path, r);
      r.start();
    }
    const wantedOutputs = new Map(config.outputs.map((o) => [o.id, o]));
    for (const [id, o] of this.outputs) {
      const next = wantedOutputs.get(id);
      if (!next || JSON.stringify(next) !== JSON.stringify(o.config)) {
        o.stop();
        this.outputs.delete(id);
      }
    }
    for (const cfg of config.outputs) {
      if (this.outputs.has(cfg.id)) continue;
      const o = new Output(cfg, this.host);
      this.outputs.set(cfg.id, o);
      if (cfg.enabled) o.start();
    }
  }

  outputReports(): OutputView[] {
    return [...this.outputs.values()].map((o) => ({
      ...o.status,
      bytes: o.bytesSent,
      id: o.id,
      mount: o.config.mount,
      target: redactUrl(o.config.url),
      enabled: o.config.enabled,
    }));
  }

  /** Both lists, as the status documents and the studio show them. */
  reports(): LinksView {
    return { outputs: this.outputReports(), relays: this.relayReports() };
  }

  relayReports(): RelayView[] {
    return [...this.relays.values()].map((r) => ({ ...r.status, mount: r.path, upstream: redactUrl(r.config.url), on_demand: r.config.on_demand }));
  }
}

function sameRelay(a: RelayConfig, b: RelayConfig): boolean {
  return a.url === b.url && a.on_demand === b.on_demand && a.format === b.format && a.tls_ca_file === b.tls_ca_file;
}

export type { OutputConfig };
