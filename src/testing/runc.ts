/**
 * Test support: real containers run by runc from the Debian 12 test root
 * filesystem (debian.ts; it has python3 and a POSIX shell).
 *
 * Each container gets a fresh bundle directory (config.json only), a unique
 * id `mamori-test-<hex>` and a unique cgroup `/mamori-test/<id>`. The cached
 * root filesystem is never modified: the container's root is mounted
 * read-only and every writable directory is a tmpfs (default `/tmp`). By
 * default the container shares the host's network namespace so that tests
 * reach its servers on 127.0.0.1 (and it reaches theirs).
 *
 * The init process is started detached (`runc run -d`) with its stdout and
 * stderr on pipes to the test process (see `output()`); its stdin is
 * /dev/null. Call `stop()` in an `after` hook: it kills the container, deletes
 * it, and removes the bundle and the temp runc root. Needs root and runc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unifiedCgroupRoot } from './cgroup.js';

export { unifiedCgroupRoot };
import { debianRootfs } from './debian.js';

export interface RuncContainerOptions {
  /** The init process's argv (absolute path or a name found on the Debian PATH). */
  readonly args: readonly string[];
  /** Extra environment (`K=V`), added after PATH and HOME. */
  readonly env?: readonly string[];
  /** Working directory; must exist in the Debian rootfs or be one of the tmpfs dirs. Default `/`. */
  readonly cwd?: string;
  /** Written to config.json `annotations` (runc copies them to state.json as labels). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The OCI `linux.seccomp` section, as is. */
  readonly seccomp?: object;
  /** Share the host network namespace (default true); false gives a private one with only lo. */
  readonly hostNetwork?: boolean;
  /** Directories mounted as tmpfs (default `['/tmp']`); each must exist in the rootfs. */
  readonly tmpfs?: readonly string[];
  readonly user?: { readonly uid: number; readonly gid: number };
  /** Capability names (`CAP_…`) for every set; default runc's `CAP_AUDIT_WRITE`, `CAP_KILL`, `CAP_NET_BIND_SERVICE`. */
  readonly capabilities?: readonly string[];
  /** runc state directory (`runc --root`); default a fresh temp dir removed by stop(). */
  readonly root?: string;
}

export interface RuncExecOptions {
  readonly env?: readonly string[];
  readonly cwd?: string;
  readonly user?: { readonly uid: number; readonly gid: number };
  /** Written to the process's stdin, then closed (default: stdin closed at once). */
  readonly input?: string | Buffer;
  /** Kill the `runc exec` after this long (default 60 s): a hang fails the test instead of stalling it. */
  readonly timeoutMs?: number;
}

export interface RuncExecResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RuncContainer {
  readonly id: string;
  /** runc state directory this container lives in (pass it to the resolver's runtimeRoots). */
  readonly root: string;
  readonly bundle: string;
  /** The (read-only) root filesystem, as a host path. */
  readonly rootfs: string;
  /** Host pid of the container's init process. */
  readonly pid: number;
  /** cgroup v2 path relative to the unified hierarchy, from /proc/PID/cgroup (`/mamori-test/<id>`). */
  readonly cgroupPath: string;
  /** Inode number of that cgroup directory (what bpftrace's `cgroup` builtin reports), decimal. */
  readonly cgroupId: string;
  /** Runs a process in the container (`runc exec`) and collects its output (bounded at 16 MiB each). */
  exec(args: readonly string[], opts?: RuncExecOptions): Promise<RuncExecResult>;
  /** Starts `runc exec` with piped stdio; the caller owns the child (kill it in `after`). */
  spawnExec(args: readonly string[], opts?: Omit<RuncExecOptions, 'input' | 'timeoutMs'>): ChildProcess;
  /** What init wrote to stdout and stderr so far (each bounded at 1 MiB). */
  output(): { stdout: string; stderr: string };
  /** Kills and deletes the container and removes its bundle (and temp root). Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
const OUTPUT_LIMIT = 1024 * 1024;
const EXEC_LIMIT = 16 * 1024 * 1024;

function collector(limit: number): { push(b: Buffer): void; text(): string } {
  const parts: Buffer[] = [];
  let size = 0;
  return {
    push(b) {
      if (size >= limit) return;
      const take = b.subarray(0, limit - size);
      parts.push(take);
      size += take.length;
    },
    text: () => Buffer.concat(parts).toString('utf8'),
  };
}

function run(args: readonly string[], input?: string | Buffer, timeoutMs = 60_000): Promise<RuncExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('runc', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = collector(EXEC_LIMIT);
    const err = collector(EXEC_LIMIT);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out.text(), stderr: err.text() });
    });
  });
}

function execArgs(
  root: string,
  id: string,
  args: readonly string[],
  opts: Omit<RuncExecOptions, 'input' | 'timeoutMs'>,
): string[] {
  const a = ['--root', root, 'exec'];
  for (const e of opts.env ?? []) a.push('--env', e);
  if (opts.cwd !== undefined) a.push('--cwd', opts.cwd);
  if (opts.user) a.push('--user', `${opts.user.uid}:${opts.user.gid}`);
  return [...a, id, ...args];
}

function spec(id: string, rootfs: string, o: RuncContainerOptions): object {
  const caps = [...(o.capabilities ?? DEFAULT_CAPS)];
  const namespaces = ['pid', 'ipc', 'uts', 'mount', ...(o.hostNetwork === false ? ['network'] : [])];
  const tmpfs = (o.tmpfs ?? ['/tmp']).map((destination) => ({
    destination,
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'],
  }));
  const linux: Record<string, unknown> = {
    cgroupsPath: `/mamori-test/${id}`,
    resources: { devices: [{ allow: false, access: 'rwm' }] },
    namespaces: namespaces.map((type) => ({ type })),
    maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/sched_debug', '/sys/firmware'],
    readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
  };
  if (o.seccomp) linux.seccomp = o.seccomp;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: o.user ?? { uid: 0, gid: 0 },
      args: o.args,
      env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'HOME=/root',
        ...(o.env ?? []),
      ],
      cwd: o.cwd ?? '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: rootfs, readonly: true },
    hostname: id.slice(0, 63),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...tmpfs,
    ],
    annotations: { ...(o.annotations ?? {}) },
    linux,
  };
}

function checkInside(rootfs: string, o: RuncContainerOptions): void {
  // runc creates missing mount points and cwd in the rootfs: that would write into the shared cache.
  for (const d of o.tmpfs ?? ['/tmp']) {
    if (!d.startsWith('/') || d.split('/').includes('..'))
      throw new Error(`tmpfs ${d}: not an absolute path`);
    if (!statSync(join(rootfs, d), { throwIfNoEntry: false })?.isDirectory())
      throw new Error(`tmpfs ${d}: no such directory in the Debian rootfs (it is never modified)`);
  }
  const cwd = o.cwd ?? '/';
  if (
    !(o.tmpfs ?? ['/tmp']).includes(cwd) &&
    !statSync(join(rootfs, cwd), { throwIfNoEntry: false })?.isDirectory()
  )
    throw new Error(`cwd ${cwd}: no such directory in the Debian rootfs`);
}

/** Starts a real runc container from the Debian test rootfs; see the module comment. */
export async function startRuncContainer(opts: RuncContainerOptions): Promise<RuncContainer> {
  if (opts.args.length === 0) throw new Error('startRuncContainer: args is empty');
  const rootfs = await debianRootfs();
  checkInside(rootfs, opts);
  const id = `mamori-test-${randomBytes(6).toString('hex')}`;
  const bundle = await mkdtemp(join(tmpdir(), 'mamori-bundle-'));
  const ownRoot = opts.root === undefined;
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), 'mamori-runc-')));
  const cleanup = async (): Promise<void> => {
    await run(['--root', root, 'delete', '-f', id]).catch(() => undefined);
    await rm(bundle, { recursive: true, force: true });
    if (ownRoot) await rm(root, { recursive: true, force: true });
  };
  const out = collector(OUTPUT_LIMIT);
  const err = collector(OUTPUT_LIMIT);
  try {
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec(id, rootfs, opts)));
    const pidFile = join(bundle, 'init.pid');
    const child = spawn(
      'runc',
      ['--root', root, 'run', '-d', '--pid-file', pidFile, '--bundle', bundle, id],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // The container keeps the pipes after runc exits: keep reading them, but never hold the test process open.
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (c) => resolve(c));
    });
    (child.stdout as Socket).unref();
    (child.stderr as Socket).unref();
    if (code !== 0) throw new Error(`runc run ${id} failed (exit ${code}): ${err.text().trim()}`);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`runc run ${id}: bad pid file`);
    const line = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n').find((l) => l.startsWith('0::'));
    if (!line) throw new Error(`container ${id}: init has no cgroup v2 path`);
    const cgroupPath = line.slice(3);
    const cgroupId = (await stat(join(unifiedCgroupRoot(), cgroupPath), { bigint: true })).ino.toString();
    let stopping: Promise<void> | undefined;
    return {
      id,
      root,
      bundle,
      rootfs,
      pid,
      cgroupPath,
      cgroupId,
      exec: (args, o = {}) => run(execArgs(root, id, args, o), o.input, o.timeoutMs),
      spawnExec: (args, o = {}) => spawn('runc', execArgs(root, id, args, o), { stdio: 'pipe' }),
      output: () => ({ stdout: out.text(), stderr: err.text() }),
      stop: () => (stopping ??= cleanup()),
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
