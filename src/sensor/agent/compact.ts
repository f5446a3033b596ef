/**
 * The agent's half of exec compaction (see ../bpftrace/compact.ts). Once an
 * exec has been handled in full and judged repeatable — it raised nothing,
 * taught its workload's profile nothing, its file is the image's, and no
 * rule looks at it (see Pipeline.repeatable) — its kernel fingerprint is
 * named to the kernel side, which from then on reports every exec with the
 * same fingerprint (same file content and identity, uid, stdio, path and
 * arguments, same container) as a short `exec-repeat` record. The agent
 * turns such a record back into the full exec event from the one it judged.
 * For a program no rule reads the arguments of, the fingerprint of argv[0]
 * is named instead (unless the whole event stream is asked for): its
 * repeats with other arguments come back with argv[0] alone, marked
 * truncated.
 *
 * Fingerprints are withdrawn when the judgement could change: the
 * container's end, any change of a profile's mode or content, or the bound
 * on named fingerprints (oldest first). A repeat that arrives after its
 * fingerprint was withdrawn is handled in full again (`retired` keeps what
 * it needs for a while); one older than that is counted as a `compact` drop.
 */
import type { ExecCompaction, ExecRepeatEvent } from '../bpftrace/index.js';
import type { ContainerRef, ExecEvent } from '../model/index.js';
import { execProgram, type ExecProgram } from './enrich.js';

/** A named fingerprint: the exec judged, and the program its repeats run. */
export interface NamedExec {
  readonly id: number;
  /** Named by its argv[0] fingerprint: repeats may have had other arguments. */
  readonly argv0: boolean;
  readonly key: string;
  readonly cgroupId: string;
  readonly event: ExecEvent;
  readonly container: ContainerRef;
  /** What every repeat runs (argv[0] alone for an argv[0] fingerprint), for process trees. */
  readonly program: ExecProgram;
}

export interface ExecCompactorOptions {
  /** Fingerprints named at once (default 4096). */
  readonly max?: number;
}

export class ExecCompactor {
  private readonly active = new Map<number, NamedExec>();
  private readonly retired = new Map<number, NamedExec>();
  private readonly byKey = new Map<string, number>();
  private readonly byCgroup = new Map<string, Set<number>>();
  private nextId = 1;
  private readonly max: number;

  constructor(
    private readonly channel: ExecCompaction | undefined,
    o: ExecCompactorOptions = {},
  ) {
    this.max = o.max ?? 4096;
  }

  /** Whether the kernel side compacts at all. */
  get enabled(): boolean {
    return this.channel !== undefined;
  }

  /** Fingerprints currently named. */
  get size(): number {
    return this.active.size;
  }

  /**
   * Names the exec's fingerprint repeatable (the exec has been judged so;
   * see the module comment): of its whole argv, or of argv[0] alone.
   */
  name(event: ExecEvent, container: ContainerRef, by: 'argv' | 'argv0'): void {
    const key = by === 'argv0' ? event.compactKeyArgv0 : event.compactKey;
    if (this.channel === undefined || key === undefined) return;
    const k = `${event.cgroupId} ${key}`;
    if (this.byKey.has(k)) return;
    while (this.active.size >= this.max) {
      const oldest = this.active.keys().next().value;
      if (oldest === undefined) break;
      this.withdraw(oldest);
    }
    const id = this.nextId++;
    if (!this.channel.allow(event.cgroupId, key, id)) return;
    const program = execProgram(event, by === 'argv0' ? event.argv.slice(0, 1) : event.argv);
    const n: NamedExec = {
      id,
      argv0: by === 'argv0',
      key,
      cgroupId: event.cgroupId,
      event,
      container,
      program,
    };
    this.active.set(id, n);
    this.byKey.set(k, id);
    let ids = this.byCgroup.get(event.cgroupId);
    if (ids === undefined) this.byCgroup.set(event.cgroupId, (ids = new Set()));
    ids.add(id);
  }

  /** The fingerprint a repeat names (still named, or withdrawn a short while ago). */
  lookup(r: ExecRepeatEvent): NamedExec | undefined {
    return this.active.get(r.repeatId) ?? this.retired.get(r.repeatId);
  }

  /** Still named: the judgement of the exec it was named for holds for its repeats. */
  isActive(n: NamedExec): boolean {
    return this.active.get(n.id) === n;
  }

  /** The full exec event a repeat stands for. */
  rebuild(n: NamedExec, r: ExecRepeatEvent): ExecEvent {
    const event: ExecEvent = { ...n.event, time: r.time, pid: r.pid, ppid: r.ppid, comm: r.comm };
    // Only argv[0] is known to be the same: the rest is not claimed.
    return n.argv0 ? { ...event, argv: n.program.argv, argvTruncated: true } : event;
  }

  /** Withdraws the fingerprints of a container (it ended). */
  forget(cgroupId: string): void {
    for (const id of [...(this.byCgroup.get(cgroupId) ?? [])]) this.withdraw(id);
  }

  /** Withdraws every fingerprint (a judgement may have changed). */
  reset(): void {
    for (const id of [...this.active.keys()]) this.withdraw(id);
  }

  private withdraw(id: number): void {
    const n = this.active.get(id);
    if (n === undefined) return;
    this.channel?.revoke(n.cgroupId, n.key);
    this.active.delete(id);
    this.byKey.delete(`${n.cgroupId} ${n.key}`);
    const ids = this.byCgroup.get(n.cgroupId);
    ids?.delete(id);
    if (ids?.size === 0) this.byCgroup.delete(n.cgroupId);
    this.retired.set(id, n);
    if (this.retired.size > this.max) {
      const oldest = this.retired.keys().next().value;
      if (oldest !== undefined) this.retired.delete(oldest);
    }
  }
}
