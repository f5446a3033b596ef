/** Built-in detections over process execution (MR001, MR002, MR008, MR009, MR010). See RULES.md. */
import { find, invocations, SHELLS } from './names.js';
import { execArgument, inlineCode, isPortCheck, NETCATS, packageAction, SCANNERS } from './programs.js';
import type { BuiltinRule, DetectableEvent, Evidence, MatchContext } from './types.js';

/** Init wrappers that start exactly one child: the image's entrypoint. */
const INIT_WRAPPERS: ReadonlySet<string> = new Set([
  'tini',
  'tini-static',
  'dumb-init',
  'catatonit',
  'docker-init',
]);

const shellOf = (ctx: MatchContext): string | undefined => find(ctx.invocations(), SHELLS)?.name;

export const shellSpawned: BuiltinRule = {
  id: 'MR001',
  title: 'Shell spawned in a container',
  severity: 'medium',
  mitre: 'T1059.004',
  description:
    'A command shell started in a container after it came up: an interactive `exec`, a shell spawned by the application (command injection), or a script run by an intruder.',
  events: ['exec'],
  match: (e, ctx) => {
    const shell = e.kind === 'exec' ? shellOf(ctx) : undefined;
    return shell === undefined ? undefined : { shell };
  },
  exceptions: [
    {
      id: 'entrypoint',
      description:
        "The shell is the container's first process (its entrypoint or command): it replaces runc's init, or a shell or init wrapper that ran before it — not an application replacing itself with a shell.",
      test: (e, ctx) => {
        if (ctx.container?.pid === undefined || e.pid !== ctx.container.pid || e.kind !== 'exec')
          return false;
        const before = ctx.processTree.find((p) => p.pid === e.pid);
        if (before === undefined || before.exe === e.exe || before.exe.includes('runc')) return true;
        return invocations(before.exe, before.argv).some(
          (i) => SHELLS.has(i.name) || INIT_WRAPPERS.has(i.name),
        );
      },
    },
    {
      id: 'entrypoint-child',
      description:
        "The shell's parent is the container's first process and that process is itself a shell (an entrypoint script running its helper scripts) or an init wrapper (tini, dumb-init, catatonit, docker-init) starting the entrypoint.",
      test: (e, ctx) => {
        const init = ctx.container?.pid;
        const parent = ctx.parent();
        if (e.kind !== 'exec' || init === undefined || e.ppid !== init || parent?.pid !== init) return false;
        const names = ctx.parentInvocations().map((i) => i.name);
        return names.some((n) => SHELLS.has(n) || INIT_WRAPPERS.has(n));
      },
    },
  ],
};

export const packageManager: BuiltinRule = {
  id: 'MR002',
  title: 'Package manager run in a container',
  severity: 'medium',
  mitre: 'T1105',
  description:
    'A package manager installed, removed or updated software in a running container (apt, apt-get, dpkg, apk, yum, dnf, rpm, microdnf, zypper, pip install, npm/yarn/pnpm install, gem install). Containers are immutable: software belongs in the image.',
  events: ['exec'],
  match: (e, ctx) => (e.kind === 'exec' ? packageAction(ctx.invocations()) : undefined),
  exceptions: [],
};

const SOCKET_STDIO = (e: DetectableEvent): string | undefined => {
  if (e.kind !== 'exec') return undefined;
  if (e.stdin === 'socket') return 'stdin';
  if (e.stdout === 'socket') return 'stdout';
  return undefined;
};

export const reverseShell: BuiltinRule = {
  id: 'MR008',
  title: 'Reverse shell',
  severity: 'critical',
  mitre: 'T1059',
  description:
    'A shell or an interpreter running inline code whose stdin or stdout is a network socket, a shell redirecting to /dev/tcp or /dev/udp, or netcat/socat told to run a program on a connection (`-e`, `-c`, `EXEC:`, `SYSTEM:`): a remote party gets a command line.',
  events: ['exec'],
  match: (e, ctx): Evidence | undefined => {
    if (e.kind !== 'exec') return undefined;
    const stdio = SOCKET_STDIO(e);
    const shell = shellOf(ctx);
    if (shell !== undefined && stdio !== undefined) return { shell, socket: stdio };
    if (shell !== undefined) {
      const redirect = e.argv.find((a) => a.includes('/dev/tcp/') || a.includes('/dev/udp/'));
      if (redirect !== undefined) return { shell, redirect: redirect.slice(0, 256) };
    }
    const code = inlineCode(ctx.invocations());
    if (code !== undefined && stdio !== undefined)
      return { interpreter: code.name, option: code.option, socket: stdio };
    const nc = find(ctx.invocations(), NETCATS);
    const arg = nc === undefined ? undefined : execArgument(nc);
    if (nc !== undefined && arg !== undefined) return { tool: nc.name, execArgument: arg.slice(0, 256) };
    return undefined;
  },
  exceptions: [],
};

export const netcat: BuiltinRule = {
  id: 'MR009',
  title: 'Netcat or socat run in a container',
  severity: 'medium',
  mitre: 'T1095',
  description:
    'A raw network relay tool (nc, ncat, netcat, socat, busybox nc) ran in a container: used to move data or open a shell outside the application protocol.',
  events: ['exec'],
  match: (e, ctx) => {
    const nc = e.kind === 'exec' ? find(ctx.invocations(), NETCATS) : undefined;
    return nc === undefined ? undefined : { tool: nc.name };
  },
  exceptions: [
    {
      id: 'port-check',
      description:
        'netcat with `-z` checking single ports and running nothing (the `wait-for` scripts of entrypoints); port ranges and lists are not excepted.',
      test: (e, ctx) => {
        const nc = e.kind === 'exec' ? find(ctx.invocations(), NETCATS) : undefined;
        return nc !== undefined && isPortCheck(nc);
      },
    },
  ],
};

export const scanner: BuiltinRule = {
  id: 'MR010',
  title: 'Network scanner run in a container',
  severity: 'high',
  mitre: 'T1046',
  description:
    'A network scanner (nmap, masscan, zmap, rustscan, hping, nping, unicornscan) ran in a container.',
  events: ['exec'],
  match: (e, ctx) => {
    const tool = e.kind === 'exec' ? find(ctx.invocations(), SCANNERS) : undefined;
    return tool === undefined ? undefined : { tool: tool.name };
  },
  exceptions: [],
};
