/**
 * Enrichment: the executable's hash and the process tree of an event.
 *
 * The tree comes from /proc while the processes live. A process that has
 * already exited (most short-lived commands by the time their event is
 * read) is described from its own exec event, and its ancestors from /proc
 * or, when they are gone too, from the exec events remembered per pid. The
 * walk stops at the container's init. Trees are cached for a moment per pid
 * so that a burst of events of one process reads /proc once.
 */
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { lruSet } from '../../core/lru.js';
import type { ContainerRef, ExecEvent, ProcessInfo } from '../model/index.js';
import { createExecutableHasher, processTree, type ExecutableHasher } from '../containers/index.js';

export interface EnricherOptions {
  readonly procRoot?: string;
  readonly hasher?: ExecutableHasher;
  /** Exec events remembered for trees of exited processes (default 8192). */
  readonly rememberExecs?: number;
  /** How long a tree is reused for events of the same pid (default 500 ms). */
  readonly treeTtlMs?: number;
}

const MAX_DEPTH = 16;
const MAX_TREES = 4096;

/** A program as an exec started it (the ProcessInfo fields that do not change from process to process). */
export type ExecProgram = Omit<ProcessInfo, 'pid' | 'ppid' | 'time'> & { readonly cgroupId: string };

interface RememberedExec {
  readonly program: ExecProgram;
  readonly pid: number;
  readonly ppid: number;
  readonly time: number | undefined;
}

/** The program an exec event starts (argv as given, or a shorter one the caller vouches for). */
export function execProgram(ev: ExecEvent, argv: readonly string[] = ev.argv): ExecProgram {
  return {
    uid: ev.uid,
    exe: ev.exe,
    argv,
    comm: ev.comm,
    ...(ev.sha256 !== undefined ? { sha256: ev.sha256 } : {}),
    cgroupId: ev.cgroupId,
  };
}

/** A remembered exec as the ProcessInfo of its process. */
function describe(r: RememberedExec): ProcessInfo {
  const { cgroupId: _c, ...p } = r.program;
  return { ...p, pid: r.pid, ppid: r.ppid, ...(r.time !== undefined ? { time: r.time } : {}) };
}

export class Enricher {
  /** Remembered execs by pid: what the program is (shared by repeats of one exec) and the process's own ids. */
  private readonly execs = new Map<number, RememberedExec>();
  private readonly trees = new Map<number, { tree: readonly ProcessInfo[]; until: number }>();
  private readonly hasher: ExecutableHasher;
  /** pid namespace of each container init seen (`pid:[…]`). */
  private readonly initNs = new Map<number, string>();

  constructor(private readonly opts: EnricherOptions = {}) {
    this.hasher = opts.hasher ?? createExecutableHasher(opts.procRoot ? { procRoot: opts.procRoot } : {});
  }

  /** The exec event with the executable's hash (when the process is still there) and its process tree. */
  async exec(ev: ExecEvent, container?: ContainerRef): Promise<{ event: ExecEvent; tree: ProcessInfo[] }> {
    // A process already gone is looked for in its container's root, by the file's identity.
    const init = container?.pid;
    const fallback =
      init !== undefined && ev.exe.startsWith('/')
        ? join(this.opts.procRoot ?? '/proc', String(init), 'root', ev.exe)
        : undefined;
    const sha256 = ev.sha256 ?? (await this.hasher.digest(ev.pid, undefined, ev.exeId, fallback));
    const event: ExecEvent = sha256 !== undefined ? { ...ev, sha256 } : ev;
    const self = this.remember(event);
    if (init === ev.pid) return { event, tree: [self] };
    // The parent's tree is shared by its children's execs (cached); a parent outside the
    // container (`runc exec`) is replaced by what the container's own exec events tell.
    let above: ProcessInfo[] = [];
    // The kernel tells whether the parent shares the pid namespace; /proc is asked only without that.
    const parentInside =
      container === undefined || (ev.parentSamePidNs ?? (await this.sameNamespace(ev.ppid, container)));
    if (parentInside) above = await this.tree(ev.ppid, container);
    if (above.length === 0) above = this.fromExecs(ev.ppid, init, ev.cgroupId);
    if (init !== undefined && above.at(-1)?.pid !== init)
      above = [...above, ...(await this.tree(init, container)).slice(0, 1)];
    return { event, tree: [self, ...above].slice(0, MAX_DEPTH) };
  }

  /** Remembers an exec (already hashed) for the trees of its process and its children; its own description. */
  remember(ev: ExecEvent): ProcessInfo {
    const r: RememberedExec = { program: execProgram(ev), pid: ev.pid, ppid: ev.ppid, time: ev.time };
    this.keep(r);
    return describe(r);
  }

  /**
   * Remembers a repeat of an exec (exec compaction) with the program's
   * description shared with the other repeats: one small object per process.
   */
  rememberRepeat(program: ExecProgram, pid: number, ppid: number, time: number | undefined): void {
    this.keep({ program, pid, ppid, time });
  }

  private keep(r: RememberedExec): void {
    lruSet(this.execs, r.pid, r, this.opts.rememberExecs ?? 8192);
    this.trees.delete(r.pid);
  }

  /** Whether `pid` shares the pid namespace of the container's init (false when unknown). */
  async sameNamespace(pid: number, container: ContainerRef): Promise<boolean> {
    const init = container.pid;
    if (init === undefined || !Number.isSafeInteger(pid) || pid <= 0) return false;
    const proc = this.opts.procRoot ?? '/proc';
    const ns = (p: number): Promise<string | undefined> =>
      readlink(join(proc, String(p), 'ns', 'pid')).catch(() => undefined);
    let mine = this.initNs.get(init);
    if (mine === undefined) {
      mine = await ns(init);
      if (mine !== undefined) lruSet(this.initNs, init, mine, MAX_TREES);
    }
    const theirs = await ns(pid);
    return mine !== undefined && theirs === mine;
  }

  /** The process `pid`, its parent, … up to the container's init (cached briefly). */
  async tree(pid: number, container?: ContainerRef): Promise<ProcessInfo[]> {
    const now = Date.now();
    const hit = this.trees.get(pid);
    if (hit && hit.until > now) return [...hit.tree];
    const init = container?.pid;
    let tree: ProcessInfo[] = await processTree(pid, {
      ...(this.opts.procRoot ? { procRoot: this.opts.procRoot } : {}),
      ...(init !== undefined ? { init } : {}),
      maxDepth: MAX_DEPTH,
    });
    if (tree.length === 0) tree = this.fromExecs(pid, init, undefined);
    else tree = tree.map((p) => this.preferExec(p));
    lruSet(this.trees, pid, { tree, until: now + (this.opts.treeTtlMs ?? 500) }, MAX_TREES);
    return tree;
  }

  /** The exec event's view of a live process (the path as exec'd, the hash) when it is the same program. */
  private preferExec(p: ProcessInfo): ProcessInfo {
    const r = this.execs.get(p.pid);
    const e = r?.program;
    if (!e || e.comm !== p.comm) return p;
    return { ...p, exe: e.exe, ...(e.sha256 !== undefined ? { sha256: e.sha256 } : {}), time: r?.time ?? 0 };
  }

  /** The chain of remembered exec events from `pid` up (within one cgroup when `cgroupId` is given). */
  private fromExecs(pid: number, init: number | undefined, cgroupId: string | undefined): ProcessInfo[] {
    const out: ProcessInfo[] = [];
    const seen = new Set<number>();
    for (let cur = pid; out.length < MAX_DEPTH && !seen.has(cur);) {
      seen.add(cur);
      const r = this.execs.get(cur);
      if (!r || (cgroupId !== undefined && r.program.cgroupId !== cgroupId)) break;
      const p = describe(r);
      out.push(p);
      if (cur === init) break;
      cur = p.ppid;
    }
    return out;
  }

  /** Whether an exec of `pid` inside cgroup `cgroupId` was seen (and is still remembered). */
  hasExec(pid: number, cgroupId: string): boolean {
    return this.execs.get(pid)?.program.cgroupId === cgroupId;
  }

  /** Forgets the cached tree of an exited process (its exec stays remembered for its children's trees). */
  exited(pid: number): void {
    this.trees.delete(pid);
  }
}
