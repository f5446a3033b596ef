/**
 * OCI runtime-spec `linux.seccomp` from a learned profile: deny by default
 * with EPERM, allow exactly the observed syscalls plus the few the runtime
 * itself needs once runc has loaded the filter.
 *
 * The runtime set: what runc (1.1, traced with strace) calls between loading
 * the filter and exec-ing the container process, and what any process needs
 * to end cleanly. With `noNewPrivileges: true` runc loads the filter as late
 * as possible, right before the exec:
 * - execve — runc's final exec of the container process runs under the filter.
 * - openat, write, close — the exec-fifo handshake (open /proc/self/fd/N, write
 *   "0") and closing the descriptors the container must not inherit.
 * - fstatfs, getdents64 — that close lists /proc/self/fd after checking it is procfs.
 * - getpid — runc's own pid for the start-container hook state.
 * - futex, nanosleep, sched_yield, epoll_pwait — runc init is a Go program whose
 *   runtime threads park, spin and poll until the exec replaces them.
 * - rt_sigreturn — return from a signal handler: Go preemption signals reach
 *   runc init after the filter (without it the thread loops on SIGSEGV), and
 *   a workload's SIGTERM handler needs it to shut down cleanly.
 * - exit, exit_group — thread and process exit.
 * Left out: epoll_ctl (Go's poller registration; runc tolerates EPERM and
 * falls back to blocking I/O).
 * Without no_new_privs (Kubernetes' default, `allowPrivilegeEscalation: true`)
 * runc must load the filter before it drops privileges and checks the
 * executable, so those calls are needed too (`NNP_FALSE_EXTRA`).
 *
 * The profile never allows everything: the allow list is explicit, the
 * default is errno, and an overflowed syscall dimension (an incomplete
 * list) is refused.
 */
import { MamoriError } from '../../core/errors.js';
import { X86_64_SYSCALLS } from '../bpftrace/index.js';
import type { BehaviourProfile } from '../profile/index.js';

export const RUNTIME_SYSCALLS: readonly string[] = [
  'close',
  'epoll_pwait',
  'execve',
  'exit',
  'exit_group',
  'fstatfs',
  'futex',
  'getdents64',
  'getpid',
  'nanosleep',
  'openat',
  'rt_sigreturn',
  'sched_yield',
  'write',
];

/**
 * runc's calls between filter and exec when no_new_privs is off: dropping
 * capabilities and ids (capget, capset, prctl, setgroups, setgid, setuid),
 * checking stdio, cwd and the executable (fstat, fcntl, newfstatat, getcwd,
 * chdir, faccessat, faccessat2, read) and its own identity (getppid, getuid,
 * geteuid, getgid, getegid).
 */
export const NNP_FALSE_EXTRA: readonly string[] = [
  'capget',
  'capset',
  'chdir',
  'faccessat',
  'faccessat2',
  'fcntl',
  'fstat',
  'getcwd',
  'getegid',
  'geteuid',
  'getgid',
  'getppid',
  'getuid',
  'newfstatat',
  'prctl',
  'read',
  'setgid',
  'setgroups',
  'setuid',
];

export interface SeccompOptions {
  /** The syscall names to validate against (default: the sensor's x86_64 table). */
  readonly knownSyscalls?: Iterable<string>;
  /** Further syscalls to allow. */
  readonly extra?: readonly string[];
  /** Whether the container runs with no_new_privs (default true). */
  readonly noNewPrivileges?: boolean;
}

export interface SeccompRule {
  readonly names: string[];
  readonly action: 'SCMP_ACT_ALLOW';
}

/** The OCI `linux.seccomp` object. */
export interface LinuxSeccomp {
  readonly defaultAction: 'SCMP_ACT_ERRNO';
  readonly defaultErrnoRet: 1;
  readonly architectures: string[];
  readonly syscalls: SeccompRule[];
}

export interface SeccompReport {
  readonly seccomp: LinuxSeccomp;
  /** Names dropped because they are malformed or not in the syscall table. */
  readonly dropped: string[];
  /** Names added for the runtime (not observed). */
  readonly added: string[];
}

const NAME = /^[a-z0-9_]{1,40}$/;

/** The seccomp profile and what was dropped or added; see the module comment. */
export function seccompReport(
  profile: Pick<BehaviourProfile, 'syscalls' | 'overflow'>,
  opts: SeccompOptions = {},
): SeccompReport {
  if (profile.overflow.includes('syscalls')) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'the profile stopped learning syscalls at its cap: its list is incomplete',
    );
  }
  const known = new Set(opts.knownSyscalls ?? X86_64_SYSCALLS.values());
  const ok = (n: unknown): n is string => typeof n === 'string' && NAME.test(n) && known.has(n);
  const observed = new Set<string>();
  const dropped = new Set<string>();
  for (const n of [...profile.syscalls, ...(opts.extra ?? [])]) {
    if (ok(n)) observed.add(n);
    else dropped.add(String(n).slice(0, 64));
  }
  const runtime = [...RUNTIME_SYSCALLS, ...(opts.noNewPrivileges === false ? NNP_FALSE_EXTRA : [])];
  const added = runtime.filter((n) => !observed.has(n) && known.has(n));
  const names = [...new Set([...observed, ...added])].sort();
  return {
    seccomp: {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }],
    },
    dropped: [...dropped].sort(),
    added: added.sort(),
  };
}

/** OCI `linux.seccomp` for a learned profile (default EPERM, observed + runtime syscalls allowed). */
export function seccompProfile(
  profile: Pick<BehaviourProfile, 'syscalls' | 'overflow'>,
  opts: SeccompOptions = {},
): LinuxSeccomp {
  return seccompReport(profile, opts).seccomp;
}
