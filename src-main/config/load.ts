// Reads config.hcl for the station: the check runs in the config checker's child process (checker.ts), so
// the station never loads hcl2-parser and never blocks its event loop on a parse.

import { readFileSync, statSync } from 'node:fs';
import type { ConfigIssue } from '../../src-shared/config/validate.js';
import type { CycastConfig } from '../../src-shared/config/schema.js';
import type { ConfigCheck } from './check.js';
import { ConfigChecker, ConfigCheckFailure } from './checker.js';

export type { ConfigCheck } from './check.js';
export { ConfigChecker, ConfigCheckFailure } from './checker.js';

/** config.hcl is a few kilobytes; anything near this is not a config (and costs seconds of parse time) */
export const MAX_CONFIG_CHARS = 256 * 1024;

const defaultChecker = new ConfigChecker();

/**
 * Parses and validates config text. Never throws: problems with the text, and a check that could not be
 * done (the checker did not start, or took too long), come back as errors.
 */
export async function checkConfigText(text: string, checker: ConfigChecker = defaultChecker): Promise<ConfigCheck> {
  const refused = (message: string): ConfigCheck => ({ config: null, errors: [{ severity: 'error', path: '', message }], notices: [] });
  if (text.length > MAX_CONFIG_CHARS) return refused(`the config is larger than ${MAX_CONFIG_CHARS} characters`);
  try {
    return await checker.check(text);
  } catch (e) {
    if (!(e instanceof ConfigCheckFailure)) throw e;
    return refused(`the config could not be checked: ${e.message}`);
  }
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'ConfigError';
  }
}

/** `config.hcl:12:5: error: buffer.size_mb must be between 1 and 1000, got 5000` */
export function formatIssue(file: string, i: ConfigIssue): string {
  const where = i.line ? `${file}:${i.line}:${i.column}` : file;
  return `${where}: ${i.severity}: ${i.message}`;
}

export interface LoadedConfig {
  path: string;
  text: string;
  config: CycastConfig;
  notices: ConfigIssue[];
}

/** Reads and validates a config file; throws ConfigError (with every problem) if it cannot be used. */
export async function loadConfigFile(path: string, checker: ConfigChecker = defaultChecker): Promise<LoadedConfig> {
  let text: string;
  try {
    // a config is a few kilobytes: a huge file (a wrong --config) is refused before it is read
    const size = statSync(path).size;
    if (size > MAX_CONFIG_CHARS * 4) {
      throw new ConfigError(path, [{ severity: 'error', path: '', message: `the file is ${size} bytes: not a config.hcl (at most ${MAX_CONFIG_CHARS} characters)` }]);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new ConfigError(path, [{ severity: 'error', path: '', message: `cannot read the config file: ${why}` }]);
  }
  const r = await checkConfigText(text, checker);
  if (!r.config) throw new ConfigError(path, r.errors);
  return { path, text, config: r.config, notices: r.notices };
}
