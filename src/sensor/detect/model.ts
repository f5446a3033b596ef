/**
 * The user's detection configuration once validated: user rules, exceptions
 * (for built-in and user rules), disabled rules and severity overrides.
 * Plain data; createDetector compiles it.
 */
import type { AlertSeverity } from '../model/index.js';
import type { DetectEventKind } from './types.js';

/** Field matchers of a condition and the event kinds each applies to. */
export const FIELD_KINDS = {
  exe: ['exec', 'open', 'connect', 'accept', 'syscall'],
  comm: ['exec', 'open', 'connect', 'accept', 'syscall'],
  argv: ['exec', 'open', 'connect', 'accept', 'syscall'],
  parent: ['exec', 'open', 'connect', 'accept', 'syscall'],
  uid: ['exec', 'open', 'connect', 'accept', 'syscall'],
  image: ['exec', 'open', 'connect', 'accept', 'syscall'],
  namespace: ['exec', 'open', 'connect', 'accept', 'syscall'],
  path: ['open', 'connect', 'accept'],
  write: ['open'],
  address: ['connect', 'accept'],
  port: ['connect', 'accept'],
  syscall: ['syscall'],
} as const satisfies Record<string, readonly DetectEventKind[]>;

export type FieldName = keyof typeof FIELD_KINDS;
export const FIELD_NAMES = Object.keys(FIELD_KINDS) as FieldName[];
export const COMBINATORS = ['all', 'any', 'not'] as const;

/** Syscalls a NotableSyscallEvent may name. */
export const NOTABLE_SYSCALLS: readonly string[] = [
  'ptrace',
  'mount',
  'umount',
  'unshare',
  'setns',
  'init_module',
  'finit_module',
  'bpf',
  'keyctl',
];

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * A condition: every key present must hold. A field's list of values
 * matches when any value does; `all`, `any` and `not` combine conditions.
 */
export interface Condition {
  readonly all?: readonly Condition[];
  readonly any?: readonly Condition[];
  readonly not?: Condition;
  /** Globs: with a `/` against the executable's path, without against every name it runs as. */
  readonly exe?: readonly string[];
  /** Globs (`*` matches anything) against the command name. */
  readonly comm?: readonly string[];
  readonly argv?: {
    /** Substrings of the command line (arguments joined by spaces). */
    readonly contains?: readonly string[];
    /** Globs (`*` matches anything) one argument must match. */
    readonly glob?: readonly string[];
  };
  /** Like `exe`, for the parent process. */
  readonly parent?: readonly string[];
  readonly uid?: readonly number[];
  /** Globs against the container's image reference (`*` stops at `/`, `**` crosses it). */
  readonly image?: readonly string[];
  /** Globs against the Kubernetes namespace. */
  readonly namespace?: readonly string[];
  /** Path globs (`/etc/` = everything under /etc) against an open's path or a unix socket's address. */
  readonly path?: readonly string[];
  readonly write?: boolean;
  /** IP addresses and CIDR blocks of the peer. */
  readonly address?: readonly string[];
  /** Peer port of a connect, local (service) port of an accept. */
  readonly port?: readonly PortRange[];
  readonly syscall?: readonly string[];
}

export interface UserRule {
  readonly id: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly description?: string;
  readonly events: readonly DetectEventKind[];
  readonly condition: Condition;
}

export interface RuleException {
  /** Rule ids (built-in or user) the exception lifts. */
  readonly rules: readonly string[];
  readonly reason: string;
  readonly condition: Condition;
}

export interface DetectionRules {
  readonly rules: readonly UserRule[];
  readonly exceptions: readonly RuleException[];
  /** Rule ids not evaluated at all. */
  readonly disable: readonly string[];
  readonly severity: Readonly<Record<string, AlertSeverity>>;
}

export const EMPTY_RULES: DetectionRules = Object.freeze({
  rules: [],
  exceptions: [],
  disable: [],
  severity: {},
});

export const DETECT_LIMITS = {
  /** Largest YAML document read. */
  bytes: 256 * 1024,
  /** YAML aliases resolved at most (a "billion laughs" document needs many). */
  aliases: 100,
  rules: 500,
  exceptions: 1000,
  /** Values in one list. */
  list: 256,
  string: 1024,
  pattern: 512,
  /** Nesting of all/any/not. */
  depth: 8,
  /** Condition nodes in one rule or exception. */
  nodes: 256,
} as const;
