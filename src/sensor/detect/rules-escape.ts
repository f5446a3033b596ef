/**
 * Built-in detections of container escape and kernel tampering (MR011–MR021):
 * escape-prone syscalls, kernel hooks written through /proc and /sys, the
 * container runtime's socket. See RULES.md.
 */
import { argNumber, BPF_COMMANDS, CLONE_FLAGS, enumName, flagNames, PTRACE_REQUESTS } from './args.js';
import { compileGlobs } from './glob.js';
import { basename } from './names.js';
import { openMatching } from './rules-files.js';
import type { NotableSyscallEvent } from '../model/index.js';
import type { BuiltinRule, DefaultException, DetectableEvent } from './types.js';

const syscall = (e: DetectableEvent, names: readonly string[]): NotableSyscallEvent | undefined =>
  e.kind === 'syscall' && names.includes(e.syscall) ? e : undefined;

const runtimeSetup: DefaultException = {
  id: 'runtime-setup',
  description:
    "the container runtime's own setup work (runc's init mounting and creating namespaces before the container's program is exec'd, `runc exec` joining the container), as the sensor observed it: never decided from the process's name, which any program can choose.",
  test: (_e, ctx) => ctx.runtimeSetup,
};

const PTRACE_WRITES = new Set([
  'PTRACE_ATTACH',
  'PTRACE_SEIZE',
  'PTRACE_POKETEXT',
  'PTRACE_POKEDATA',
  'PTRACE_POKEUSER',
  'PTRACE_SETREGS',
  'PTRACE_SETFPREGS',
  'PTRACE_SETREGSET',
]);

export const ptrace: BuiltinRule = {
  id: 'MR011',
  title: 'Process attached to or modified with ptrace',
  severity: 'high',
  mitre: 'T1055.008',
  description:
    'ptrace(2) attaching to another process (PTRACE_ATTACH, PTRACE_SEIZE) or writing its memory or registers (PTRACE_POKE*, PTRACE_SET*REGS*): code injection or credential theft. A request the sensor could not decode counts as a match.',
  events: ['syscall'],
  match: (e) => {
    const s = syscall(e, ['ptrace']);
    if (!s) return undefined;
    const request = enumName(s.args.request, PTRACE_REQUESTS, 'PTRACE_') ?? 'unknown';
    const target = argNumber(s.args.pid);
    if (request !== 'unknown' && !PTRACE_WRITES.has(request)) return undefined;
    if (target !== undefined && target === s.pid) return undefined;
    return { request, ...(target !== undefined ? { target } : {}) };
  },
  exceptions: [],
};

export const mount: BuiltinRule = {
  id: 'MR012',
  title: 'Mount or unmount in a container',
  severity: 'high',
  mitre: 'T1611',
  description:
    "mount(2) or umount(2) from a container: mounting the host's disk or cgroup hierarchy, or unmounting a masked /proc path, are escape steps.",
  events: ['syscall'],
  match: (e) => {
    const s = syscall(e, ['mount', 'umount']);
    return s ? { syscall: s.syscall } : undefined;
  },
  exceptions: [runtimeSetup],
};

export const unshare: BuiltinRule = {
  id: 'MR013',
  title: 'New user or mount namespace created in a container',
  severity: 'high',
  mitre: 'T1611',
  description:
    'unshare(2) with CLONE_NEWUSER or CLONE_NEWNS: a user namespace grants capabilities that unlock kernel attack surface (the usual first step of kernel exploits), a mount namespace lets a process mount. Flags the sensor could not decode count as a match.',
  events: ['syscall'],
  match: (e) => {
    const s = syscall(e, ['unshare']);
    if (!s) return undefined;
    const names = flagNames(s.args.flags, CLONE_FLAGS);
    if (names === undefined) return { flags: 'unknown' };
    return names.includes('CLONE_NEWUSER') || names.includes('CLONE_NEWNS')
      ? { flags: names.join('|') }
      : undefined;
  },
  exceptions: [runtimeSetup],
};

export const setns: BuiltinRule = {
  id: 'MR014',
  title: 'Namespace joined from a container',
  severity: 'high',
  mitre: 'T1611',
  description:
    "setns(2) from a container: joining another process's namespaces (the host's, with a host pid namespace or /proc) is how `nsenter` escapes.",
  events: ['syscall'],
  match: (e) => (syscall(e, ['setns']) ? {} : undefined),
  exceptions: [runtimeSetup],
};

export const kernelModule: BuiltinRule = {
  id: 'MR015',
  title: 'Kernel module loaded from a container',
  severity: 'critical',
  mitre: 'T1547.006',
  description: 'init_module(2) or finit_module(2) from a container: code loaded into the host kernel.',
  events: ['syscall'],
  match: (e) => {
    const s = syscall(e, ['init_module', 'finit_module']);
    return s ? { syscall: s.syscall } : undefined;
  },
  exceptions: [],
};

const BPF_LOADS = new Set([
  'BPF_PROG_LOAD',
  'BPF_PROG_ATTACH',
  'BPF_RAW_TRACEPOINT_OPEN',
  'BPF_BTF_LOAD',
  'BPF_LINK_CREATE',
]);

export const bpf: BuiltinRule = {
  id: 'MR016',
  title: 'eBPF program loaded from a container',
  severity: 'high',
  description:
    'bpf(2) loading or attaching a program (BPF_PROG_LOAD, BPF_PROG_ATTACH, BPF_LINK_CREATE, BPF_RAW_TRACEPOINT_OPEN, BPF_BTF_LOAD) from a container: kernel-level code that can hide activity or read any memory. Map reads and writes are not reported; a command the sensor could not decode is.',
  events: ['syscall'],
  match: (e) => {
    const s = syscall(e, ['bpf']);
    if (!s) return undefined;
    const cmd = enumName(s.args.cmd, BPF_COMMANDS, 'BPF_') ?? 'unknown';
    return cmd === 'unknown' || BPF_LOADS.has(cmd) ? { cmd } : undefined;
  },
  exceptions: [],
};

export const releaseAgent: BuiltinRule = {
  id: 'MR017',
  title: 'cgroup release_agent or notify_on_release written',
  severity: 'critical',
  mitre: 'T1611',
  description:
    'A cgroup v1 `release_agent` or `notify_on_release` file was opened for writing, wherever the hierarchy is mounted: the kernel runs the release agent on the host as root (CVE-2022-0492).',
  events: ['open'],
  match: openMatching((p) => {
    const b = basename(p);
    return b === 'release_agent' || b === 'notify_on_release';
  }),
  exceptions: [],
};

const KERNEL_HOOKS = compileGlobs(
  [
    '/proc/sys/kernel/core_pattern',
    '/proc/sys/kernel/modprobe',
    '/proc/sys/kernel/hotplug',
    '/sys/kernel/uevent_helper',
    '/proc/sys/fs/binfmt_misc/',
    '**/binfmt_misc/register',
  ],
  'path',
);

export const kernelHook: BuiltinRule = {
  id: 'MR018',
  title: 'Kernel user-mode helper hook written',
  severity: 'critical',
  mitre: 'T1611',
  description:
    'A file naming a program the kernel runs on the host was opened for writing: /proc/sys/kernel/core_pattern, /proc/sys/kernel/modprobe, /proc/sys/kernel/hotplug, /sys/kernel/uevent_helper or binfmt_misc.',
  events: ['open'],
  match: openMatching(KERNEL_HOOKS),
  exceptions: [],
};

const SYSRQ = compileGlobs(['/proc/sysrq-trigger', '/proc/sys/kernel/sysrq'], 'path');

export const sysrq: BuiltinRule = {
  id: 'MR019',
  title: 'Magic SysRq written from a container',
  severity: 'high',
  mitre: 'T1529',
  description:
    '/proc/sysrq-trigger or /proc/sys/kernel/sysrq was opened for writing: one byte reboots, crashes or freezes the host.',
  events: ['open'],
  match: openMatching(SYSRQ),
  exceptions: [],
};

const SYS_KERNEL = compileGlobs(['/sys/kernel/'], 'path');

export const sysKernelWrite: BuiltinRule = {
  id: 'MR020',
  title: 'Write below /sys/kernel from a container',
  severity: 'high',
  mitre: 'T1611',
  description:
    'A file under /sys/kernel (security modules, debugfs, tracing, kexec, mm) was opened for writing; /sys/kernel/uevent_helper is MR018.',
  events: ['open'],
  match: openMatching((p) => SYS_KERNEL(p) && !KERNEL_HOOKS(p)),
  exceptions: [],
};

const RUNTIME_SOCKETS = new Set([
  'docker.sock',
  'containerd.sock',
  'containerd.sock.ttrpc',
  'crio.sock',
  'cri-dockerd.sock',
  'dockershim.sock',
  'podman.sock',
]);

export const runtimeSocket: BuiltinRule = {
  id: 'MR021',
  title: 'Container runtime socket used from a container',
  severity: 'high',
  mitre: 'T1611',
  description:
    "A connection to (or an open of) a container runtime's API socket — docker.sock, containerd.sock, crio.sock, cri-dockerd.sock, podman.sock — wherever it is mounted: whoever talks to it can start a privileged container on the host.",
  events: ['open', 'connect'],
  match: (e, ctx) => {
    if (e.kind === 'connect' && e.family !== 'unix') return undefined;
    const path = ctx.path();
    return path !== undefined && RUNTIME_SOCKETS.has(basename(path)) ? { socket: path } : undefined;
  },
  exceptions: [],
};
