// Who a client is: the socket's peer, or — only when that peer is a configured trusted proxy (nginx, Caddy
// in front of the server) — the address the proxy says it forwarded for. Behind a proxy every client would
// otherwise be the proxy's address, sharing one set of limits, one login slow-down and one stats visitor.

import { isIP } from 'node:net';

/** `::ffff:1.2.3.4` is 1.2.3.4 */
export function normalizeAddress(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** The addresses of an X-Forwarded-For list or a Forwarded header's for= parameters, in order. */
function forwardedChain(xff: string | undefined, forwarded: string | undefined): string[] {
  if (forwarded) {
    const out: string[] = [];
    for (const m of forwarded.matchAll(/for=("?)\[?([0-9A-Fa-f.:]+)\]?(?::\d+)?\1/gi)) out.push(m[2]);
    if (out.length) return out;
  }
  return xff ? xff.split(',').map((s) => s.trim()) : [];
}

/**
 * The client's address. `peer` is the socket's remote address; `header` reads a request header (lower-case
 * name). Walking the forwarded chain from the right, the first address that is not a trusted proxy is the
 * client; anything malformed stops the walk at the last trusted hop.
 */
export function clientAddress(peer: string, header: (name: string) => string | undefined, trusted: ReadonlySet<string>): string {
  const ip = normalizeAddress(peer);
  if (!trusted.size || !trusted.has(ip)) return ip;
  const chain = forwardedChain(header('x-forwarded-for'), header('forwarded')).slice(-32);
  let client = ip;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(chain[i]);
    if (!isIP(hop)) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}
