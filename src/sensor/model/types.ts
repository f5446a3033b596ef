/**
 * The shared vocabulary of mamori's runtime sensor: what the kernel side
 * reports (events), which container it belongs to, and what the sensor
 * concludes (alerts). Every part of the sensor — the bpftrace driver, the
 * container attribution, the detections, the behaviour profiles, drift
 * detection and the event stream — speaks these types.
 *
 * Times are milliseconds since the epoch (fractions allowed). Process ids are
 * as seen from the host's pid namespace.
 */

/** The container an event belongs to, as far as it is known. */
export interface ContainerRef {
  /** Container id (64 hex for containerd/CRI-O/Docker; any runc id for plain runc). */
  readonly id: string;
  readonly runtime: 'runc' | 'containerd' | 'cri-o' | 'docker' | 'unknown';
  /** cgroup v2 path relative to the unified hierarchy (`/system.slice/…`). */
  readonly cgroup?: string;
  /** OCI bundle and root filesystem (absolute host paths) when the runtime state names them. */
  readonly bundle?: string;
  readonly rootfs?: string;
  /** The container's init process (host pid). */
  readonly pid?: number;
  /** Image reference and digest (from CRI annotations or the sensor's configuration). */
  readonly image?: string;
  readonly imageDigest?: string;
  /** Kubernetes pod, where the runtime's annotations tell it. */
  readonly pod?: { readonly name: string; readonly namespace: string; readonly uid?: string };
  /** Container name within the pod. */
  readonly name?: string;
}

/** One process, as the sensor knows it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  /** Executable path as the process sees it (inside the container's mount namespace). */
  readonly exe: string;
  readonly argv: readonly string[];
  /** Kernel's short command name (15 chars). */
  readonly comm: string;
  /** sha256 of the executable's content (`sha256:<hex>`) when it could be read. */
  readonly sha256?: string;
  /** Exec time. */
  readonly time?: number;
}

/** What a file descriptor refers to (for stdio of a new process: reverse-shell detection). */
export type FdKind = 'socket' | 'pipe' | 'tty' | 'file' | 'other' | 'unknown';

interface EventBase {
  readonly time: number;
  /** cgroup v2 id (the inode number of the cgroup directory), as a decimal string. */
  readonly cgroupId: string;
  readonly pid: number;
  /** Thread-group leader's command name. */
  readonly comm: string;
  readonly uid: number;
  /** Filled in by attribution; absent for host processes. */
  readonly container?: ContainerRef;
}

export interface ExecEvent extends EventBase {
  readonly kind: 'exec';
  readonly ppid: number;
  readonly exe: string;
  readonly argv: readonly string[];
  /** Set when argv was cut at the sensor's limit. */
  readonly argvTruncated?: boolean;
  readonly sha256?: string;
  readonly stdin?: FdKind;
  readonly stdout?: FdKind;
  /**
   * The executed file as the kernel saw it (`device:inode:ctime`): any
   * write to the file changes it, and user space cannot set a ctime back.
   */
  readonly exeId?: string;
  /** Whether the parent runs in the same pid namespace (false when e.g. `runc exec` enters a container). */
  readonly parentSamePidNs?: boolean;
  /**
   * The kernel's fingerprints of this exec when it can be compacted
   * (decimal; opaque): of the file, uid, stdio, path and whole argv, and of
   * the same with argv[0] alone. Repeats of an exec the agent judged are
   * then reported by one of them (see the sensor agent's exec compaction).
   */
  readonly compactKey?: string;
  readonly compactKeyArgv0?: string;
}

export interface ExitEvent extends EventBase {
  readonly kind: 'exit';
  readonly exitCode: number;
}

export interface NetworkEvent extends EventBase {
  readonly kind: 'connect' | 'accept';
  readonly protocol: 'tcp' | 'udp' | 'unix' | 'other';
  readonly family: 'inet' | 'inet6' | 'unix';
  /** Peer address (IP or unix socket path) and port (0 for unix). */
  readonly address: string;
  readonly port: number;
  /** Local port for accept (the service port). */
  readonly localPort?: number;
}

export interface OpenEvent extends EventBase {
  readonly kind: 'open';
  readonly path: string;
  /** open(2) flags. */
  readonly flags: number;
  /** Opened for writing (O_WRONLY, O_RDWR, O_CREAT or O_TRUNC). */
  readonly write: boolean;
}

/** A syscall worth an event of its own (escape and tampering indicators). */
export interface NotableSyscallEvent extends EventBase {
  readonly kind: 'syscall';
  readonly syscall:
    'ptrace' | 'mount' | 'umount' | 'unshare' | 'setns' | 'init_module' | 'finit_module' | 'bpf' | 'keyctl';
  /** Decoded arguments that matter for the detection (flags, targets, request). */
  readonly args: Readonly<Record<string, string | number>>;
}

/** The set of syscalls a container used during an interval (for learning and seccomp profiles). */
export interface SyscallSetEvent extends EventBase {
  readonly kind: 'syscalls';
  /** Syscall names (x86_64 table), sorted, unique. */
  readonly syscalls: readonly string[];
}

/** Events the sensor could not deliver: counted, never silent. */
export interface DropEvent {
  readonly kind: 'drop';
  readonly time: number;
  /** `kernel`: lost in the perf/ring buffer; `queue`: the sensor's bounded queue was full; `parse`: unreadable output. */
  readonly source: 'kernel' | 'queue' | 'parse';
  readonly count: number;
}

export type ProcessEvent = ExecEvent | ExitEvent;
export type ContainerEvent =
  ExecEvent | ExitEvent | NetworkEvent | OpenEvent | NotableSyscallEvent | SyscallSetEvent;
export type SensorEvent = ContainerEvent | DropEvent;

export type AlertSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** A conclusion of the sensor: a detection fired or a workload deviated from its profile. */
export interface Alert {
  readonly kind: 'alert';
  readonly time: number;
  /** Stable rule id (`MR…` built-in detections, `MP…` profile deviations, `MD001` drift, user rule ids). */
  readonly rule: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly container?: ContainerRef;
  /** The process that triggered it, then its parent, grandparent, … (as far as known). */
  readonly processTree: readonly ProcessInfo[];
  /** What was observed: paths, addresses, argv, hashes. */
  readonly evidence: Readonly<Record<string, string | number | boolean>>;
  /** What the sensor did about it (protect mode). */
  readonly action?: 'killed' | 'none';
}
