/**
 * Test support (not part of the build): a throwaway PostgreSQL cluster in a
 * temp dir, reached only through a Unix socket in that dir (no TCP port, so
 * parallel test files never collide). Its default collation is ICU's
 * English one when the server has ICU, so the store's binary ordering
 * (`COLLATE "C"`) is tested against a linguistic default, not a C one.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PgCluster {
  /** A new empty database; returns its connection string. */
  createDatabase(): Promise<string>;
  /** Whether the cluster's default collation is linguistic (ICU), not C. */
  readonly linguisticDefault: boolean;
  stop(): Promise<void>;
}

/** The directory of PostgreSQL's server programs, or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** uid/gid of the `postgres` account (the server refuses to run as root). */
function postgresAccount(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const f = line?.split(':');
  return f && f[2] && f[3] ? { uid: Number(f[2]), gid: Number(f[3]) } : undefined;
}

export async function startPostgres(): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server programs not found under /usr/lib/postgresql');
  const dir = await mkdtemp(join(tmpdir(), 'mamori-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const account = asRoot ? postgresAccount() : undefined;
  if (asRoot && !account)
    throw new Error('running as root and there is no postgres account to run the server as');
  if (account) {
    await chown(dir, account.uid, account.gid);
    await chmod(dir, 0o700);
  }
  const pgRun = (prog: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, prog), ...args], { cwd: dir })
      : run(join(bin, prog), args, { cwd: dir });
  const base = ['-D', data, '-U', 'mamori', '-A', 'trust', '-E', 'UTF8', '--no-sync'];
  let linguisticDefault = true;
  try {
    await pgRun('initdb', [...base, '--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en']);
  } catch {
    linguisticDefault = false;
    await rm(data, { recursive: true, force: true });
    await pgRun('initdb', [...base, '--locale=C.UTF-8']);
  }
  const opts = `-c listen_addresses= -c unix_socket_directories=${dir} -c fsync=off -c max_connections=200`;
  await pgRun('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', opts, '-w', '-t', '60', 'start']);
  let n = 0;
  const url = (db: string): string => `postgresql://mamori@/${db}?host=${encodeURIComponent(dir)}`;
  return {
    linguisticDefault,
    async createDatabase() {
      const name = `t${++n}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      try {
        await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
