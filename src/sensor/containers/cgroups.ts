/**
 * cgroup v2 id → path. The id the kernel reports (bpftrace's `cgroup`) is
 * the inode number of the cgroup's directory in the unified hierarchy, so
 * the hierarchy is walked once and indexed by inode. A miss walks it again,
 * at most once per `rewalkMs` (concurrent misses share one walk; a miss that
 * comes too soon waits for the next walk rather than failing).
 */
import { existsSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CgroupIndexOptions {
  readonly root: string;
  /** Directories indexed at most (default 100 000). */
  readonly maxEntries?: number;
  /** Deepest level walked (default 32). */
  readonly maxDepth?: number;
  /** Shortest time between two walks (default 250 ms). */
  readonly rewalkMs?: number;
}

export interface CgroupIndex {
  /** Path relative to the hierarchy's root (`/system.slice/…`; `/` for the root), or undefined. */
  path(cgroupId: string): Promise<string | undefined>;
  /** The inode (cgroup id) of a relative path, or undefined when it is gone. */
  idOf(path: string): Promise<string | undefined>;
  forget(cgroupId: string): void;
}

/** The unified (v2) hierarchy: `/sys/fs/cgroup/unified` on hybrid hosts, else `/sys/fs/cgroup`. */
export function defaultCgroupRoot(): string {
  return existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';
}

async function inode(path: string): Promise<string | undefined> {
  try {
    const st = await lstat(path, { bigint: true });
    return st.isDirectory() ? st.ino.toString() : undefined;
  } catch {
    return undefined;
  }
}

async function walk(root: string, maxEntries: number, maxDepth: number): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  const rootId = await inode(root);
  if (rootId === undefined) return index;
  index.set(rootId, '/');
  let level: string[] = [''];
  for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      let entries;
      try {
        entries = await readdir(join(root, rel), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        if (index.size >= maxEntries) return index;
        const child = `${rel}/${e.name}`;
        const id = await inode(join(root, child));
        if (id === undefined) continue;
        index.set(id, child);
        next.push(child);
      }
    }
    level = next;
  }
  return index;
}

export function createCgroupIndex(opts: CgroupIndexOptions): CgroupIndex {
  const maxEntries = opts.maxEntries ?? 100_000;
  const maxDepth = opts.maxDepth ?? 32;
  const rewalkMs = opts.rewalkMs ?? 250;
  let index = new Map<string, string>();
  let lastWalk = -Infinity;
  let walkStarted = -Infinity;
  let walking: Promise<void> | undefined;

  const rewalk = (): Promise<void> =>
    (walking ??= (async () => {
      const wait = lastWalk + rewalkMs - Date.now();
      if (wait > 0) await sleep(wait);
      walkStarted = Date.now();
      try {
        index = await walk(opts.root, maxEntries, maxDepth);
      } finally {
        lastWalk = Date.now();
        walking = undefined;
      }
    })());

  return {
    async path(cgroupId) {
      if (!/^\d{1,20}$/.test(cgroupId)) return undefined;
      const hit = index.get(cgroupId);
      if (hit !== undefined) return hit;
      const asked = Date.now();
      await rewalk();
      // A walk already under way when the miss came may have passed the new cgroup by.
      if (!index.has(cgroupId) && walkStarted < asked) await rewalk();
      return index.get(cgroupId);
    },
    async idOf(path) {
      if (!path.startsWith('/') || path.split('/').includes('..')) return undefined;
      return inode(join(opts.root, path));
    },
    forget(cgroupId) {
      index.delete(cgroupId);
    },
  };
}
