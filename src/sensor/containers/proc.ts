/**
 * /proc readers for the sensor. A process may exit (or be replaced by
 * another with the same pid) between any two reads, and its command name,
 * command line and executable path are chosen by whoever runs it: every
 * reader is bounded and returns undefined for a process that is gone.
 */
import { join } from 'node:path';
import type { FdKind, ProcessInfo } from '../model/index.js';
import { readBounded, readLink } from './fsread.js';

export interface ProcOptions {
  /** Where procfs is mounted (default `/proc`). */
  readonly procRoot?: string;
}

/** Fields of /proc/PID/stat the sensor needs. */
export interface ProcStat {
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  /** Start time in clock ticks since boot (tells a reused pid apart). */
  readonly start: string;
}

const MAX_CMDLINE = 64 * 1024;
const MAX_ARGS = 1024;

function pidDir(pid: number, o: ProcOptions): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 2 ** 22) return undefined;
  return join(o.procRoot ?? '/proc', String(pid));
}

/** Parses /proc/PID/stat text; the command name may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[19] field 22 (starttime).
  const ppid = Number(rest[1]);
  const start = rest[19] ?? '';
  if (!Number.isSafeInteger(ppid) || ppid < 0 || !/^\d{1,20}$/.test(start)) return undefined;
  return { comm: text.slice(open + 1, close).slice(0, 64), state: rest[0] ?? '', ppid, start };
}

export async function readStat(pid: number, o: ProcOptions = {}): Promise<ProcStat | undefined> {
  const dir = pidDir(pid, o);
  if (!dir) return undefined;
  const buf = await readBounded(join(dir, 'stat'), 4096);
  return typeof buf === 'string' ? undefined : parseStat(buf.toString('utf8'));
}

function realUid(status: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  const uid = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(uid) ? uid : undefined;
}

/** argv from /proc/PID/cmdline (NUL-separated; at most 64 KiB and 1024 arguments). */
export function parseCmdline(buf: Buffer): string[] {
  const args = buf.toString('utf8').split('\0');
  if (args.at(-1) === '') args.pop();
  return args.slice(0, MAX_ARGS);
}

/** pid, ppid, real uid, command name, argv and executable of a process, or undefined when it is gone. */
export async function readProcess(pid: number, o: ProcOptions = {}): Promise<ProcessInfo | undefined> {
  const dir = pidDir(pid, o);
  if (!dir) return undefined;
  const stat = await readStat(pid, o);
  if (!stat) return undefined;
  const status = await readBounded(join(dir, 'status'), 16 * 1024);
  if (typeof status === 'string') return undefined;
  const uid = realUid(status.toString('utf8'));
  if (uid === undefined) return undefined;
  // cmdline can be longer than the bound: keep what was read rather than nothing.
  const cmd = await readBounded(join(dir, 'cmdline'), MAX_CMDLINE);
  const argv = typeof cmd === 'string' ? [] : parseCmdline(cmd);
  const exe = (await readLink(join(dir, 'exe'))) ?? '';
  // The pid may have been reused during the reads: the start time must not have changed.
  const again = await readStat(pid, o);
  if (!again || again.start !== stat.start) return undefined;
  return { pid, ppid: stat.ppid, uid, exe, argv, comm: stat.comm };
}

export interface ProcessTreeOptions extends ProcOptions {
  /** Longest chain returned (default 16). */
  readonly maxDepth?: number;
  /** The container's init (host pid): the walk ends there. */
  readonly init?: number;
}

/**
 * The process, its parent, grandparent, … up to the container's init, pid 1
 * or `maxDepth`. A process started by `runc exec` (kubectl exec, docker
 * exec) has its parent outside the container — the runtime on the host; the
 * walk stops at that border (a process in another pid namespace is never
 * included) and, when `init` is given, ends with the container's init so
 * that the chain names the container's root process. Empty when `pid` is gone.
 */
export async function processTree(pid: number, o: ProcessTreeOptions = {}): Promise<ProcessInfo[]> {
  const maxDepth = Math.max(1, Math.min(o.maxDepth ?? 16, 256));
  const out: ProcessInfo[] = [];
  const first = pidDir(pid, o);
  if (!first) return out;
  const ns = await readLink(join(first, 'ns', 'pid'));
  const seen = new Set<number>();
  let cur = pid;
  while (out.length < maxDepth && !seen.has(cur)) {
    seen.add(cur);
    const dir = pidDir(cur, o);
    if (!dir) break;
    if (cur !== pid && ns !== undefined) {
      // An unreadable link (pid 1 in some sandboxes) is no evidence of a border.
      const other = await readLink(join(dir, 'ns', 'pid'));
      if (other !== undefined && other !== ns) break;
    }
    const info = await readProcess(cur, o);
    if (!info) break;
    out.push(info);
    if (cur === 1 || cur === o.init || info.ppid === 0) break;
    cur = info.ppid;
  }
  const last = out.at(-1);
  const initDir = o.init === undefined ? undefined : pidDir(o.init, o);
  if (o.init !== undefined && initDir && last && last.pid !== o.init && out.length < maxDepth) {
    if ((await readLink(join(initDir, 'ns', 'pid'))) !== ns) return out;
    const init = await readProcess(o.init, o);
    if (init) out.push(init);
  }
  return out;
}

/** What a /proc/PID/fd link target refers to. */
export function fdKind(target: string | undefined): FdKind {
  if (target === undefined) return 'unknown';
  if (target.startsWith('socket:[')) return 'socket';
  if (target.startsWith('pipe:[')) return 'pipe';
  if (/^\/dev\/(?:pts\/\d+|tty\w*|console)$/.test(target)) return 'tty';
  if (target === '/dev/null' || target.startsWith('anon_inode:') || target.startsWith('/dev/'))
    return 'other';
  if (target.startsWith('/')) return 'file';
  return 'other';
}

/** Kinds of fd 0 and 1 (a shell whose stdin and stdout are sockets is a reverse shell); undefined when gone. */
export async function stdioKinds(
  pid: number,
  o: ProcOptions = {},
): Promise<{ stdin: FdKind; stdout: FdKind } | undefined> {
  const dir = pidDir(pid, o);
  if (!dir) return undefined;
  const before = await readStat(pid, o);
  if (!before) return undefined;
  const stdin = fdKind(await readLink(join(dir, 'fd', '0')));
  const stdout = fdKind(await readLink(join(dir, 'fd', '1')));
  const after = await readStat(pid, o);
  if (!after || after.start !== before.start) return undefined;
  return { stdin, stdout };
}
