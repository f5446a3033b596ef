/**
 * A short-lived memory of successful password checks, so that Basic
 * authentication on every blob request does not pay scrypt each time.
 *
 * Entries are keyed by SHA-256 of `name:password` and the stored hash:
 * a password change (here or on another replica sharing the database)
 * changes the stored hash and so misses the cache; `forget(name)` drops a
 * user's entries at once on a change made through this process. Only
 * successes are remembered, for `ttlMs`, at most `size` entries (least
 * recently used leave first). Disabled or deleted accounts are still
 * refused: the caller reads the account row on every request.
 */
import crypto from 'node:crypto';

interface Entry {
  readonly name: string;
  readonly expires: number;
}

export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly size: number,
    private readonly now: () => number,
  ) {}

  private key(name: string, password: string, storedHash: string): string {
    return crypto.createHash('sha256').update(`${name}:${password}\0${storedHash}`).digest('base64');
  }

  has(name: string, password: string, storedHash: string): boolean {
    if (this.ttlMs <= 0) return false;
    const k = this.key(name, password, storedHash);
    const e = this.entries.get(k);
    if (!e) return false;
    this.entries.delete(k);
    if (e.expires <= this.now()) return false;
    this.entries.set(k, e);
    return true;
  }

  add(name: string, password: string, storedHash: string): void {
    if (this.ttlMs <= 0 || this.size <= 0) return;
    const k = this.key(name, password, storedHash);
    this.entries.delete(k);
    this.entries.set(k, { name, expires: this.now() + this.ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.size) break;
      this.entries.delete(oldest);
    }
  }

  forget(name: string): void {
    for (const [k, e] of this.entries) if (e.name === name) this.entries.delete(k);
  }

  get length(): number {
    return this.entries.size;
  }
}
