/**
 * A small bounded cache of promises with a lifetime per entry: concurrent
 * look-ups of one key share one promise, a rejected look-up is not kept,
 * the least recently used entry goes first when the cache is full.
 */
export interface TtlCache<V> {
  get(key: string, ttlMs: number | ((value: V) => number), load: () => Promise<V>): Promise<V>;
  /** Drops every entry whose key starts with `prefix` (all when absent). */
  drop(prefix?: string): void;
  readonly size: number;
  /** Look-ups answered from the cache / loaded. */
  stats(): { hits: number; misses: number };
}

interface Entry<V> {
  readonly promise: Promise<V>;
  expires: number;
}

export function createTtlCache<V>(maxEntries: number, now: () => number): TtlCache<V> {
  const entries = new Map<string, Entry<V>>();
  let hits = 0;
  let misses = 0;
  return {
    get(key, ttl, load) {
      const t = now();
      const found = entries.get(key);
      if (found && found.expires > t) {
        entries.delete(key);
        entries.set(key, found);
        hits++;
        return found.promise;
      }
      misses++;
      entries.delete(key);
      // Until it settles the entry lives as long as the shortest lifetime could be.
      const entry: Entry<V> = { promise: load(), expires: Number.POSITIVE_INFINITY };
      entries.set(key, entry);
      entry.promise.then(
        (v) => {
          entry.expires = now() + (typeof ttl === 'function' ? ttl(v) : ttl);
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      return entry.promise;
    },
    drop(prefix) {
      if (prefix === undefined) entries.clear();
      else for (const k of [...entries.keys()]) if (k.startsWith(prefix)) entries.delete(k);
    },
    get size() {
      return entries.size;
    },
    stats: () => ({ hits, misses }),
  };
}
