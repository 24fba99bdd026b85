import { networkInterfaces } from 'node:os';

/** This machine's IPv4 addresses that other machines can reach (loopback left out). */
export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}
