/**
 * The sensor agent: bpftrace sensor → attribution → enrichment → detections
 * → behaviour profile → drift → alerts, plus the protect-mode enforcer and
 * the outputs. Events are handled one at a time in arrival order; the
 * kernel-side queue is the bound (what does not fit there is a counted
 * `queue` drop), and every later stage is bounded on its own.
 */
import { mkdir } from 'node:fs/promises';
import { errorMessage, MamoriError } from '../../core/errors.js';
import {
  startSensor,
  type EnforcementEvent,
  type ExecRepeatEvent,
  type Sensor,
  type SensorStats,
} from '../bpftrace/index.js';
import { createContainerResolver, readProcess, type ContainerResolver } from '../containers/index.js';
import { createDetector, type Detector } from '../detect/index.js';
import type { Alert, ContainerEvent, ContainerRef, ExecEvent, ProcessInfo } from '../model/index.js';
import {
  ProfileEngine,
  ProfileStore,
  type BehaviourProfile,
  type ObserveResult,
  type ProfileMode,
} from '../profile/index.js';
import { ExecCompactor } from './compact.js';
import { AgentCounters } from './counters.js';
import { DriftTracker } from './drift.js';
import { EnforcerManager, MAX_ENFORCER_RULES } from './enforcer.js';
import { Enricher } from './enrich.js';
import { startMetricsServer, type MetricsServer } from './metrics.js';
import type { SensorAgentOptions } from './options.js';
import { Outputs } from './outputs.js';
import { ProfileSync } from './profile-sync.js';
import { enforcerRule, killAlert } from './protect.js';
import { RuntimeSetup } from './setup.js';
import type { AgentStats } from './types.js';

export interface SensorAgent {
  /** Resolves when the agent has stopped after stop(); rejects when bpftrace exited on its own (after cleaning up). */
  readonly done: Promise<void>;
  /** Where `/metrics` listens, when asked for. */
  readonly metricsAddress?: string;
  stats(): AgentStats & { readonly sensor: SensorStats };
  /** Switches a workload (profile id or name) to a mode; protect takes effect once the enforcer is reloaded. */
  setMode(workload: string, mode: ProfileMode): Promise<BehaviourProfile>;
  /** The engine's current profiles. */
  profiles(): BehaviourProfile[];
  /** Stops bpftrace and the enforcer, flushes profiles and the outputs. Safe to call twice. */
  stop(): Promise<void>;
}

/** The tree read from /proc, unless the process has exec'd another program since the event. */
function sameProgram(ev: ContainerEvent, tree: ProcessInfo[]): ProcessInfo[] {
  const head = tree[0];
  if (head === undefined || head.pid !== ev.pid || head.comm === ev.comm) return tree;
  return [{ pid: ev.pid, ppid: head.ppid, uid: ev.uid, exe: '', argv: [], comm: ev.comm }, ...tree.slice(1)];
}

/** Containers tracked at once. */
const MAX_CONTAINERS = 16_384;

interface Known {
  readonly container: ContainerRef;
  workload?: string;
  /** The init is still runc's (the entrypoint not exec'd yet): no workload to learn for. */
  runtimeInit?: boolean;
}

class Pipeline {
  readonly known = new Map<string, Known>();
  /** Enforcer problems already logged (once per workload and problem). */
  private readonly said = new Set<string>();
  readonly enricher = new Enricher();
  readonly setup = new RuntimeSetup(this.enricher);
  readonly resolver: ContainerResolver;
  readonly detector: Detector;
  readonly drift: DriftTracker;
  readonly enforcer: EnforcerManager;
  /** Set once the sensor runs (exec compaction needs its channel). */
  compactor = new ExecCompactor(undefined);

  constructor(
    readonly o: SensorAgentOptions,
    readonly engine: ProfileEngine,
    readonly outputs: Outputs,
    readonly counters: AgentCounters,
  ) {
    const log = (m: string): void => o.onLog?.('warn', m);
    this.resolver = createContainerResolver({
      ...(o.images ? { images: o.images } : {}),
      ...(o.runtimeRoots ? { runtimeRoots: o.runtimeRoots } : {}),
      retryMs: 500,
      onProblem: log,
    });
    this.detector = createDetector({
      ...(o.rules ? { rules: o.rules } : {}),
      includeHost: o.includeHost === true,
    });
    this.drift = new DriftTracker({
      onAlert: (a) => this.alert(a),
      onDrop: (n) => this.counters.drop('drift', n),
      onProblem: log,
      ...(o.driftCacheDir !== undefined ? { cacheDir: o.driftCacheDir } : {}),
    });
    this.enforcer = new EnforcerManager({
      onKill: (ev) => void this.kill(ev).catch((e: unknown) => log(`enforcer alert: ${errorMessage(e)}`)),
      onDrop: (s, n) => this.counters.drop(s, n),
      onProblem: log,
      onApplied: (n) =>
        o.onLog?.('info', n === 0 ? 'enforcer stopped' : `enforcer active for ${n} container(s)`),
      ...(o.enforcerDebounceMs !== undefined ? { debounceMs: o.enforcerDebounceMs } : {}),
      ...(o.bpftrace ? { bpftrace: o.bpftrace } : {}),
    });
  }

  alert(a: Alert): void {
    this.outputs.alert(a);
    this.o.onAlert?.(a);
  }

  /** First sight of a container: register its workload, start its drift index. */
  private async seen(cgroupId: string, c: ContainerRef): Promise<Known> {
    const k: Known = { container: c };
    this.known.set(cgroupId, k);
    // Bounded even when exits were lost: the oldest container is forgotten first.
    if (this.known.size > MAX_CONTAINERS) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.gone(oldest);
    }
    await this.register(k);
    this.drift.prepare(c);
    this.refreshEnforcer();
    return k;
  }

  /**
   * Registers the container's workload (image + its init's command). Not
   * while the init is still runc's (`runc init`, before the entrypoint's
   * exec): that command is the runtime's, and the next event tries again.
   */
  private async register(k: Known): Promise<void> {
    const c = k.container;
    const init = c.pid !== undefined ? await readProcess(c.pid) : undefined;
    k.runtimeInit = init !== undefined && /^runc:\[[0-2]:[A-Z]+\]$/.test(init.comm);
    if (init === undefined || k.runtimeInit) return;
    k.workload = this.engine.registerContainer(c, init.argv)?.id;
    if (k.workload !== undefined) this.refreshEnforcer();
  }

  private gone(cgroupId: string): void {
    this.known.delete(cgroupId);
    this.compactor.forget(cgroupId);
    this.setup.forget(cgroupId);
    this.resolver.forget(cgroupId);
    this.refreshEnforcer();
  }

  refreshEnforcer(): void {
    const rules = [];
    for (const [cgroupId, k] of this.known) {
      const p = k.workload !== undefined ? this.engine.get(k.workload) : undefined;
      if (p?.mode !== 'protect') continue;
      const r = enforcerRule(cgroupId, p);
      for (const m of r.problems) {
        const said = `${p.id} ${m}`;
        if (this.said.has(said)) continue;
        if (this.said.size < 4096) this.said.add(said);
        this.o.onLog?.('warn', `protect ${p.name}: ${m}; not enforced`);
      }
      if (r.rule) rules.push(r.rule);
    }
    if (rules.length > MAX_ENFORCER_RULES)
      this.o.onLog?.(
        'warn',
        `${rules.length - MAX_ENFORCER_RULES} protected container(s) beyond the enforcer's ${MAX_ENFORCER_RULES} rules are not enforced`,
      );
    this.counters.setContainers(this.known.size, Math.min(rules.length, MAX_ENFORCER_RULES));
    this.enforcer.update(rules);
  }

  async handle(ev: ContainerEvent): Promise<void> {
    this.counters.event(ev.kind);
    let container = await this.resolver.resolve(ev.cgroupId, ev.pid);
    if (container?.pid === undefined && container !== undefined && ev.kind === 'exec') {
      // A container's runtime state is written after its cgroup fills: an exec (its entrypoint) looks again.
      this.resolver.forget(ev.cgroupId);
      container = await this.resolver.resolve(ev.cgroupId, ev.pid);
    }
    if (container === undefined && this.o.includeHost !== true) return;
    // Until the runtime names the container's init, its workload (image + command) is not known.
    let known = container?.pid !== undefined ? this.known.get(ev.cgroupId) : undefined;
    if (container?.pid !== undefined && (known === undefined || known.container.id !== container.id))
      known = await this.seen(ev.cgroupId, container);
    else if (known !== undefined && known.workload === undefined) await this.register(known);
    let event: ContainerEvent = container ? { ...ev, container } : ev;
    if (event.kind === 'exit') {
      // An exit is recorded, ends the process's cached tree and maybe the container; nothing checks or learns it.
      this.enricher.exited(ev.pid);
      this.outputs.event(event);
      if (container && known && container.pid === ev.pid) this.gone(ev.cgroupId);
      return;
    }
    let tree: readonly ProcessInfo[] = [];
    if (event.kind === 'exec') {
      this.setup.exec(ev, container);
      ({ event, tree } = await this.enricher.exec(event, container));
    } else if (event.kind !== 'syscalls') tree = sameProgram(ev, await this.enricher.tree(ev.pid, container));
    this.outputs.event(event);
    // The runtime's own setup work, as the agent observed it (never by a name alone): the
    // detections' runtime-setup exceptions rely on this flag, and it is not learned as the
    // workload's behaviour.
    const setup = event.kind !== 'syscalls' && (await this.setup.isSetup(ev, container));
    const alerts =
      event.kind === 'syscalls'
        ? []
        : this.detector.detect(event, {
            ...(container ? { container } : {}),
            processTree: tree,
            runtimeSetup: setup,
          });
    if (container && known && !setup && known.runtimeInit !== true) {
      const r = this.engine.observe(event, container, tree);
      if (r) {
        alerts.push(...r.alerts);
        if (r.promoted) this.promoted(r.workload.name);
        if (known.workload === undefined) {
          known.workload = r.workload.id;
          this.refreshEnforcer();
        }
      }
      if (event.kind === 'exec') {
        this.drift.exec(event, container, tree);
        if (alerts.length === 0) {
          const how = this.compactable(event, container, tree, r);
          if (how !== 'none') this.compactor.name(event, container, how);
        }
      }
    }
    for (const a of alerts) this.alert(a);
  }

  promoted(name: string): void {
    this.o.onLog?.('info', `workload ${name} promoted to monitor`);
    this.compactor.reset();
  }

  /**
   * Which repeats of this exec (same file, uid, stdio, path and container;
   * any parent inside it) would be judged as it was — `argv`: those with the
   * same arguments, `argv0`: those with the same argv[0] — or `none`. Such
   * an exec raised nothing, taught its profile nothing, its file is the
   * image's, and no rule looks at it (Detector.repeatable). With the whole
   * event stream asked for, only exact repeats: their events are rebuilt
   * whole.
   */
  private compactable(
    event: ExecEvent,
    container: ContainerRef,
    tree: readonly ProcessInfo[],
    r: ObserveResult | undefined,
  ): 'none' | 'argv' | 'argv0' {
    if (
      !this.compactor.enabled ||
      event.parentSamePidNs !== true ||
      event.argvTruncated === true ||
      event.sha256 === undefined ||
      r === undefined ||
      r.alerts.length > 0 ||
      r.learned.length > 0 ||
      r.overflowed.length > 0 ||
      r.promoted === true
    )
      return 'none';
    const how = this.detector.repeatable(event, { container, processTree: tree });
    if (how === 'none' || this.drift.verdict(event, container) !== 'in-image') return 'none';
    if (how === 'argv0' && this.o.events !== 'all' && event.compactKeyArgv0 !== undefined) return 'argv0';
    return event.compactKey !== undefined ? 'argv' : 'none';
  }

  /** An exec the kernel compacted: the exec it repeats, with this process's ids and time. */
  repeat(r: ExecRepeatEvent): Promise<void> | undefined {
    const n = this.compactor.lookup(r);
    if (n === undefined) {
      this.counters.event('exec');
      this.counters.drop('compact', 1);
      return undefined;
    }
    // Withdrawn since (its judgement may have changed): handled in full.
    if (!this.compactor.isActive(n)) return this.handle(this.compactor.rebuild(n, r));
    this.counters.event('exec');
    this.counters.repeat();
    this.enricher.rememberRepeat(n.program, r.pid, r.ppid, r.time);
    if (this.outputs.wantsEvents) this.outputs.event(this.compactor.rebuild(n, r));
    return undefined;
  }

  private async kill(ev: EnforcementEvent): Promise<void> {
    this.counters.event('enforce');
    const c = await this.resolver.resolve(ev.cgroupId);
    const tree = await this.enricher.tree(ev.pid, c);
    const w = this.known.get(ev.cgroupId)?.workload;
    this.alert(killAlert(ev, c, tree, w !== undefined ? this.engine.get(w) : undefined));
  }
}

/** Starts the agent; resolves once bpftrace's probes are attached. See SensorAgentOptions. */
export async function startSensorAgent(o: SensorAgentOptions): Promise<SensorAgent> {
  if (process.getuid?.() !== 0)
    throw new MamoriError('DENIED', 'the sensor must run as root (it loads eBPF programs through bpftrace)');
  const quietMs = o.quietWindowMs ?? 10 * 60_000;
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 }).catch((e: unknown) => {
    throw new MamoriError('IO', `cannot create the data directory ${o.dataDir}: ${errorMessage(e)}`, {
      cause: e,
    });
  });
  const store = new ProfileStore(o.dataDir);
  const { engine, problems } = await ProfileEngine.open({
    store,
    quietMs,
    minLearnMs: o.minLearnMs ?? quietMs,
    ...(o.defaultMode !== undefined ? { initialMode: o.defaultMode } : {}),
  });
  for (const p of problems)
    o.onLog?.('warn', `profile ${p.file}: ${p.reason}${p.setAsideTo ? ` (moved to ${p.setAsideTo})` : ''}`);
  const counters = new AgentCounters();
  const outputs = await Outputs.open(counters, {
    ...o,
    onError: (e) => o.onError?.(e),
    onDropRecord: (d) => {
      o.onLog?.('warn', `${d.count} events lost (${d.source}), ${d.total} in total`);
      o.onDrop?.(d);
    },
  });
  const pipe = new Pipeline(o, engine, outputs, counters);
  let sensor: Sensor;
  let metrics: MetricsServer | undefined;
  try {
    metrics = o.metricsListen ? await startMetricsServer(counters.registry, o.metricsListen) : undefined;
    sensor = await startSensor({
      cgroups: { excludeHostRoot: o.includeHost !== true },
      ...(o.syscallIntervalMs !== undefined ? { syscallIntervalMs: o.syscallIntervalMs } : {}),
      ...(o.queueCapacity !== undefined ? { queueCapacity: o.queueCapacity } : {}),
      ...(o.bpftrace ? { bpftrace: o.bpftrace } : {}),
      compactExecs: o.compactExecs !== false,
    });
    await sensor.ready;
    pipe.compactor = new ExecCompactor(sensor.compaction);
  } catch (e) {
    await metrics?.close();
    await outputs.close();
    await engine.close();
    throw e;
  }
  const s = sensor;
  const sync = new ProfileSync(o.dataDir, engine);
  let polling = false;
  const tick = setInterval(() => {
    outputs.reportDrops();
    if (polling) return;
    polling = true;
    void (async () => {
      for (const w of engine.promoteDue()) pipe.promoted(w.name);
      const changed = await sync.poll();
      for (const c of changed) o.onLog?.('info', `workload ${c.name} set to ${c.mode}`);
      if (changed.length > 0) {
        pipe.compactor.reset();
        pipe.refreshEnforcer();
      }
    })()
      .catch((e: unknown) => o.onLog?.('warn', `profile poll: ${errorMessage(e)}`))
      .finally(() => (polling = false));
  }, o.pollMs ?? 1000);
  const loop = (async () => {
    for await (const ev of s) {
      if (ev.kind === 'drop') counters.drop(ev.source, ev.count);
      else if (ev.kind === 'exec-repeat') {
        const p = pipe.repeat(ev);
        if (p) await p.catch((e: unknown) => o.onLog?.('warn', `event exec: ${errorMessage(e)}`));
      } else if (ev.kind !== 'enforce')
        await pipe
          .handle(ev)
          .catch((e: unknown) => o.onLog?.('warn', `event ${ev.kind}: ${errorMessage(e)}`));
    }
  })();
  let stopping: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    await s.stop();
    await loop;
    clearInterval(tick);
    await pipe.enforcer.close();
    void pipe.drift.close();
    await engine.close().catch((e: unknown) => o.onLog?.('warn', `profiles not saved: ${errorMessage(e)}`));
    await outputs.close();
    await metrics?.close();
  };
  let requested = false;
  const stop = (): Promise<void> => {
    requested = true;
    return (stopping ??= shutdown());
  };
  const done = loop.then(async () => {
    const unexpected = !requested;
    await (stopping ??= shutdown());
    if (unexpected) throw new MamoriError('INTERNAL', 'bpftrace exited unexpectedly; the sensor stopped');
  });
  done.catch(() => undefined);
  return {
    done,
    ...(metrics ? { metricsAddress: metrics.address } : {}),
    stats: () => ({ ...counters.snapshot(), sensor: s.stats() }),
    async setMode(workload, mode) {
      const p = engine.setMode(workload, mode);
      pipe.compactor.reset();
      pipe.refreshEnforcer();
      await pipe.enforcer.settled();
      return p;
    },
    profiles: () => engine.list(),
    stop,
  };
}
