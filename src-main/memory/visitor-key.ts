// Privacy-preserving visitor keys: address + User-Agent hashed with a salt that changes every day. The same
// listener has one key all day (so unique listeners per day can be counted) and an unrelated one the next
// day; once a day's salt is deleted, nobody (the station included) can link a key back to an address.

import { createHmac, randomBytes } from 'node:crypto';

/** A calendar day in the station's local time, as YYYYMMDD. */
export function dayOf(ms: number): number {
  const d = new Date(ms);
  return d.getFullYear() * 10000 + (d.getMonth() + 1) * 100 + d.getDate();
}

export interface SaltStore {
  /** the salt of a day, if it is still kept */
  load(day: number): Buffer | null;
  save(day: number, salt: Buffer): void;
  /** forgets every salt older than `day` */
  forgetBefore(day: number): void;
}

/** Salts are kept for today and yesterday only (a visit that started yesterday is keyed with its day's). */
export class VisitorKeys {
  private readonly salts = new Map<number, Buffer>();

  constructor(private readonly store: SaltStore) {}

  private saltOf(day: number, today: number): Buffer {
    let salt = this.salts.get(day) ?? this.store.load(day);
    if (!salt) {
      // a day older than yesterday has no salt any more: the visit is keyed as today's
      if (day < today && day !== this.yesterdayOf(today)) return this.saltOf(today, today);
      salt = randomBytes(32);
      this.store.save(day, salt);
    }
    this.salts.set(day, salt);
    return salt;
  }

  private yesterdayOf(today: number): number {
    const y = Math.floor(today / 10000);
    const m = Math.floor(today / 100) % 100;
    const d = today % 100;
    return dayOf(new Date(y, m - 1, d - 1, 12).getTime());
  }

  /** 16 hex digits: 64 bits, no collisions to speak of among one day's listeners. */
  key(day: number, now: number, ip: string, userAgent: string): string {
    const today = dayOf(now);
    const mac = createHmac('sha256', this.saltOf(day, today));
    mac.update(ip);
    mac.update('\n');
    mac.update(userAgent.length > 1024 ? userAgent.slice(0, 1024) : userAgent);
    return mac.digest('hex').slice(0, 16);
  }

  /** Drops salts older than yesterday, here and in the store. */
  rotate(now: number): void {
    const keep = this.yesterdayOf(dayOf(now));
    for (const d of this.salts.keys()) if (d < keep) this.salts.delete(d);
    this.store.forgetBefore(keep);
  }
}
