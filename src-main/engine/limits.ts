// The limits in force: the config's `limits` block, with `clients` resolved against the process's
// open-file limit, so a full server still has descriptors for the DJ, the admin and the status page.

import { readFileSync } from 'node:fs';
import type { LimitsConfig } from '../../src-shared/config/schema.js';
import type { Limits } from './net/context.js';

/** descriptors kept back from `clients` for the process itself (files, the log, the AutoDJ) */
const PROCESS_RESERVE = 64;
/** connections kept back from listeners for sources, admins and pages */
export const NON_LISTENER_RESERVE = 32;
const FALLBACK_FD_LIMIT = 1024;

/** The soft open-file limit (Linux: /proc/self/limits), or a conservative guess where it cannot be read. */
export function descriptorLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return m[1] === 'unlimited' ? 1_000_000 : Number(m[1]);
  } catch {
    // not Linux: fall through
  }
  return FALLBACK_FD_LIMIT;
}

export function resolveLimits(cfg: LimitsConfig, fdLimit: number): Limits {
  const auto = Math.max(NON_LISTENER_RESERVE * 2, fdLimit - PROCESS_RESERVE);
  const clients = cfg.clients > 0 ? Math.min(cfg.clients, auto) : auto;
  return {
    clients,
    listeners: Math.max(1, clients - NON_LISTENER_RESERVE),
    sources: cfg.sources,
    listenersPerAddress: cfg.listeners_per_address,
    eventStreams: cfg.event_streams,
  };
}
