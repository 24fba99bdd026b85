// Text that came from outside (titles, User-Agents, ice-* headers, tags, file names, request paths) made
// safe for where it goes: a log line (one event, one line, no terminal escapes, no bidi tricks), an XML
// document, a header or playlist line. Each function bounds the length too.

/** Control characters (C0, DEL, C1) */
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;
/** Bidirectional overrides, embeddings and isolates: they reorder what a reader sees (U+202E "RLO"). */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

const hex = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
const uni = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Cuts `s` to `max` UTF-16 units without splitting a surrogate pair, marking the cut. */
export function capLength(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}… (${s.length - end} more characters)`;
}

/** For a log line: control characters as \xNN, bidi controls as \uNNNN, at most `max` characters. */
export function logSafe(s: string, max = 2000): string {
  return capLength(s, max).replace(CONTROL, hex).replace(BIDI, uni);
}

/** For one header or playlist line: control characters become spaces, bidi controls are dropped. */
export function lineSafe(s: string, max = 1024): string {
  return capLength(s, max).replace(CONTROL, ' ').replace(BIDI, '').trim();
}

/** Characters XML 1.0 cannot hold at all (escaping does not help): replaced by U+FFFD. */
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text content or an attribute value in an XML document. */
export function xmlEscape(s: string): string {
  return s.replace(NOT_XML, '\ufffd').replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** Query secrets (SHOUTcast's pass=) never reach the log. */
export function redactSecrets(url: string): string {
  return url.replace(/([?&](?:pass|password)=)[^&]*/gi, '$1***');
}
