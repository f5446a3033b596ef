/**
 * The profile engine: routes each container event to its workload's profile,
 * learns in `learn` mode, raises deviation alerts in `monitor`/`protect`,
 * promotes learn → monitor after a quiet window, and flushes changed profiles
 * to the store in batches (never per event).
 */
import { MamoriError } from '../../core/errors.js';
import type { Alert, ContainerEvent, ContainerRef, ProcessInfo } from '../model/index.js';
import { deviationAlert, type WorkloadInfo } from './alerts.js';
import { factsOf, type Fact } from './facts.js';
import { DEFAULT_NETWORK_POLICY, type NetworkPolicy } from './generalise.js';
import { workloadKey } from './identity.js';
import { ProfileState } from './state.js';
import type { ProfileStore, StoreProblem } from './store.js';
import {
  DEFAULT_LIMITS,
  type BehaviourProfile,
  type Dimension,
  type Novelty,
  type ProfileLimits,
  type ProfileMode,
} from './types.js';

export interface ProfileEngineOptions {
  readonly store?: ProfileStore;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
  /** Learn → monitor once nothing new was learned for this long (default 10 min). */
  readonly quietMs?: number;
  /** …and the workload has been learning at least this long (default 30 min). */
  readonly minLearnMs?: number;
  /** Mode of a workload seen for the first time (default `learn`); its modeSource is `initial`. */
  readonly initialMode?: ProfileMode;
  /** Automatic promotion on/off (default on). */
  readonly autoPromote?: boolean;
  readonly limits?: Partial<ProfileLimits>;
  readonly network?: Partial<NetworkPolicy>;
  /** Changed profiles are written at most this often (default 5 s); 0 = only on flush()/close(). */
  readonly flushIntervalMs?: number;
  /** Workloads tracked at most (default 4096); events of further workloads are not profiled. */
  readonly maxWorkloads?: number;
}

export interface ObserveResult {
  readonly workload: WorkloadInfo;
  /** Learn mode: what the event added to the baseline. */
  readonly learned: readonly Novelty[];
  /** Dimensions whose cap this event reached (learning of them stopped). */
  readonly overflowed: readonly Dimension[];
  /** Monitor/protect mode: deviations. */
  readonly alerts: readonly Alert[];
  /** Set when this event found the quiet window over and the workload was promoted first. */
  readonly promoted?: true;
}

const MAX_CONTAINERS = 16_384;

export class ProfileEngine {
  private readonly profiles = new Map<string, ProfileState>();
  private readonly byContainer = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private readonly clock: () => number;
  private readonly limits: ProfileLimits;
  private readonly network: NetworkPolicy;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ProfileEngineOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.network = { ...DEFAULT_NETWORK_POLICY, ...opts.network };
  }

  /** An engine with the store's profiles loaded; unreadable files are returned as problems. */
  static async open(
    opts: ProfileEngineOptions = {},
  ): Promise<{ engine: ProfileEngine; problems: StoreProblem[] }> {
    const engine = new ProfileEngine(opts);
    if (opts.store === undefined) return { engine, problems: [] };
    const { profiles, problems } = await opts.store.list();
    for (const p of profiles) engine.profiles.set(p.id, new ProfileState(p, engine.limits));
    return { engine, problems };
  }

  /** Tells the engine a container's command (argv of its first process) before its events arrive. */
  registerContainer(container: ContainerRef, command: readonly string[]): WorkloadInfo | undefined {
    const state = this.stateFor(container, command);
    return state && info(state);
  }

  private stateFor(container: ContainerRef, command: readonly string[]): ProfileState | undefined {
    const key = workloadKey(container, command);
    let state = this.profiles.get(key.id);
    if (state === undefined) {
      if (this.profiles.size >= (this.opts.maxWorkloads ?? 4096)) return undefined;
      state = ProfileState.empty(key, this.clock(), this.limits, this.opts.initialMode ?? 'learn');
      this.profiles.set(key.id, state);
      this.markDirty(key.id);
    }
    if (!this.byContainer.has(container.id)) {
      if (this.byContainer.size >= MAX_CONTAINERS) {
        const oldest = this.byContainer.keys().next().value;
        if (oldest !== undefined) this.byContainer.delete(oldest);
      }
      this.byContainer.set(container.id, key.id);
    }
    return state;
  }

  /**
   * The workload of an event: a registered container; else the argv of the
   * container's first process (`container.pid`) from the tree or from its own
   * exec event; else, only when the container's pid is unknown, the tree's root.
   * Anything else is not attributed (a guessed command would be a fresh
   * workload in learn mode, i.e. an evasion).
   */
  private resolve(
    event: ContainerEvent,
    container: ContainerRef,
    tree: readonly ProcessInfo[],
  ): ProfileState | undefined {
    const known = this.byContainer.get(container.id);
    if (known !== undefined) {
      const s = this.profiles.get(known);
      if (s !== undefined) return s;
    }
    let command = tree.find((p) => p.pid === container.pid)?.argv;
    if (command === undefined && event.kind === 'exec' && event.pid === container.pid) command = event.argv;
    if (command === undefined && container.pid === undefined) command = tree[tree.length - 1]?.argv;
    return Array.isArray(command) ? this.stateFor(container, command) : undefined;
  }

  /** Learns from or checks one event. Undefined when the event cannot be attributed to a workload. */
  observe(
    event: ContainerEvent,
    container: ContainerRef,
    processTree: readonly ProcessInfo[],
  ): ObserveResult | undefined {
    const state = this.resolve(event, container, processTree);
    if (state === undefined) return undefined;
    const now = this.clock();
    const promoted = this.promoteIfDue(state, now);
    const facts = factsOf(event, this.network);
    if (state.mode === 'learn')
      return { ...this.learn(state, facts, now), ...(promoted ? { promoted } : {}) };
    const missing = facts.filter((f) => !state.has(f));
    const alerts: Alert[] = [];
    const syscalls = missing.filter((f) => f.dimension === 'syscalls');
    const groups: Fact[][] = [...missing.filter((f) => f.dimension !== 'syscalls').map((f) => [f])];
    if (syscalls.length > 0) groups.push(syscalls);
    for (const g of groups) {
      const f = g[0];
      const extra: Record<string, string> =
        f?.dimension === 'executables'
          ? { reason: state.executables.has(f.key) ? 'content-changed' : 'new-executable' }
          : {};
      const a = deviationAlert(g, info(state), container, processTree, event.time ?? now, extra);
      if (a !== undefined) alerts.push(a);
    }
    return { workload: info(state), learned: [], overflowed: [], alerts, ...(promoted ? { promoted } : {}) };
  }

  private learn(state: ProfileState, facts: readonly Fact[], now: number): ObserveResult {
    const learned: Novelty[] = [];
    const overflowed: Dimension[] = [];
    for (const f of facts) {
      const r = state.learn(f);
      if (r === 'overflow') overflowed.push(f.dimension);
      else if (r !== undefined) learned.push(r);
    }
    if (learned.length > 0) state.lastChangeAt = now;
    if (learned.length > 0 || overflowed.length > 0) this.markDirty(state.id);
    return { workload: info(state), learned, overflowed, alerts: [] };
  }

  private promoteIfDue(state: ProfileState, now: number): boolean {
    if (state.mode !== 'learn' || this.opts.autoPromote === false) return false;
    const quiet = now - state.lastChangeAt >= (this.opts.quietMs ?? 10 * 60_000);
    const long = now - state.learnStartedAt >= (this.opts.minLearnMs ?? 30 * 60_000);
    if (!quiet || !long) return false;
    state.mode = 'monitor';
    state.modeSource = 'automatic';
    state.modeChangedAt = now;
    this.markDirty(state.id);
    return true;
  }

  /** Promotes every workload whose quiet window is over (call periodically); returns those promoted. */
  promoteDue(): WorkloadInfo[] {
    const now = this.clock();
    return [...this.profiles.values()].filter((s) => this.promoteIfDue(s, now)).map(info);
  }

  private find(nameOrId: string): ProfileState | undefined {
    return this.profiles.get(nameOrId) ?? [...this.profiles.values()].find((s) => s.name === nameOrId);
  }

  get(nameOrId: string): BehaviourProfile | undefined {
    return this.find(nameOrId)?.snapshot();
  }

  list(): BehaviourProfile[] {
    return [...this.profiles.values()].map((s) => s.snapshot()).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Manual mode change; entering `learn` restarts the learning period. */
  setMode(nameOrId: string, mode: ProfileMode): BehaviourProfile {
    const state = this.find(nameOrId);
    if (state === undefined) throw new MamoriError('NOT_FOUND', `no profile ${nameOrId}`);
    const now = this.clock();
    state.mode = mode;
    state.modeSource = 'manual';
    state.modeChangedAt = now;
    if (mode === 'learn') {
      state.learnStartedAt = now;
      state.lastChangeAt = now;
    }
    this.markDirty(state.id);
    return state.snapshot();
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    const every = this.opts.flushIntervalMs ?? 5000;
    if (this.opts.store === undefined || every <= 0 || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, every);
    this.timer.unref();
  }

  /** Writes every changed profile. Failed writes stay pending for the next flush; the first error is thrown. */
  flush(): Promise<void> {
    const run = async (): Promise<void> => {
      const store = this.opts.store;
      if (store === undefined) return;
      const ids = [...this.dirty];
      this.dirty.clear();
      let first: unknown;
      for (const id of ids) {
        const s = this.profiles.get(id);
        if (s === undefined) continue;
        try {
          await store.save(s.snapshot());
        } catch (e) {
          this.dirty.add(id);
          first ??= e;
        }
      }
      if (first !== undefined) throw first;
    };
    this.flushing = this.flushing.then(run, run);
    return this.flushing;
  }

  /** Stops the flush timer and writes what is pending. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

function info(s: ProfileState): WorkloadInfo {
  return { id: s.id, name: s.name, mode: s.mode };
}
