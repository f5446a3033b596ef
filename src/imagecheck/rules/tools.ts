/**
 * Rules on tools in the final image.
 *
 * Policy: shells and package managers are normal in a general-purpose base
 * (every Debian, Ubuntu or Alpine image has them), so alone they are no
 * finding — they are items of the attack surface and cost minimality score.
 * An SSH server is a finding of its own: it is a service, a way in. Compilers,
 * debuggers and network tools are what an intruder fetches and builds tools
 * with, and a runtime image rarely needs them, but SDK and CI images do: each
 * category gives ONE low finding listing the paths and packages, not one per
 * binary. A network tool the image's own HEALTHCHECK or entrypoint calls
 * (`curl -f http://localhost/`) is needed, so it is left out of the finding.
 */
import { basename, effectiveArgv } from '../config.js';
import type { CheckContext } from '../context.js';
import type { Tool, ToolCategory } from '../tools.js';
import type { ImageHit } from '../types.js';
import { type ImageRule, listed } from './rule.js';

function describe(t: Tool): string {
  const via = t.target !== t.path ? ` → ${t.target}` : '';
  return `${t.path}${via}${t.owner ? ` from ${t.owner.name}` : ''}`;
}

/** Names of programs the config itself runs: a healthcheck's curl is needed. */
function usedByConfig(ctx: CheckContext): Set<string> {
  const cfg = ctx.config;
  if (!cfg) return new Set();
  const words = [...effectiveArgv(cfg), ...(cfg.health.kind === 'set' ? cfg.health.command : [])]
    .flatMap((w) => w.split(/[\s;&|()]+/))
    .filter((w) => w !== '')
    .map(basename);
  return new Set(words);
}

/** One line per program: the file that runs, the other names it is called by, its package. */
function programs(tools: readonly Tool[]): string[] {
  const byTarget = new Map<string, Tool[]>();
  for (const t of tools) byTarget.set(t.target, [...(byTarget.get(t.target) ?? []), t]);
  return [...byTarget.entries()].map(([target, ts]) => {
    const aliases = ts.filter((t) => t.path !== target).map((t) => basename(t.path));
    const owner = ts.find((t) => t.owner)?.owner;
    return `${target}${aliases.length > 0 ? ` (also ${aliases.join(', ')})` : ''}${owner ? ` from ${owner.name}` : ''}`;
  });
}

function* oneFinding(
  ctx: CheckContext,
  category: ToolCategory,
  noun: readonly [string, string],
): Generator<ImageHit> {
  const used = category === 'network-tool' ? usedByConfig(ctx) : new Set<string>();
  const tools = ctx.tools.filter((t) => t.category === category && !used.has(basename(t.path)));
  const first = tools[0];
  if (!first) return;
  const packages = [...new Set(tools.flatMap((t) => (t.owner ? [t.owner.name] : [])))];
  const unowned = [...new Set(tools.filter((t) => !t.owner).map((t) => t.target))];
  const ref = ctx.layer(first.layer);
  const removals = [
    ...(packages.length > 0 ? [`remove package${packages.length > 1 ? 's' : ''} ${listed(packages)}`] : []),
    ...(unowned.length > 0 ? [`delete ${listed(unowned)}`] : []),
  ];
  const list = programs(tools);
  yield {
    location: { path: first.path, ...(ref ? { layer: ref } : {}) },
    evidence: `${list.length} ${list.length === 1 ? noun[0] : noun[1]}: ${listed(list)}`,
    fix: `If the running container does not need them, ${removals.join(' and ')} (in a multi-stage build, leave them in the build stage).`,
  };
}

export const sshServer: ImageRule = {
  id: 'MI025',
  title: 'SSH server in the image',
  severity: 'MEDIUM',
  rationale:
    'An SSH daemon is a network service with its own credentials and keys to manage; containers are reached with `docker exec` / `kubectl exec` instead.',
  fix: 'Remove the SSH server package; debug with `docker exec`, `kubectl exec` or an ephemeral debug container.',
  covers: [],
  references: [
    'https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container',
  ],
  *check(ctx) {
    for (const t of ctx.tools) {
      if (t.category !== 'ssh-server') continue;
      const ref = ctx.layer(t.layer);
      yield {
        location: { path: t.path, ...(ref ? { layer: ref } : {}) },
        evidence: `${describe(t)} is an SSH server, in layer ${t.layer}`,
        fix: t.owner
          ? `Remove package ${t.owner.name} (and any EXPOSE 22).`
          : `Delete ${t.path} from the image (and any EXPOSE 22).`,
      };
    }
  },
};

export const compilers: ImageRule = {
  id: 'MI026',
  title: 'Compilers in the final image',
  severity: 'LOW',
  rationale:
    'A compiler lets an intruder build exploits and tools inside the container; a runtime image rarely needs one.',
  fix: 'Compile in a build stage and copy only the output into the final image (multi-stage build).',
  covers: ['CIS-DI-0003'],
  references: ['https://docs.docker.com/build/building/multi-stage/'],
  check: (ctx) =>
    oneFinding(ctx, 'compiler', ['compiler or toolchain program', 'compilers or toolchain programs']),
};

export const debuggers: ImageRule = {
  id: 'MI027',
  title: 'Debuggers or tracers in the final image',
  severity: 'LOW',
  rationale:
    'A debugger or tracer (gdb, strace) lets an intruder read and change the memory of other processes in the container.',
  fix: 'Leave debuggers out of the image; attach one when needed with an ephemeral debug container.',
  covers: ['CIS-DI-0003'],
  references: [
    'https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container',
  ],
  check: (ctx) => oneFinding(ctx, 'debugger', ['debugger or tracer', 'debuggers or tracers']),
};

export const networkTools: ImageRule = {
  id: 'MI028',
  title: 'Network tools in the final image',
  severity: 'LOW',
  rationale:
    'curl, wget and netcat are how an intruder downloads a second stage or opens a reverse shell; an application talks to the network through its own code.',
  fix: 'Remove the tools the running container does not call; fetch build-time downloads in a build stage.',
  covers: ['CIS-DI-0003'],
  references: ['https://docs.docker.com/build/building/multi-stage/'],
  check: (ctx) => oneFinding(ctx, 'network-tool', ['network tool', 'network tools']),
};

export const toolRules: readonly ImageRule[] = [sshServer, compilers, debuggers, networkTools];
