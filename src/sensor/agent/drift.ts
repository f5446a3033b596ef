/**
 * Drift checks for the agent: one executable index per image (the image's
 * layers when its reference is known and reachable) or, failing that, per
 * container (its root filesystem, indexed when the container is first seen,
 * before the workload has had time to write much). Indexes are built off
 * the event path, one at a time; execs of a container whose index is still
 * being built wait (bounded) and are checked when it is ready. Execs that
 * cannot wait, or whose container has no index at all, are counted as
 * `drift` drops and reported.
 */
import type { Alert, ContainerRef, ExecEvent, ProcessInfo } from '../model/index.js';
import {
  buildExecutableIndex,
  checkDrift,
  driftAlert,
  indexFromRootfs,
  type BuildOptions,
  type DriftResult,
  type ExecutableIndex,
} from '../drift/index.js';
import { errorMessage } from '../../core/errors.js';

export interface DriftTrackerOptions {
  /** Told about each drift alert (also for execs checked late). */
  readonly onAlert: (a: Alert) => void;
  readonly onDrop: (count: number) => void;
  readonly onProblem?: (message: string) => void;
  /** Index cache directory for images (BuildOptions.cacheDir). */
  readonly cacheDir?: string | false;
  readonly registry?: BuildOptions['registry'];
  /** Execs waiting per index (default 4096) and in all (default 16 384). */
  readonly maxWaitingPerIndex?: number;
  readonly maxWaiting?: number;
  /** Indexes kept (default 64; least recently used first out). */
  readonly maxIndexes?: number;
  /** Test seam: how an index is built. */
  readonly build?: (container: ContainerRef) => Promise<ExecutableIndex | undefined>;
}

type Slot =
  | { state: 'building'; waiting: { ev: ExecEvent; tree: readonly ProcessInfo[] }[] }
  | { state: 'ready'; index: ExecutableIndex }
  | { state: 'failed' };

export class DriftTracker {
  private readonly slots = new Map<string, Slot>();
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;
  private closed = false;

  constructor(private readonly o: DriftTrackerOptions) {}

  /** The cache key: the image for a known image, else the container. */
  private keyOf(c: ContainerRef): string {
    return c.image !== undefined ? `image:${c.imageDigest ?? c.image}` : `container:${c.id}`;
  }

  /** Starts indexing the container's image or root filesystem (call when it is first seen). */
  prepare(c: ContainerRef): void {
    const key = this.keyOf(c);
    const hit = this.slots.get(key);
    if (hit) {
      this.slots.delete(key);
      this.slots.set(key, hit);
      return;
    }
    const slot: Slot = { state: 'building', waiting: [] };
    this.slots.set(key, slot);
    this.evict();
    this.queue = this.queue.then(async () => {
      const index = this.closed ? undefined : await this.build(c);
      const waiting = slot.waiting;
      this.waiting -= waiting.length;
      const now: Slot = index ? { state: 'ready', index } : { state: 'failed' };
      if (this.slots.get(key) === slot) this.slots.set(key, now);
      if (!index) {
        this.o.onDrop(waiting.length);
        return;
      }
      for (const w of waiting) this.check(index, w.ev, w.tree);
    });
  }

  private async build(c: ContainerRef): Promise<ExecutableIndex | undefined> {
    if (this.o.build) return this.o.build(c).catch(() => undefined);
    if (c.image !== undefined) {
      try {
        return await buildExecutableIndex(c.image, {
          ...(this.o.cacheDir !== undefined ? { cacheDir: this.o.cacheDir } : {}),
          ...(this.o.registry ? { registry: this.o.registry } : {}),
        });
      } catch (e) {
        this.o.onProblem?.(`drift: image ${c.image} of container ${c.id} not indexed (${errorMessage(e)})`);
      }
    }
    if (c.rootfs === undefined) {
      this.o.onProblem?.(
        `drift: container ${c.id} has no reachable image or root filesystem; its execs are not checked`,
      );
      return undefined;
    }
    try {
      return await indexFromRootfs(c.rootfs);
    } catch (e) {
      this.o.onProblem?.(`drift: root filesystem of ${c.id} not indexed (${errorMessage(e)})`);
      return undefined;
    }
  }

  private evict(): void {
    const max = this.o.maxIndexes ?? 64;
    for (const [k, s] of this.slots) {
      if (this.slots.size <= max) break;
      if (s.state !== 'building') this.slots.delete(k);
    }
  }

  private check(index: ExecutableIndex, ev: ExecEvent, tree: readonly ProcessInfo[]): void {
    const a = driftAlert(checkDrift(index, ev.exe, ev.sha256), ev, { processTree: tree });
    if (a) this.o.onAlert(a);
  }

  /** Checks an exec of a container now, or when its index is ready. */
  exec(ev: ExecEvent, c: ContainerRef, tree: readonly ProcessInfo[]): void {
    const key = this.keyOf(c);
    if (!this.slots.has(key)) this.prepare(c);
    const slot = this.slots.get(key);
    if (slot?.state === 'ready') return this.check(slot.index, ev, tree);
    if (slot?.state !== 'building') return this.o.onDrop(1);
    if (
      slot.waiting.length >= (this.o.maxWaitingPerIndex ?? 4096) ||
      this.waiting >= (this.o.maxWaiting ?? 16384)
    )
      return this.o.onDrop(1);
    slot.waiting.push({ ev, tree });
    this.waiting++;
  }

  /**
   * What the container's index says of the exec now (without alerting):
   * `pending` while the index is being built, `unchecked` without one.
   */
  verdict(ev: ExecEvent, c: ContainerRef): DriftResult['status'] | 'pending' | 'unchecked' {
    const slot = this.slots.get(this.keyOf(c));
    if (slot?.state === 'building') return 'pending';
    if (slot?.state !== 'ready') return 'unchecked';
    return checkDrift(slot.index, ev.exe, ev.sha256).status;
  }

  /** Waits for the builds under way (new ones are not started). */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }
}
