/**
 * `mamori project|user|robot …`: administration of a running mamori server
 * through its REST API. Who asks: `--user` (env MAMORI_USERNAME) with the
 * password from MAMORI_PASSWORD or `--password-stdin`; where: `--server`
 * (env MAMORI_SERVER, default http://127.0.0.1:5000).
 */
import { Command, Option } from 'commander';
import { MamoriError } from '../core/index.js';
import { type ApiTarget, apiPath, callApi, DEFAULT_SERVER } from './api-client.js';
import { EXIT_OK, reportError } from './errors.js';
import type { CliIo } from './sbom.js';
import { readStdin } from './stdin.js';

/** Longest password read from standard input. */
const MAX_PASSWORD_INPUT = 4096;

interface ConnectionOptions {
  readonly server?: string;
  readonly user?: string;
  readonly passwordStdin?: boolean;
  readonly format?: 'table' | 'json';
}

type Row = Readonly<Record<string, unknown>>;

function addConnection(cmd: Command): Command {
  return cmd
    .option('--server <url>', `mamori server (env MAMORI_SERVER; default ${DEFAULT_SERVER})`)
    .option('-u, --user <name>', 'sign in as this user or robot (env MAMORI_USERNAME)')
    .option('--password-stdin', 'read the password from standard input (else env MAMORI_PASSWORD)')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    );
}

async function targetOf(opts: ConnectionOptions, stdin: NodeJS.ReadableStream): Promise<ApiTarget> {
  const username = opts.user ?? (process.env.MAMORI_USERNAME || undefined);
  const password = opts.passwordStdin
    ? (await readStdin(stdin, MAX_PASSWORD_INPUT)).replace(/\r?\n$/, '')
    : process.env.MAMORI_PASSWORD;
  return {
    server: opts.server ?? (process.env.MAMORI_SERVER || DEFAULT_SERVER),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(cell).join(', ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('project' in o && 'actions' in o) return `${cell(o.project)}:${cell(o.actions).replace(/, /g, ',')}`;
    return JSON.stringify(v);
  }
  return String(v);
}

/** A plain aligned table of the given columns (header in capitals). */
export function renderTable(rows: readonly Row[], columns: readonly (readonly [string, string])[]): string {
  const cells = rows.map((r) => columns.map(([key]) => cell(r[key]).replace(/[\r\n\t]/g, ' ')));
  const head = columns.map(([, title]) => title);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)].join('\n') + '\n';
}

function itemsOf(body: unknown): Row[] {
  if (typeof body === 'object' && body !== null && 'items' in body && Array.isArray(body.items)) {
    return body.items as Row[];
  }
  return [];
}

const time = (ms: unknown): string => (typeof ms === 'number' ? new Date(ms).toISOString() : '-');

/** Runs an admin action: resolves the target, prints the result, sets the exit code. */
interface Run {
  readonly target: ApiTarget;
  readonly format: 'table' | 'json';
  /** The command's own options. */
  readonly opts: Readonly<Record<string, unknown>>;
}

function action<A extends unknown[]>(
  io: CliIo,
  setExit: (c: number) => void,
  run: (r: Run, ...args: A) => Promise<string>,
): (...args: [...A, ConnectionOptions, Command]) => Promise<void> {
  return async (...args) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.opts<ConnectionOptions & Record<string, unknown>>();
    try {
      const target = await targetOf(opts, io.stdin ?? process.stdin);
      const r: Run = { target, format: opts.format ?? 'table', opts };
      io.stdout.write(await run(r, ...(args.slice(0, -2) as A)));
      setExit(EXIT_OK);
    } catch (e) {
      setExit(reportError(e, io.stderr));
    }
  };
}

function out(format: 'table' | 'json', body: unknown, table: () => string): string {
  return format === 'json' ? `${JSON.stringify(body, null, 2)}\n` : table();
}

const PROJECT_COLUMNS = [
  ['name', 'NAME'],
  ['public', 'PUBLIC'],
  ['createdAt', 'CREATED'],
] as const;

export function projectCommand(io: CliIo, setExit: (c: number) => void): Command {
  const cmd = new Command('project').description(
    'Manage the projects of a mamori server (first path segment of a repository)',
  );
  cmd.addCommand(
    addConnection(new Command('list').description('List the projects you may see')).action(
      action(io, setExit, async ({ target: t, format: f }) => {
        const body = await callApi(t, 'GET', '/projects');
        const rows = itemsOf(body).map((p) => ({ ...p, createdAt: time(p.created) }));
        return out(f, body, () => renderTable(rows, PROJECT_COLUMNS));
      }),
    ),
  );
  cmd.addCommand(
    addConnection(
      new Command('create')
        .description('Create a project (private unless --public); you become its admin')
        .argument('<name>')
        .option('--public', 'anyone, anonymous callers included, may pull'),
    ).action(
      action(io, setExit, async ({ target: t, format: f, opts }, name: string) => {
        const body = await callApi(t, 'POST', '/projects', { body: { name, public: opts.public === true } });
        return out(
          f,
          body,
          () => `project ${name} created (${opts.public === true ? 'public' : 'private'})\n`,
        );
      }),
    ),
  );
  cmd.addCommand(
    addConnection(
      new Command('set')
        .description('Change a project: --public or --private')
        .argument('<name>')
        .option('--public', 'make it public')
        .option('--private', 'make it private'),
    ).action(
      action(io, setExit, async ({ target: t, format: f, opts }, name: string) => {
        const o = opts;
        if (o.public === o.private)
          throw new MamoriError('INVALID_ARGUMENT', 'give exactly one of --public, --private');
        const body = await callApi(t, 'PATCH', apiPath('/projects/{project}', { project: name }), {
          body: { public: o.public === true },
        });
        return out(f, body, () => `project ${name} is now ${o.public ? 'public' : 'private'}\n`);
      }),
    ),
  );
  cmd.addCommand(
    addConnection(new Command('delete').description('Delete an empty project').argument('<name>')).action(
      action(io, setExit, async ({ target: t, format: f }, name: string) => {
        await callApi(t, 'DELETE', apiPath('/projects/{project}', { project: name }));
        return out(f, { deleted: name }, () => `project ${name} deleted\n`);
      }),
    ),
  );
  const member = new Command('member').description("Manage a project's members and their roles");
  member.addCommand(
    addConnection(
      new Command('list').description('List the members of a project').argument('<project>'),
    ).action(
      action(io, setExit, async ({ target: t, format: f }, project: string) => {
        const body = await callApi(t, 'GET', apiPath('/projects/{project}/members', { project }));
        return out(f, body, () =>
          renderTable(itemsOf(body), [
            ['user', 'USER'],
            ['role', 'ROLE'],
          ]),
        );
      }),
    ),
  );
  member.addCommand(
    addConnection(
      new Command('add')
        .description('Add a user to a project, or change their role')
        .argument('<project>')
        .argument('<user>')
        .addOption(
          new Option('--role <role>', 'the role')
            .choices(['admin', 'maintainer', 'developer', 'guest'])
            .makeOptionMandatory(),
        ),
    ).action(
      action(io, setExit, async ({ target: t, format: f, opts }, project: string, user: string) => {
        const role = String(opts.role);
        const body = await callApi(
          t,
          'PUT',
          apiPath('/projects/{project}/members/{user}', { project, user }),
          {
            body: { role },
          },
        );
        return out(f, body, () => `${user} is ${role} of ${project}\n`);
      }),
    ),
  );
  member.addCommand(
    addConnection(
      new Command('remove')
        .description('Remove a user from a project')
        .argument('<project>')
        .argument('<user>'),
    ).action(
      action(io, setExit, async ({ target: t, format: f }, project: string, user: string) => {
        await callApi(t, 'DELETE', apiPath('/projects/{project}/members/{user}', { project, user }));
        return out(f, { removed: user, project }, () => `${user} removed from ${project}\n`);
      }),
    ),
  );
  cmd.addCommand(member);
  return cmd;
}

export function userCommand(io: CliIo, setExit: (c: number) => void): Command {
  const cmd = new Command('user').description(
    'Manage the users of a mamori server (system administrators only)',
  );
  cmd.addCommand(
    addConnection(new Command('list').description('List users')).action(
      action(io, setExit, async ({ target: t, format: f }) => {
        const body = await callApi(t, 'GET', '/users');
        const rows = itemsOf(body).map((u) => ({ ...u, createdAt: time(u.created) }));
        return out(f, body, () =>
          renderTable(rows, [
            ['name', 'NAME'],
            ['admin', 'ADMIN'],
            ['disabled', 'DISABLED'],
            ['createdAt', 'CREATED'],
          ]),
        );
      }),
    ),
  );
  cmd.addCommand(
    addConnection(
      new Command('create')
        .description("Create a user; the new user's password is read from MAMORI_NEW_PASSWORD")
        .argument('<name>')
        .option('--admin', 'make the user a system administrator'),
    ).action(
      action(io, setExit, async ({ target: t, format: f, opts }, name: string) => {
        const admin = opts.admin === true;
        const password = process.env.MAMORI_NEW_PASSWORD;
        if (!password) {
          throw new MamoriError('INVALID_ARGUMENT', "set MAMORI_NEW_PASSWORD to the new user's password");
        }
        const body = await callApi(t, 'POST', '/users', { body: { name, password, admin } });
        return out(f, body, () => `user ${name} created${admin ? ' (system administrator)' : ''}\n`);
      }),
    ),
  );
  cmd.addCommand(
    addConnection(
      new Command('passwd')
        .description(
          "Set a user's password (your own, or anyone's as an administrator) from MAMORI_NEW_PASSWORD",
        )
        .argument('<name>'),
    ).action(
      action(io, setExit, async ({ target: t, format: f }, name: string) => {
        const password = process.env.MAMORI_NEW_PASSWORD;
        if (!password)
          throw new MamoriError('INVALID_ARGUMENT', 'set MAMORI_NEW_PASSWORD to the new password');
        await callApi(t, 'PUT', apiPath('/users/{user}/password', { user: name }), { body: { password } });
        return out(f, { user: name, password: 'changed' }, () => `password of ${name} changed\n`);
      }),
    ),
  );
  cmd.addCommand(
    addConnection(new Command('delete').description('Delete a user').argument('<name>')).action(
      action(io, setExit, async ({ target: t, format: f }, name: string) => {
        await callApi(t, 'DELETE', apiPath('/users/{user}', { user: name }));
        return out(f, { deleted: name }, () => `user ${name} deleted\n`);
      }),
    ),
  );
  return cmd;
}

/** `PROJECT:pull,push` → { project, actions }. */
export function parsePermission(v: string, previous: readonly { project: string; actions: string[] }[] = []) {
  const m = /^([^:]+):((?:pull|push|delete)(?:,(?:pull|push|delete))*)$/.exec(v);
  if (!m?.[1] || !m[2]) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `--project wants PROJECT:ACTIONS like team:pull,push, got ${JSON.stringify(v)}`,
    );
  }
  return [...previous, { project: m[1], actions: m[2].split(',') }];
}

/** `30d`, `12h`, `90m` or an ISO date → ms since the epoch. */
export function parseExpiry(v: string, now: number = Date.now()): number {
  const m = /^([0-9]{1,6})([mhd])$/.exec(v);
  if (m) return now + Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  const t = Date.parse(v);
  if (!Number.isNaN(t) && /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(v)) return t;
  throw new MamoriError(
    'INVALID_ARGUMENT',
    `--expires wants 30d, 12h, 90m or a date like 2027-01-31, got ${JSON.stringify(v)}`,
  );
}

export function robotCommand(io: CliIo, setExit: (c: number) => void): Command {
  const cmd = new Command('robot').description('Manage robot accounts (API keys for CI and deployments)');
  cmd.addCommand(
    addConnection(
      new Command('list')
        .description('List robot accounts')
        .option('--project <name>', 'only robots with rights on this project'),
    ).action(
      action(io, setExit, async ({ target: t, format: f, opts }) => {
        const project = typeof opts.project === 'string' ? opts.project : undefined;
        const body = await callApi(t, 'GET', '/robots', { query: { project } });
        const rows = itemsOf(body).map((r) => ({
          ...r,
          expires: r.expiresAt === null ? 'never' : time(r.expiresAt),
        }));
        return out(f, body, () =>
          renderTable(rows, [
            ['name', 'NAME'],
            ['permissions', 'PERMISSIONS'],
            ['expires', 'EXPIRES'],
            ['disabled', 'DISABLED'],
            ['description', 'DESCRIPTION'],
          ]),
        );
      }),
    ),
  );
  cmd.addCommand(
    addConnection(
      new Command('create')
        .description('Create a robot account; its secret is printed once')
        .argument('<name>')
        .requiredOption(
          '--project <project:actions>',
          'rights, e.g. team:pull,push (repeatable)',
          parsePermission,
        )
        .option('--expires <when>', 'lifetime (30d, 12h) or a date; default: never')
        .option('--description <text>', 'what the robot is for'),
    ).action(
      action(io, setExit, async ({ target: t, format: f }, name: string) => {
        const o = cmd.commands
          .find((c) => c.name() === 'create')
          ?.opts<{
            project: { project: string; actions: string[] }[];
            expires?: string;
            description?: string;
          }>() ?? { project: [] };
        const body = (await callApi(t, 'POST', '/robots', {
          body: {
            name,
            permissions: o.project,
            ...(o.expires !== undefined ? { expiresAt: parseExpiry(o.expires) } : {}),
            ...(o.description !== undefined ? { description: o.description } : {}),
          },
        })) as { robot?: { name?: string }; secret?: string };
        return out(
          f,
          body,
          () =>
            `robot ${body.robot?.name ?? name} created\nsecret (shown once, store it now): ${body.secret ?? '?'}\n`,
        );
      }),
    ),
  );
  cmd.addCommand(
    addConnection(new Command('delete').description('Delete a robot account').argument('<name>')).action(
      action(io, setExit, async ({ target: t, format: f }, name: string) => {
        await callApi(t, 'DELETE', apiPath('/robots/{robot}', { robot: name }));
        return out(f, { deleted: name }, () => `robot ${name} deleted\n`);
      }),
    ),
  );
  return cmd;
}
