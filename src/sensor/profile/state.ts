/**
 * The in-memory, mutable form of one behaviour profile: sets for fast
 * membership, caps enforced on every addition, and conversion to and from
 * the stored JSON form.
 */
import { listenKey, peerKey, type Fact } from './facts.js';
import { globToRegExp } from './generalise.js';
import {
  PROFILE_SCHEMA,
  type BehaviourProfile,
  type Dimension,
  type ListenEntry,
  type Novelty,
  type PeerEntry,
  type ProfileLimits,
  type ProfileMode,
  type WorkloadKey,
} from './types.js';

type SetDimension = Exclude<Dimension, 'executables'>;

export class ProfileState {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly createdAt: number;
  mode: ProfileMode;
  modeSource: BehaviourProfile['modeSource'];
  learnStartedAt: number;
  lastChangeAt: number;
  modeChangedAt: number;
  readonly executables = new Map<string, Set<string> | 'any'>();
  readonly sets: Record<SetDimension, Set<string>> = {
    connects: new Set(),
    listens: new Set(),
    writes: new Set(),
    reads: new Set(),
    syscalls: new Set(),
  };
  readonly overflow = new Set<Dimension>();
  private readonly globs = new Map<string, RegExp>();

  constructor(
    p: BehaviourProfile,
    private readonly limits: ProfileLimits,
  ) {
    this.id = p.id;
    this.name = p.name;
    this.image = p.image;
    this.command = p.command;
    this.createdAt = p.createdAt;
    this.mode = p.mode;
    this.modeSource = p.modeSource;
    this.learnStartedAt = p.learnStartedAt;
    this.lastChangeAt = p.lastChangeAt;
    this.modeChangedAt = p.modeChangedAt;
    for (const e of p.executables)
      this.executables.set(e.path, e.sha256 === 'any' ? 'any' : new Set(e.sha256));
    for (const c of p.connects) this.sets.connects.add(peerKey(c.protocol, c.address, c.port));
    for (const l of p.listens) this.sets.listens.add(listenKey(l.protocol, l.port));
    for (const w of p.writes) this.addWrite(w);
    for (const r of p.reads) this.sets.reads.add(r);
    for (const s of p.syscalls) this.sets.syscalls.add(s);
    for (const d of p.overflow) this.overflow.add(d);
  }

  /** A profile with nothing learned yet, in `mode` (modeSource `initial`). */
  static empty(
    key: WorkloadKey,
    now: number,
    limits: ProfileLimits,
    mode: BehaviourProfile['mode'] = 'learn',
  ): ProfileState {
    return new ProfileState(
      {
        schema: PROFILE_SCHEMA,
        id: key.id,
        name: key.name,
        image: key.image,
        command: key.command,
        mode,
        modeSource: 'initial',
        createdAt: now,
        learnStartedAt: now,
        lastChangeAt: now,
        modeChangedAt: now,
        executables: [],
        connects: [],
        listens: [],
        writes: [],
        reads: [],
        syscalls: [],
        overflow: [],
      },
      limits,
    );
  }

  /** Whether the profile already covers the fact (an overflowed dimension covers everything). */
  has(f: Fact): boolean {
    if (this.overflow.has(f.dimension)) return true;
    if (f.dimension === 'executables') {
      const hashes = this.executables.get(f.key);
      if (hashes === undefined) return false;
      return hashes === 'any' || hashes.size === 0 || f.sha256 === undefined || hashes.has(f.sha256);
    }
    const set = this.sets[f.dimension];
    if (set.has(f.key)) return true;
    if (f.dimension !== 'writes') return false;
    for (const re of this.globs.values()) if (re.test(f.key)) return true;
    return false;
  }

  /** Adds the fact; returns what was new, or `overflow` when the dimension's cap was just reached. */
  learn(f: Fact): Novelty | 'overflow' | undefined {
    if (this.has(f)) return undefined;
    if (f.dimension === 'executables') return this.learnExecutable(f);
    const set = this.sets[f.dimension];
    if (set.size >= this.limits[f.dimension]) {
      this.overflow.add(f.dimension);
      return 'overflow';
    }
    if (f.dimension === 'writes') this.addWrite(f.key);
    else set.add(f.key);
    return { dimension: f.dimension, value: f.key };
  }

  private learnExecutable(f: Fact): Novelty | 'overflow' | undefined {
    const hashes = this.executables.get(f.key);
    if (hashes === undefined) {
      if (this.executables.size >= this.limits.executables) {
        this.overflow.add('executables');
        return 'overflow';
      }
      this.executables.set(f.key, new Set(f.sha256 ? [f.sha256] : []));
      return { dimension: 'executables', value: f.key };
    }
    if (hashes === 'any' || f.sha256 === undefined) return undefined;
    if (hashes.size >= this.limits.hashesPerExecutable) this.executables.set(f.key, 'any');
    else hashes.add(f.sha256);
    return { dimension: 'executables', value: `${f.key} ${f.sha256}` };
  }

  /** Adds a write pattern; collapses a directory's files into `dir/*` past the per-directory cap. */
  private addWrite(pattern: string): void {
    const writes = this.sets.writes;
    writes.add(pattern);
    if (pattern.includes('*')) this.globs.set(pattern, globToRegExp(pattern));
    const slash = pattern.lastIndexOf('/');
    const dir = pattern.slice(0, slash + 1);
    if (dir === '/' || pattern.endsWith('/**')) return;
    const siblings = [...writes].filter((w) => w.startsWith(dir) && !w.slice(dir.length).includes('/'));
    if (siblings.length <= this.limits.filesPerDirectory) return;
    for (const s of siblings) {
      writes.delete(s);
      this.globs.delete(s);
    }
    writes.add(dir + '*');
    this.globs.set(dir + '*', globToRegExp(dir + '*'));
  }

  snapshot(): BehaviourProfile {
    const sorted = (s: Iterable<string>): string[] => [...s].sort();
    const peers = sorted(this.sets.connects).map((k) => {
      const [protocol, address, port] = JSON.parse(k) as [PeerEntry['protocol'], string, number];
      return { protocol, address, port };
    });
    const listens = sorted(this.sets.listens).map((k) => {
      const [protocol, port] = JSON.parse(k) as [ListenEntry['protocol'], number];
      return { protocol, port };
    });
    return {
      schema: PROFILE_SCHEMA,
      id: this.id,
      name: this.name,
      image: this.image,
      command: [...this.command],
      mode: this.mode,
      modeSource: this.modeSource,
      createdAt: this.createdAt,
      learnStartedAt: this.learnStartedAt,
      lastChangeAt: this.lastChangeAt,
      modeChangedAt: this.modeChangedAt,
      executables: sorted(this.executables.keys()).map((path) => {
        const h = this.executables.get(path);
        return { path, sha256: h === 'any' || h === undefined ? 'any' : sorted(h) };
      }),
      connects: peers,
      listens,
      writes: sorted(this.sets.writes),
      reads: sorted(this.sets.reads),
      syscalls: sorted(this.sets.syscalls),
      overflow: sorted(this.overflow) as Dimension[],
    };
  }
}
