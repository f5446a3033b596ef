/** Rules on the image config: user, healthcheck, ports, volumes, credentials in variables, entrypoint. */
import { redact } from '../../secret/index.js';
import { shellForm, effectiveArgv, shown } from '../config.js';
import type { CheckContext } from '../context.js';
import { resolveCommand, scriptCommand } from '../command.js';
import { isCredentialAssignment, valueHash } from '../secrets.js';
import type { ImageHit } from '../types.js';
import { AVD, CIS_DOCKER, DOCKERFILE_REF, DOCKLE, type ImageRule } from './rule.js';

const AT = { path: 'image-config' } as const;

function linux(ctx: CheckContext): boolean {
  return ctx.config !== undefined && (ctx.config.os ?? 'linux') !== 'windows';
}

/** An unprivileged account the image already has, for a concrete fix. */
function unprivilegedAccount(ctx: CheckContext): string | undefined {
  const db = ctx.accounts.passwd;
  if (!db) return undefined;
  let best: [string, number] | undefined;
  for (const [id, names] of db.byId) {
    const name = names[0];
    if (name === undefined || id < 1000 || id >= 65534) continue;
    if (!best || id < best[1]) best = [name, id];
  }
  if (best) return `${best[0]} (uid ${best[1]})`;
  const nobody = db.idByName.get('nobody');
  return nobody !== undefined && nobody !== 0 ? `nobody (uid ${nobody})` : undefined;
}

export const rootUser: ImageRule = {
  id: 'MI001',
  title: 'Image runs as root (CIS-DI-0001)',
  severity: 'HIGH',
  rationale:
    'A process running as root in the container is root on the host once it escapes, and can rewrite every file of the image.',
  fix: 'Create an unprivileged account and set it as the image user (`USER 10001:10001`); Kubernetes can enforce it with runAsNonRoot.',
  covers: ['CIS-DI-0001', 'DS002'],
  references: [DOCKLE, CIS_DOCKER, `${AVD}ds002`],
  *check(ctx) {
    if (!linux(ctx)) return;
    const raw = (ctx.config?.user ?? '').trim();
    const u = raw.split(':')[0] ?? '';
    let why: string | undefined;
    if (raw === '') why = 'User is not set: the container runs as root (uid 0)';
    else if (u === '') why = `User is "${shown(raw)}" with no user part: the container runs as root (uid 0)`;
    else if (/^[0-9]+$/.test(u) && Number(u) === 0) why = `User is "${shown(raw)}": uid 0 is root`;
    else if (u === 'root') why = `User is "${shown(raw)}"`;
    else if (!/^[0-9]+$/.test(u) && ctx.accounts.passwd?.idByName.get(u) === 0) {
      why = `User is "${shown(raw)}", and /etc/passwd gives ${shown(u)} uid 0: it is root under another name`;
    }
    if (why === undefined) return;
    const account = unprivilegedAccount(ctx);
    yield {
      location: AT,
      evidence: why,
      ...(account
        ? { fix: `Run as an unprivileged account: the image already has ${account}; set USER to it.` }
        : {}),
    };
  },
};

export const unknownUser: ImageRule = {
  id: 'MI008',
  title: 'Image user is not in /etc/passwd',
  severity: 'LOW',
  rationale:
    'A user name the image does not define cannot be resolved: the container fails to start with "unable to find user".',
  fix: 'Set USER to a numeric uid:gid, or add the account to /etc/passwd in the image.',
  covers: [],
  references: [`${DOCKERFILE_REF}#user`],
  *check(ctx) {
    const db = ctx.accounts.passwd;
    if (!linux(ctx) || !db || db.truncated) return;
    const u = (ctx.config?.user ?? '').trim().split(':')[0] ?? '';
    if (u === '' || u === 'root' || /^[0-9]+$/.test(u) || db.idByName.has(u)) return;
    yield {
      location: AT,
      evidence: `User "${shown(u)}" is not in /etc/passwd (layer ${db.layer.index})`,
      fix: `Use a numeric uid (USER 10001:10001) or add ${shown(u)} to /etc/passwd.`,
    };
  },
};

export const noHealthcheck: ImageRule = {
  id: 'MI002',
  title: 'No HEALTHCHECK in the image (CIS-DI-0006)',
  severity: 'LOW',
  rationale:
    'Without a health check Docker and Swarm report a hung process as running and never replace it (Kubernetes uses its own probes instead).',
  fix: 'Add `HEALTHCHECK CMD ["/app/server", "-health"]` (a check the binary itself answers), or define probes in the Kubernetes spec.',
  covers: ['CIS-DI-0006', 'DS026'],
  references: [DOCKLE, `${DOCKERFILE_REF}#healthcheck`, `${AVD}ds026`],
  *check(ctx) {
    const cfg = ctx.config;
    if (!cfg || cfg.health.kind === 'set') return;
    const argv = effectiveArgv(cfg);
    const exe = argv[0] !== undefined && shellForm(argv) === undefined ? argv[0] : undefined;
    const fetcher = ctx.tools.find((t) => t.path.endsWith('/curl') || t.path.endsWith('/wget'));
    const port = cfg.exposedPorts.map((p) => /^([0-9]{1,5})(?:\/tcp)?$/i.exec(p)?.[1]).find(Boolean);
    let fix: string | undefined;
    if (fetcher && port) {
      const cmd = fetcher.path.endsWith('/curl')
        ? `curl -fsS http://localhost:${port}/`
        : `wget -q -O- http://localhost:${port}/`;
      fix = `Add \`HEALTHCHECK CMD ${cmd} || exit 1\` (port ${port} is exposed and ${fetcher.path} is in the image).`;
    } else if (exe !== undefined && !exe.includes('"')) {
      fix = `Add a check the program answers itself, e.g. \`HEALTHCHECK CMD ["${shown(exe, 80)}", "health"]\`, or define Kubernetes probes.`;
    }
    yield {
      location: AT,
      evidence:
        cfg.health.kind === 'none'
          ? 'Healthcheck is NONE: the check inherited from the base image is switched off'
          : 'the config has no Healthcheck',
      ...(fix ? { fix } : {}),
    };
  },
};

export const sshPort: ImageRule = {
  id: 'MI003',
  title: 'SSH port 22 exposed',
  severity: 'MEDIUM',
  rationale:
    'An SSH server in a container is one more long-lived, credentialed way in; `docker exec` and `kubectl exec` already give a shell.',
  fix: 'Remove `EXPOSE 22` and the SSH server; debug with `docker exec` / `kubectl exec` or an ephemeral debug container.',
  covers: ['DS004'],
  references: [`${AVD}ds004`, `${DOCKERFILE_REF}#expose`],
  *check(ctx) {
    for (const p of ctx.config?.exposedPorts ?? []) {
      if (/^0*22(?:\/tcp)?$/i.test(p.trim()))
        yield { location: AT, evidence: `ExposedPorts has ${shown(p)}` };
    }
  },
};

const SENSITIVE_VOLUMES = new Set(['/proc', '/sys', '/dev']);

export const sensitiveVolume: ImageRule = {
  id: 'MI007',
  title: 'VOLUME on a kernel filesystem (DKL-DI-0002)',
  severity: 'MEDIUM',
  rationale:
    "A volume declared on /proc, /sys or /dev invites mounting the host's, which exposes kernel interfaces and devices to the container.",
  fix: 'Remove the VOLUME instruction; give the container only the specific files it needs, read-only.',
  covers: ['DKL-DI-0002'],
  references: [DOCKLE, `${DOCKERFILE_REF}#volume`],
  *check(ctx) {
    for (const v of ctx.config?.volumes ?? []) {
      const top = `/${v.split('/').filter(Boolean)[0] ?? ''}`;
      if (SENSITIVE_VOLUMES.has(top)) yield { location: AT, evidence: `Volumes has ${shown(v)}` };
    }
  },
};

export const credentialVariable: ImageRule = {
  id: 'MI004',
  title: 'Credential in an environment variable, label or build argument (CIS-DI-0010)',
  severity: 'HIGH',
  rationale:
    'Env, labels and build arguments are stored in the image config: anyone who can pull the image reads them with `docker inspect`.',
  fix: 'Pass credentials at run time (an orchestrator secret or a mounted file) and rotate the exposed one.',
  covers: ['CIS-DI-0010'],
  references: [DOCKLE, CIS_DOCKER, 'https://docs.docker.com/build/building/secrets/'],
  *check(ctx) {
    const cfg = ctx.config;
    if (!cfg) return;
    const known = (kind: string, key: string, value: string) =>
      ctx.secretKeys.has(`${kind} ${key}`) || ctx.secretHashes.has(valueHash(value));
    const finalEnv = new Set(cfg.env.map((e) => `${e.key}=${e.value}`));
    for (const [kind, vars] of [
      ['Env', cfg.env],
      ['Label', cfg.labels],
    ] as const) {
      for (const v of vars) {
        if (!isCredentialAssignment(v.key, v.value) || known(kind, v.key, v.value)) continue;
        yield { location: AT, evidence: `${kind} ${shown(v.key)} holds a value: ${redact(v.value)}` };
      }
    }
    for (const e of ctx.history) {
      for (const a of e.assignments) {
        if (!isCredentialAssignment(a.key, a.value) || ctx.secretHashes.has(valueHash(a.value))) continue;
        if (a.kind === 'ENV' && finalEnv.has(`${a.key}=${a.value}`)) continue;
        const where = `history[${e.index}]${e.layer ? ` (layer ${e.layer.index})` : ''}`;
        yield {
          location: { ...AT, ...(e.layer ? { layer: e.layer } : {}) },
          evidence:
            a.kind === 'ARG'
              ? `${where}: build argument ${shown(a.key)} was recorded with its value: ${redact(a.value)}`
              : `${where}: ENV ${shown(a.key)} was set to a value later replaced, which the history keeps: ${redact(a.value)}`,
          fix:
            a.kind === 'ARG'
              ? `Pass ${shown(a.key)} as a build secret (\`RUN --mount=type=secret,id=${shown(a.key.toLowerCase())}\`), never as ARG, and rotate it.`
              : 'Never set a credential with ENV, even temporarily; rebuild without it and rotate it.',
        };
      }
    }
  },
};

/** The exec form of a simple script, when it has no shell syntax. */
function execForm(script: string): string | undefined {
  const t = script.trim();
  if (t === '' || t.length > 200 || !/^[\w./:=@%+,-]+(?: +[\w./:=@%+,-]+)*$/.test(t)) return undefined;
  return JSON.stringify(t.split(/ +/));
}

export const shellFormEntrypoint: ImageRule = {
  id: 'MI005',
  title: 'Entrypoint or CMD in shell form',
  severity: 'LOW',
  rationale:
    'With `/bin/sh -c` as PID 1 the shell does not pass SIGTERM on, so the program is killed after the stop timeout instead of shutting down cleanly.',
  fix: 'Use the exec (JSON) form, e.g. `ENTRYPOINT ["/app/server"]`, or start the script with `exec`.',
  covers: [],
  references: [`${DOCKERFILE_REF}#shell-and-exec-form`],
  *check(ctx) {
    const cfg = ctx.config;
    if (!cfg || cfg.os === 'windows') return;
    const field = cfg.entrypoint.length > 0 ? 'Entrypoint' : 'Cmd';
    const sf = shellForm(effectiveArgv(cfg));
    if (!sf || /^\s*exec\s/.test(sf.script)) return;
    const secret = ctx.secretKeys.has('Entrypoint') || ctx.secretKeys.has('Cmd');
    const exec = secret ? undefined : execForm(sf.script);
    yield {
      location: AT,
      evidence: secret
        ? `${field} runs its command under ${shown(sf.shell)} -c (the command holds a secret, reported apart)`
        : `${field} runs "${shown(sf.script, 100)}" under ${shown(sf.shell)} -c: the shell is PID 1`,
      ...(exec ? { fix: `Write it in exec form: ${field === 'Cmd' ? 'CMD' : 'ENTRYPOINT'} ${exec}.` } : {}),
    };
  },
};

export const missingEntrypoint: ImageRule = {
  id: 'MI006',
  title: 'Entrypoint or CMD cannot run',
  severity: 'LOW',
  rationale:
    'The program the config starts is missing, not executable or lacks its dynamic loader: every container of the image fails at start.',
  fix: 'Copy the program (and, for a dynamic binary, its loader and libraries) into the image, or fix the path in ENTRYPOINT/CMD.',
  covers: [],
  references: [`${DOCKERFILE_REF}#entrypoint`],
  *check(ctx): Generator<ImageHit> {
    const cfg = ctx.config;
    if (!cfg || cfg.os === 'windows') return;
    const argv = effectiveArgv(cfg);
    const field = cfg.entrypoint.length > 0 ? 'Entrypoint' : 'Cmd';
    const names: string[] = [];
    if (argv[0] !== undefined && argv[0] !== '') names.push(argv[0]);
    const sf = shellForm(argv);
    if (sf && !ctx.secretKeys.has('Entrypoint') && !ctx.secretKeys.has('Cmd')) {
      const inner = scriptCommand(sf.script);
      if (inner !== undefined) names.push(inner);
    }
    for (const name of names) {
      const r = resolveCommand(ctx, name);
      if (r.problem === undefined) continue;
      yield {
        location: {
          ...AT,
          ...(r.layer !== undefined && ctx.layer(r.layer) ? { layer: ctx.layer(r.layer) } : {}),
        },
        evidence: `${field} runs ${shown(name, 100)}: ${r.problem}`,
      };
    }
  },
};

export const configRules: readonly ImageRule[] = [
  rootUser,
  noHealthcheck,
  sshPort,
  credentialVariable,
  shellFormEntrypoint,
  missingEntrypoint,
  sensitiveVolume,
  unknownUser,
];
