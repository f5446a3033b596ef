import { MamoriError } from '../../core/errors.js';

/** Event families the sensor script can report; each maps to a group of probes. */
export const EVENT_FAMILIES = ['exec', 'exit', 'network', 'open', 'notable', 'syscalls'] as const;
export type EventFamily = (typeof EVENT_FAMILIES)[number];

/**
 * Which cgroups (v2 ids, decimal strings) the probes report. Ids are matched
 * exactly: a cgroup's descendants are not included automatically.
 * `excludeHostRoot` drops processes that sit in the root cgroup (id 1).
 */
export interface CgroupFilter {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly excludeHostRoot?: boolean;
}

/**
 * Sensitive path prefixes whose reads are reported (writes are always
 * reported). Matching is a byte prefix of the path as passed to open(2), so
 * a relative path (`cd /etc; cat shadow`) is not matched in the kernel.
 */
export const DEFAULT_SENSITIVE_PATHS: readonly string[] = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/sudoers',
  '/etc/ssh/ssh_host_',
  '/root/.ssh/',
  '/var/run/secrets/',
  '/run/secrets/',
  '/proc/sys/kernel/',
  '/proc/kcore',
  '/sys/kernel/',
];

export interface SensorScriptOptions {
  readonly cgroups?: CgroupFilter;
  /** Default: all families. */
  readonly families?: readonly EventFamily[];
  /** Longest string read from the kernel or user memory (bytes incl. NUL), 32..200; default 200. */
  readonly strlen?: number;
  /** Most argv elements kept per exec, 1..64; default 32 (more marks the exec truncated). */
  readonly maxArgs?: number;
  /**
   * How this kernel's struct inode names its ctime (seconds and nanoseconds
   * fields, e.g. `i_ctime_sec`/`i_ctime_nsec` on 6.11+, `i_ctime.tv_sec` /
   * `i_ctime.tv_nsec` before 6.6); see inodeCtimeFields(). Without it exec
   * events carry no ctime and the agent checks the file's identity itself.
   */
  readonly inodeCtime?: InodeCtime;
  /** Sensitive read prefixes (default DEFAULT_SENSITIVE_PATHS), at most 32. */
  readonly sensitivePaths?: readonly string[];
  /** Interval of the per-cgroup syscall sets, 100..60000 ms; default 1000. */
  readonly syscallIntervalMs?: number;
  /**
   * Tracepoints this kernel has (`syscalls:sys_enter_mount`, …). When given,
   * probes on missing tracepoints are left out (e.g. init_module without
   * CONFIG_MODULES). The runner fills it from tracefs.
   */
  readonly tracepoints?: ReadonlySet<string>;
  /**
   * Exec compaction (see compact.ts): the process allowed to name repeatable
   * execs, the file descriptor it writes them through and the secret seed of
   * the kernel's exec fingerprint. Needs inodeCtime.
   */
  readonly compaction?: CompactionSpec;
}

export interface CompactionSpec {
  /** The agent's process id (tgid). */
  readonly pid: number;
  /** Its descriptor of /dev/null whose pwrite64 calls carry the requests. */
  readonly fd: number;
  /** Secret seed of the fingerprint, a decimal integer below 2^63. */
  readonly seed: string;
}

export interface InodeCtime {
  readonly sec: string;
  readonly nsec: string;
}

export interface NormalizedOptions {
  readonly filter: string;
  readonly families: ReadonlySet<EventFamily>;
  readonly strlen: number;
  readonly maxArgs: number;
  readonly inodeCtime?: InodeCtime;
  readonly sensitivePaths: readonly string[];
  readonly syscallIntervalMs: number;
  readonly tracepoints?: ReadonlySet<string>;
  readonly compaction?: CompactionSpec;
}

function bad(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', message);
}

function intIn(v: number | undefined, def: number, lo: number, hi: number, name: string): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < lo || v > hi) throw bad(`${name} must be an integer in ${lo}..${hi}`);
  return v;
}

/** A decimal u64 (kernel ids, fingerprints), or undefined when the text is not one. */
export function parseU64(text: string): bigint | undefined {
  if (!/^[0-9]{1,20}$/.test(text)) return undefined;
  const v = BigInt(text);
  return v <= 0xffffffffffffffffn ? v : undefined;
}

/** A cgroup id as a bpftrace integer literal (validated decimal u64). */
export function cgroupLiteral(id: string): string {
  const v = parseU64(id);
  if (v === undefined) throw bad(`invalid cgroup id ${JSON.stringify(id)}`);
  return v.toString();
}

/** A bpftrace string literal for a path: printable ASCII without quotes or backslashes. */
export function pathLiteral(p: string, strlen: number): string {
  if (p.length === 0 || p.length >= strlen || !/^[\x21-\x7e]+$/.test(p) || /["\\]/.test(p)) {
    throw bad(
      `path ${JSON.stringify(p)} must be 1..${strlen - 1} printable ASCII characters without quotes or backslashes`,
    );
  }
  return `"${p}"`;
}

/** The bpftrace predicate expression for a cgroup filter ('' when everything is reported). */
export function cgroupPredicate(f: CgroupFilter | undefined): string {
  const parts: string[] = [];
  if (f?.include !== undefined) {
    if (f.include.length === 0 || f.include.length > 64) throw bad('cgroups.include must list 1..64 ids');
    parts.push(`(${f.include.map((id) => `cgroup == ${cgroupLiteral(id)}`).join(' || ')})`);
  }
  if (f?.exclude !== undefined) {
    if (f.exclude.length > 64) throw bad('cgroups.exclude lists at most 64 ids');
    for (const id of f.exclude) parts.push(`cgroup != ${cgroupLiteral(id)}`);
  }
  if (f?.excludeHostRoot === true) parts.push('cgroup != 1');
  return parts.join(' && ');
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_]{0,63})?$/;

function checkCtime(c: InodeCtime): InodeCtime {
  if (!FIELD.test(c.sec) || !FIELD.test(c.nsec))
    throw bad('inodeCtime: fields must be C identifiers (a.b at most)');
  return c;
}

export function normalizeOptions(o: SensorScriptOptions = {}): NormalizedOptions {
  const families = new Set<EventFamily>(o.families ?? EVENT_FAMILIES);
  for (const f of families) if (!EVENT_FAMILIES.includes(f)) throw bad(`unknown event family ${String(f)}`);
  if (families.size === 0) throw bad('at least one event family must be enabled');
  const strlen = intIn(o.strlen, 200, 32, 200, 'strlen');
  const sensitivePaths = o.sensitivePaths ?? DEFAULT_SENSITIVE_PATHS;
  if (sensitivePaths.length > 32) throw bad('at most 32 sensitive paths');
  for (const p of sensitivePaths) pathLiteral(p, strlen);
  return {
    filter: cgroupPredicate(o.cgroups),
    families,
    strlen,
    maxArgs: intIn(o.maxArgs, 32, 1, 64, 'maxArgs'),
    ...(o.inodeCtime !== undefined ? { inodeCtime: checkCtime(o.inodeCtime) } : {}),
    sensitivePaths,
    syscallIntervalMs: intIn(o.syscallIntervalMs, 1000, 100, 60000, 'syscallIntervalMs'),
    tracepoints: o.tracepoints,
    ...(o.compaction !== undefined ? { compaction: checkCompaction(o.compaction, o.inodeCtime) } : {}),
  };
}

function checkCompaction(c: CompactionSpec, ctime: InodeCtime | undefined): CompactionSpec {
  if (ctime === undefined)
    throw bad('compaction needs inodeCtime (a rewritten executable must not pass as known)');
  if (!Number.isSafeInteger(c.pid) || c.pid <= 0) throw bad('compaction.pid must be a process id');
  if (!Number.isSafeInteger(c.fd) || c.fd < 0 || c.fd > 1 << 20)
    throw bad('compaction.fd must be a file descriptor');
  if (!/^[0-9]{1,19}$/.test(c.seed) || BigInt(c.seed) >= 1n << 63n)
    throw bad('compaction.seed must be a decimal integer below 2^63');
  return c;
}
