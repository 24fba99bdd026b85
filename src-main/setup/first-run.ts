// Where Cycast keeps its files, and the first start: config.hcl made from the bundled default, with the
// source, admin and relay passwords generated at random (never "hackme"), and a music folder beside it.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { applyHclEdits } from '../../src-shared/config/hcl-edit.js';
import { writeFileAtomic } from '../engine/index.js';
import { BUNDLED_CONFIG } from '../paths.js';

export const APP_FOLDER = 'cycast-studio';

/** The per-user data folder: $CYCAST_HOME, else the platform's config folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CYCAST_HOME) return env.CYCAST_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Cycast Studio');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Cycast Studio');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_FOLDER);
}

/** A password that is easy to type into an encoder: 20 characters of [A-Za-z0-9]. */
export function randomPassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (const b of bytes) {
    // rejection sampling keeps every character equally likely
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : randomPassword(length);
}

export interface FirstRun {
  configPath: string;
  created: boolean;
  sourcePassword?: string;
  adminPassword?: string;
  /** for Icecast slaves relaying this server (admin.relay_password) */
  relayPassword?: string;
}

/**
 * Makes sure `dataDir/config.hcl` exists. On the first start it is written from the bundled default with
 * fresh random passwords (comments kept), and `dataDir/music` is created for the playlist.
 */
export function ensureDataDir(dataDir: string): FirstRun {
  const configPath = join(dataDir, 'config.hcl');
  if (existsSync(configPath)) return { configPath, created: false };
  mkdirSync(join(dataDir, 'music'), { recursive: true });
  const sourcePassword = randomPassword();
  const adminPassword = randomPassword();
  const relayPassword = randomPassword();
  const text = applyHclEdits(readFileSync(BUNDLED_CONFIG, 'utf8'), [
    { block: 'server', key: 'source_password', value: sourcePassword },
    { block: 'admin', key: 'password', value: adminPassword },
    { block: 'admin', key: 'relay_password', value: relayPassword },
  ]);
  // it holds passwords: readable by its owner only
  writeFileAtomic(configPath, text, 0o600);
  return { configPath, created: true, sourcePassword, adminPassword, relayPassword };
}
