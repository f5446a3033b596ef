/**
 * Types of the runtime detections: the events they look at, the context the
 * sensor supplies with each event, built-in rules and user rules.
 */
import type {
  AlertSeverity,
  ContainerRef,
  ExecEvent,
  NetworkEvent,
  NotableSyscallEvent,
  OpenEvent,
  ProcessInfo,
} from '../model/index.js';

/** Event kinds a detection can look at. */
export const DETECT_EVENT_KINDS = ['exec', 'open', 'connect', 'accept', 'syscall'] as const;
export type DetectEventKind = (typeof DETECT_EVENT_KINDS)[number];

/** The events detections look at (exits and syscall sets never alert). */
export type DetectableEvent = ExecEvent | OpenEvent | NetworkEvent | NotableSyscallEvent;

export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** What the sensor knows beside the event: attribution and the process tree. */
export interface DetectContext {
  readonly container?: ContainerRef;
  /** The process behind the event, then its parent, grandparent, … (as far as known). */
  readonly processTree: readonly ProcessInfo[];
  /**
   * Set by the sensor when it observed, from facts of its own, that the
   * event is the container runtime's setup work (runc's init before the
   * container's program was exec'd, `runc exec` joining the container).
   * The `runtime-setup` default exceptions rely on this flag alone: a
   * process's name is chosen by whoever runs it.
   */
  readonly runtimeSetup?: boolean;
}

/** What matched: paths, argv, addresses, flags. */
export type Evidence = Record<string, string | number | boolean>;

/**
 * Per-event view shared by every rule looking at one event: the container
 * (event's or context's) and lazily computed facts, so that the work is
 * done once per event and not once per rule.
 */
export interface MatchContext {
  readonly container: ContainerRef | undefined;
  readonly processTree: readonly ProcessInfo[];
  /** DetectContext.runtimeSetup: the sensor saw the event to be the container runtime's setup. */
  readonly runtimeSetup: boolean;
  /** The process that caused the event (for exec: the new program), if known. */
  self(): ProcessInfo | undefined;
  /** Its parent, if known. */
  parent(): ProcessInfo | undefined;
  /** The names the process goes by (see names.ts): for exec events the new program's. */
  invocations(): readonly Invocation[];
  /** The names its parent goes by (empty when unknown). */
  parentInvocations(): readonly Invocation[];
  /** The names of each process of the tree (bounded), for "run under a package manager". */
  treeInvocations(): readonly (readonly Invocation[])[];
  /**
   * The file the event is about, normalised (`//`, `.` and `..` resolved) when
   * absolute: an open's path, a unix socket's address; undefined otherwise.
   */
  path(): string | undefined;
}

/** One way of naming the program an exec runs: `sh` for `/bin/busybox sh`, `npm` for `node /usr/bin/npm`. */
export interface Invocation {
  /** Basename (a leading `-` of login shells dropped). */
  readonly name: string;
  /** The arguments after the name. */
  readonly args: readonly string[];
  /** The file that runs under this name: the executable, argv[0], or the interpreted script. */
  readonly path: string;
}

/** A documented, built-in reason not to alert (part of the rule, listed in RULES.md). */
export interface DefaultException {
  /** Short id, unique within the rule (`entrypoint`, `account-tools`). */
  readonly id: string;
  readonly description: string;
  readonly test: (event: DetectableEvent, ctx: MatchContext) => boolean;
}

/** A built-in detection. Ids are stable: never renumbered, never reused. */
export interface BuiltinRule {
  /** `MR` + three digits. */
  readonly id: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly description: string;
  /** MITRE ATT&CK technique (`T1059.004`), where one fits. */
  readonly mitre?: string;
  readonly events: readonly DetectEventKind[];
  /**
   * The evidence of a match, or undefined. Only called with events of
   * `events`' kinds. For exec events it must depend on the event alone (not
   * on the process tree or container): exec compaction takes an exec no
   * rule matches as repeatable (Detector.repeatable); exceptions may look
   * at anything.
   */
  readonly match: (event: DetectableEvent, ctx: MatchContext) => Evidence | undefined;
  readonly exceptions: readonly DefaultException[];
}

/** A compiled condition of a user rule or exception. */
export type Predicate = (event: DetectableEvent, ctx: MatchContext) => boolean;
