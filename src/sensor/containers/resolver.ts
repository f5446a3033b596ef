/**
 * Attribution: cgroup id (and pid) → the container it belongs to.
 *
 * cgroup id → cgroup path (the `0::` line of /proc/PID/cgroup when the pid
 * is still in that cgroup, else the inode index of the unified hierarchy) →
 * container id and runtime from the path's layout (paths.ts) → runc state
 * (`<root>/<id>/state.json`) and the bundle's config.json annotations
 * (annotations.ts). A path no runtime pattern matches is a container only if
 * a runtime root has a state directory for one of its last components (plain
 * runc with cgroupfs). Everything else is a host process: undefined. A
 * state that records another cgroup than the one matched (a container that
 * made a sub-cgroup named after a neighbour) is refused, and the cgroup is
 * attributed to the container above it.
 *
 * Results with runtime state are cached (bounded, least recently used
 * first out) until `forget`; host results and containers whose state is not
 * written yet (a runtime creates the cgroup before state.json) are kept only
 * `retryMs`.
 */
import { dirname, join } from 'node:path';
import type { ContainerRef } from '../model/index.js';
import { fieldsOf, runtimeOf } from './annotations.js';
import { createCgroupIndex, defaultCgroupRoot } from './cgroups.js';
import { readBounded } from './fsread.js';
import { candidateIds, matchCgroupPath, type Runtime } from './paths.js';
import { readStat } from './proc.js';
import { readRuntimeState, type RuntimeState } from './state.js';

export interface RuntimeRoot {
  /** A runc state directory (`runc --root`). */
  readonly path: string;
  /** The runtime whose containers live there, when the path and annotations do not tell. */
  readonly runtime: Runtime;
}

/** Where containerd, Docker, CRI-O and plain runc keep runc state by default. */
export const DEFAULT_RUNTIME_ROOTS: readonly RuntimeRoot[] = [
  { path: '/run/containerd/runc/k8s.io', runtime: 'containerd' },
  { path: '/run/containerd/runc/default', runtime: 'containerd' },
  { path: '/run/containerd/runc/moby', runtime: 'docker' },
  { path: '/run/docker/runtime-runc/moby', runtime: 'docker' },
  // CRI-O's default runtime_root; its annotations tell CRI-O containers from plain runc ones.
  { path: '/run/runc', runtime: 'runc' },
];

export interface ContainerResolverOptions {
  /** The unified cgroup hierarchy (default `/sys/fs/cgroup/unified` on hybrid hosts, else `/sys/fs/cgroup`). */
  readonly cgroupRoot?: string;
  /** runc state directories searched in order (default DEFAULT_RUNTIME_ROOTS); a string means runtime `runc`. */
  readonly runtimeRoots?: readonly (string | RuntimeRoot)[];
  readonly procRoot?: string;
  /** Image reference per container id, from the sensor's configuration (beats annotations). */
  readonly images?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Containers remembered (default 4096). */
  readonly cacheSize?: number;
  /** How long host results and state-less containers are remembered (default 2000 ms). */
  readonly retryMs?: number;
  /** Largest state.json / config.json read (default 4 MiB). */
  readonly maxStateBytes?: number;
  /** Told about unusable runtime state (too large, not JSON, wrong types), once per resolve. */
  readonly onProblem?: (message: string) => void;
}

export interface ContainerResolver {
  /** The container of cgroup `cgroupId` (decimal inode), or undefined for a host process or a cgroup that is gone. */
  resolve(cgroupId: string, pid?: number): Promise<ContainerRef | undefined>;
  /** Drops what is known about a cgroup (call on container exit or delete). */
  forget(cgroupId: string): void;
}

interface Entry {
  readonly ref: ContainerRef | undefined;
  /** Date.now() after which the entry is stale; undefined: until forgotten. */
  readonly until?: number;
}

function imageFor(images: ContainerResolverOptions['images'], id: string): string | undefined {
  if (!images) return undefined;
  if (images instanceof Map) return images.get(id);
  const rec = images as Readonly<Record<string, string>>;
  return Object.hasOwn(rec, id) ? rec[id] : undefined;
}

async function cgroupOfPid(procRoot: string, pid: number): Promise<string | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const buf = await readBounded(join(procRoot, String(pid), 'cgroup'), 64 * 1024);
  if (typeof buf === 'string') return undefined;
  const line = buf
    .toString('utf8')
    .split('\n')
    .find((l) => l.startsWith('0::'));
  return line?.slice(3) || undefined;
}

export function createContainerResolver(opts: ContainerResolverOptions = {}): ContainerResolver {
  const procRoot = opts.procRoot ?? '/proc';
  const roots: RuntimeRoot[] = (opts.runtimeRoots ?? DEFAULT_RUNTIME_ROOTS).map((r) =>
    typeof r === 'string' ? { path: r, runtime: 'runc' } : r,
  );
  const cacheSize = Math.max(1, opts.cacheSize ?? 4096);
  const retryMs = opts.retryMs ?? 2000;
  const limits = { maxBytes: opts.maxStateBytes ?? 4 * 1024 * 1024 };
  const cgroupRoot = opts.cgroupRoot ?? defaultCgroupRoot();
  const index = createCgroupIndex({ root: cgroupRoot });
  const cache = new Map<string, Entry>();
  const pending = new Map<string, Promise<ContainerRef | undefined>>();

  const remember = (cgroupId: string, entry: Entry): void => {
    cache.delete(cgroupId);
    cache.set(cgroupId, entry);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value ?? '');
  };

  async function cgroupPath(cgroupId: string, pid?: number): Promise<string | undefined> {
    if (pid !== undefined) {
      const path = await cgroupOfPid(procRoot, pid);
      // The pid may have moved or been reused: only trust the path if it is this cgroup.
      if (path && (await index.idOf(path)) === cgroupId) return path;
    }
    return index.path(cgroupId);
  }

  /**
   * The first candidate with runtime state. A state that records another
   * cgroup than the candidate's is an impostor — a container that named a
   * cgroup of its own after another container — and is skipped.
   */
  async function findState(
    ids: { id: string; cgroup: string }[],
    problem: (m: string) => void,
  ): Promise<{ state: RuntimeState; root: RuntimeRoot } | { impostor: string } | undefined> {
    for (const { id, cgroup } of ids) {
      for (const root of roots) {
        const state = await readRuntimeState(root.path, id, limits, problem);
        if (!state) continue;
        if (state.cgroupPath !== undefined && state.cgroupPath !== join(cgroupRoot, cgroup)) {
          problem(
            `cgroup ${cgroup} is named after container ${id}, whose cgroup is ${state.cgroupPath}; ignored`,
          );
          return { impostor: cgroup };
        }
        return { state, root };
      }
    }
    return undefined;
  }

  async function livePid(state: RuntimeState): Promise<number | undefined> {
    if (state.pid === undefined) return undefined;
    const st = await readStat(state.pid, { procRoot });
    if (!st || st.state === 'Z' || (state.pidStart !== undefined && st.start !== state.pidStart))
      return undefined;
    return state.pid;
  }

  async function lookup(cgroupId: string, pid?: number): Promise<Entry> {
    let path = await cgroupPath(cgroupId, pid);
    const problems: string[] = [];
    try {
      // An impostor's cgroup lies inside the container that made it: attribute to what is above it.
      for (let depth = 0; path !== undefined && depth < 64; depth++) {
        const entry = await attribute(path, (m) => problems.push(m));
        if ('ref' in entry) return entry;
        path = entry.impostor === '/' ? undefined : dirname(entry.impostor);
      }
      return { ref: undefined, until: Date.now() + retryMs };
    } finally {
      if (problems.length > 0) opts.onProblem?.(problems.join('; '));
    }
  }

  async function attribute(
    path: string,
    problem: (m: string) => void,
  ): Promise<Entry | { impostor: string }> {
    const match = matchCgroupPath(path);
    const found = await findState(match ? [match] : candidateIds(path), problem);
    if (found && 'impostor' in found) return found;
    if (!match && !found) return { ref: undefined, until: Date.now() + retryMs };
    const id = match?.id ?? found?.state.id ?? '';
    const cgroup = match?.cgroup ?? candidateIds(path).find((c) => c.id === id)?.cgroup ?? path;
    const state = found?.state;
    const annotations = state?.annotations ?? {};
    // CRI-O shares /run/runc with plain runc: only its annotations tell them apart.
    const byAnnotations = runtimeOf(annotations);
    const runtime =
      (match && match.runtime !== 'unknown' ? match.runtime : undefined) ??
      (byAnnotations === 'cri-o' ? byAnnotations : undefined) ??
      found?.root.runtime ??
      byAnnotations ??
      'unknown';
    const initPid = state ? await livePid(state) : undefined;
    const ref: ContainerRef = {
      id,
      runtime,
      cgroup,
      ...(state?.bundle ? { bundle: state.bundle } : {}),
      ...(state?.rootfs ? { rootfs: state.rootfs } : {}),
      ...(initPid !== undefined ? { pid: initPid } : {}),
      ...fieldsOf(annotations, imageFor(opts.images, id)),
    };
    // Without state.json (not written yet, or unusable) look again later.
    return state?.bundle ? { ref } : { ref, until: Date.now() + retryMs };
  }

  return {
    resolve(cgroupId, pid) {
      if (typeof cgroupId !== 'string' || !/^\d{1,20}$/.test(cgroupId)) return Promise.resolve(undefined);
      const hit = cache.get(cgroupId);
      if (hit && (hit.until === undefined || hit.until > Date.now())) return Promise.resolve(hit.ref);
      const running = pending.get(cgroupId);
      if (running) return running;
      const p = lookup(cgroupId, pid)
        .then((entry) => {
          // forget() during the lookup wins: nothing learnt before it is kept.
          if (pending.get(cgroupId) === p) remember(cgroupId, entry);
          return entry.ref;
        })
        .catch(() => undefined)
        .finally(() => {
          if (pending.get(cgroupId) === p) pending.delete(cgroupId);
        });
      pending.set(cgroupId, p);
      return p;
    },
    forget(cgroupId) {
      cache.delete(cgroupId);
      pending.delete(cgroupId);
      index.forget(cgroupId);
    },
  };
}
