// Passwords in the raw config editor: shown masked, while the text that is checked and saved keeps the real
// values. A masked value maps back to the real one by its place: enclosing blocks, key, and how many times
// that key came before in the same block.

export const MASK = '••••••••';
const SECRET = /^(\s*)([A-Za-z0-9_]*password)(\s*=\s*)"((?:[^"\\\r\n]|\\.)*)"/;
const OPEN = /^\s*([A-Za-z_][\w-]*)((?:\s+"[^"\r\n]*")*)\s*\{\s*(?:#.*|\/\/.*)?$/;
const CLOSE = /^\s*\}/;

/** Walks the lines, calling `visit` for each secret attribute with its place; returns the lines rebuilt. */
function mapSecrets(text: string, visit: (place: string, value: string) => string): string {
  const stack: string[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const open = OPEN.exec(line);
    if (open) {
      stack.push(`${open[1]}${open[2].trim()}`);
      continue;
    }
    if (CLOSE.test(line)) {
      stack.pop();
      continue;
    }
    const m = SECRET.exec(line);
    if (!m) continue;
    const key = `${stack.join('/')}/${m[2]}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const value = visit(`${key}#${n}`, m[4]);
    lines[i] = `${m[1]}${m[2]}${m[3]}"${value}"${line.slice(m[0].length)}`;
  }
  return lines.join('\n');
}

/** The text with every non-empty password value replaced by MASK. */
export function maskSecrets(text: string): string {
  return mapSecrets(text, (_, v) => (v === '' ? v : MASK));
}

/**
 * Edited masked text back to real text: a value still equal to MASK takes the real value from `real` at the
 * same place; a value typed over the mask keeps what was typed (without the leftover mask dots).
 */
export function unmaskSecrets(edited: string, real: string): string {
  const values = new Map<string, string>();
  mapSecrets(real, (place, v) => {
    values.set(place, v);
    return v;
  });
  return mapSecrets(edited, (place, v) => (v === MASK ? (values.get(place) ?? v) : v.includes('•') ? v.replace(/•/g, '') : v));
}
