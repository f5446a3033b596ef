/**
 * The container runtime's own work inside a container's cgroup: runc's
 * setup processes (`runc:[0:PARENT]`, `runc:[1:CHILD]`, `runc:[2:INIT]`)
 * mount, unshare, join namespaces and use keyrings before the workload's
 * program is exec'd, at every container start and every `runc exec`
 * (`kubectl exec`, exec probes). Those events are the runtime's, not the
 * workload's: they are not learned into the workload's profile, and the
 * detections get them flagged (DetectContext.runtimeSetup), which is what
 * the `runtime-setup` exceptions of the escape rules rely on.
 *
 * A process's name can be chosen by whoever runs it, so the name alone is
 * not trusted: the process must also never have exec'd inside the
 * container, and either the container's entrypoint has not started yet
 * (nothing of the workload runs) or the process's parent lives outside the
 * container's pid namespace (the runtime on the host started it). A
 * process of the workload renamed to look like runc has its parent inside
 * the container; one that is gone before its parent can be read is not
 * taken for the runtime's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readStat } from '../containers/index.js';
import type { ContainerEvent, ContainerRef } from '../model/index.js';
import type { Enricher } from './enrich.js';

/** USER_HZ: /proc/PID/stat counts start times in 1/100 s on Linux. */
const TICKS_PER_SECOND = 100;

async function uptimeTicks(procRoot = '/proc'): Promise<number | undefined> {
  const text = await readFile(join(procRoot, 'uptime'), 'utf8').catch(() => '');
  const s = Number(text.split(' ')[0]);
  return Number.isFinite(s) && s > 0 ? Math.floor(s * TICKS_PER_SECOND) : undefined;
}

const RUNC_SETUP = /^runc:\[[0-2]:[A-Z]+\]$/;
const MAX_STARTED = 16_384;

export class RuntimeSetup {
  /** cgroups whose container's entrypoint is known to run. */
  private readonly started = new Set<string>();
  /** Clock ticks since boot when the agent started. */
  private readonly since: Promise<number | undefined>;

  constructor(
    private readonly enricher: Enricher,
    private readonly procRoot?: string,
  ) {
    this.since = uptimeTicks(procRoot);
  }

  /** Records that the container's init exec'd its entrypoint (call for every exec). */
  exec(ev: ContainerEvent, c: ContainerRef | undefined): void {
    if (c?.pid !== undefined && ev.pid === c.pid) this.mark(ev.cgroupId);
  }

  private mark(cgroupId: string): void {
    if (this.started.size >= MAX_STARTED) this.started.delete(this.started.values().next().value ?? '');
    this.started.add(cgroupId);
  }

  /**
   * Whether the container's entrypoint runs, as of the event being handled.
   * Events are handled in the order they happened: for a container started
   * after the agent, its init's exec is an event of its own, so until that
   * is handled, whatever is handled happened before it. For a container
   * that ran before the agent, its init no longer bears runc's name.
   */
  private async hasStarted(ev: ContainerEvent, c: ContainerRef): Promise<boolean> {
    if (this.started.has(ev.cgroupId)) return true;
    if (c.pid === undefined) return false;
    const st = await readStat(c.pid, this.procRoot ? { procRoot: this.procRoot } : {});
    if (st === undefined) return false;
    const since = await this.since;
    if (since === undefined || Number(st.start) > since) return false;
    if (RUNC_SETUP.test(st.comm)) return false;
    this.mark(ev.cgroupId);
    return true;
  }

  /** Whether the event is the runtime's setup work (see the module comment). */
  async isSetup(ev: ContainerEvent, c: ContainerRef | undefined): Promise<boolean> {
    if (c === undefined || !RUNC_SETUP.test(ev.comm) || this.enricher.hasExec(ev.pid, ev.cgroupId))
      return false;
    if (!(await this.hasStarted(ev, c))) return true;
    const st = await readStat(ev.pid, this.procRoot ? { procRoot: this.procRoot } : {});
    return st !== undefined && !(await this.enricher.sameNamespace(st.ppid, c));
  }

  forget(cgroupId: string): void {
    this.started.delete(cgroupId);
  }
}
