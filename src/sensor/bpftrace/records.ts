/**
 * Turns decoded printf records (see script.ts for the layout) into sensor
 * events. Multi-string events arrive as a header and continuation records of
 * the same thread and tag; an exec's argv arrives as hex pieces after its
 * header. Anything malformed, orphaned or left incomplete is counted, never
 * thrown.
 */
import type {
  ContainerEvent,
  ExecEvent,
  ExitEvent,
  FdKind,
  NetworkEvent,
  NotableSyscallEvent,
  OpenEvent,
} from '../model/index.js';
import { X86_64_SYSCALLS } from './syscalls-x86_64.js';
import type { EnforcementEvent, ExecRepeatEvent } from './types.js';

/** Tokens after `<tag> tid pid uid cgroup nsecs nextra`, before the final string. */
const TAG_FIELDS: Readonly<Record<string, number>> = { E: 9, F: 2, X: 1, C: 6, S: 6, A: 6, O: 1, N: 3, K: 4 };
const MAX_PENDING = 4096;
const utf8 = new TextDecoder('utf-8', { fatal: false });

interface Header {
  readonly tag: string;
  readonly tid: number;
  readonly pid: number;
  readonly uid: number;
  readonly cgroupId: string;
  readonly time: number;
  /** Tag fields as numbers (NaN for a text field such as an address). */
  readonly nums: readonly number[];
  /** Tag fields that are text (addresses), by position; numbers are left undefined. */
  readonly texts: readonly (string | undefined)[];
  readonly last: Buffer;
  readonly extras: Buffer[];
  readonly needed: number;
  /** The count field: continuation records, or for an exec argc. */
  readonly count: number;
  /** An exec's fingerprints (decimal u64) of its whole argv and of argv[0], when it has them. */
  readonly key?: string;
  readonly key0?: string;
}

export type AssembledEvent = ContainerEvent | EnforcementEvent | ExecRepeatEvent;

const INT = /^-?[0-9]{1,20}$/;
const ADDRESS = /^[0-9a-f.:-]{1,64}$/;

/** Reads the space-terminated tokens of a record header. */
class Cursor {
  constructor(
    private readonly b: Buffer,
    public at: number,
  ) {}

  /** An unsigned decimal token (1..20 digits), or NaN without moving when it is not one. */
  uint(): number {
    const b = this.b;
    let i = this.at;
    let v = 0;
    for (; i < b.length && b[i] !== 0x20; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) return NaN;
      v = v * 10 + d;
    }
    if (i === this.at || i >= b.length || i - this.at > 20) return NaN;
    this.at = i + 1;
    return v;
  }

  /** A decimal token with an optional minus sign, or NaN without moving. */
  int(): number {
    if (this.b[this.at] !== 0x2d) return this.uint();
    this.at++;
    const v = this.uint();
    if (Number.isNaN(v)) this.at--;
    return -v;
  }

  /** An unsigned decimal token as a canonical decimal string (u64 ids). */
  digits(): string | undefined {
    const start = this.at;
    if (Number.isNaN(this.uint())) return undefined;
    const t = this.b.toString('latin1', start, this.at - 1);
    return t.length > 1 && t.startsWith('0') ? BigInt(t).toString() : t;
  }

  /** An address-like text token (hex digits, dots, colons, dashes), or undefined. */
  text(): string | undefined {
    const sp = this.b.indexOf(0x20, this.at);
    if (sp < 0 || sp - this.at > 64) return undefined;
    const t = this.b.toString('latin1', this.at, sp);
    if (!ADDRESS.test(t)) return undefined;
    this.at = sp + 1;
    return t;
  }
}

const pendingKey = (tid: number, tag: string): string => `${tid}${tag}`;

function fdKind(mode: number, rdev: number): FdKind {
  switch (mode & 0o170000) {
    case 0:
      return 'unknown';
    case 0o140000:
      return 'socket';
    case 0o010000:
      return 'pipe';
    case 0o100000:
      return 'file';
    case 0o020000: {
      const major = rdev >>> 20;
      return major === 4 || major === 5 || (major >= 136 && major <= 143) ? 'tty' : 'other';
    }
    default:
      return 'other';
  }
}

function ntohs(p: number): number {
  return ((p & 0xff) << 8) | ((p >>> 8) & 0xff);
}

function family(f: number): 'inet' | 'inet6' | 'unix' | undefined {
  return f === 2 ? 'inet' : f === 10 ? 'inet6' : f === 1 ? 'unix' : undefined;
}

export interface AssemblerOptions {
  /** Milliseconds to add to kernel monotonic milliseconds to get epoch milliseconds. */
  readonly clockOffsetMs: number;
  /** The script's string limit: a string this long (minus NUL) may have been cut. */
  readonly strlen: number;
  /** Most argv elements the script prints per exec (options.maxArgs). */
  readonly maxArgs: number;
}

/** Stateful decoder of printf records; `drops` counts what could not be assembled. */
export class RecordAssembler {
  drops = 0;
  /** Headers waiting for their continuation records, by thread and tag. */
  private readonly pending = new Map<string, Header>();

  constructor(private readonly opts: AssemblerOptions) {}

  /** Feeds one record's bytes; returns the events it completes. */
  push(data: Buffer): AssembledEvent[] {
    const rec = data.length > 0 && data[data.length - 1] === 0x0a ? data.subarray(0, data.length - 1) : data;
    if (rec.length >= 3 && rec[0] === 0x2b && rec[2] === 0x20) return this.continuation(rec);
    const h = this.header(rec);
    if (h === undefined) {
      this.drops++;
      return [];
    }
    const key = pendingKey(h.tid, h.tag);
    if (this.pending.delete(key)) this.drops++;
    if (h.needed === 0) return this.finish(h);
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
      this.drops++;
    }
    this.pending.set(key, h);
    return [];
  }

  /** At stop: counts events still waiting for continuation records. */
  flush(): AssembledEvent[] {
    this.drops += this.pending.size;
    this.pending.clear();
    return [];
  }

  private continuation(rec: Buffer): AssembledEvent[] {
    const tag = rec.toString('latin1', 1, 2);
    const sp = rec.indexOf(0x20, 3);
    const tidText = sp < 0 ? '' : rec.toString('latin1', 3, sp);
    const key = INT.test(tidText) ? pendingKey(Number(tidText), tag) : undefined;
    const h = key === undefined ? undefined : this.pending.get(key);
    if (h === undefined || key === undefined) {
      this.drops++;
      return [];
    }
    h.extras.push(rec.subarray(sp + 1));
    if (h.extras.length < h.needed) return [];
    this.pending.delete(key);
    return this.finish(h);
  }

  private header(rec: Buffer): Header | undefined {
    const tag = String.fromCharCode(rec[0] ?? 0);
    const k = TAG_FIELDS[tag];
    if (k === undefined || rec[1] !== 0x20) return undefined;
    const c = new Cursor(rec, 2);
    const tid = c.uint();
    const pid = c.uint();
    const uid = c.uint();
    const cgroupId = c.digits();
    const ns = c.uint();
    const count = c.uint();
    if (cgroupId === undefined || Number.isNaN(tid + pid + uid + ns + count)) return undefined;
    // An exec header carries argc instead: the path and one record per argument follow, up to maxArgs.
    const needed = tag === 'E' ? 1 + Math.min(this.opts.maxArgs, count) : count;
    if (needed > 64) return undefined;
    const nums: number[] = [];
    const texts: (string | undefined)[] = [];
    for (let i = 0; i < k; i++) {
      const n = c.int();
      nums.push(n);
      if (!Number.isNaN(n)) continue;
      const t = c.text();
      if (t === undefined) return undefined;
      texts[i] = t;
    }
    const key = tag === 'E' ? c.digits() : undefined;
    const key0 = tag === 'E' ? c.digits() : undefined;
    if (tag === 'E' && (key === undefined || key0 === undefined)) return undefined;
    return {
      tag,
      tid,
      pid,
      uid,
      cgroupId,
      time: ns / 1e6 + this.opts.clockOffsetMs,
      nums,
      texts,
      last: rec.subarray(c.at),
      extras: [],
      needed,
      count,
      ...(key !== undefined && key !== '0' ? { key } : {}),
      ...(key0 !== undefined && key0 !== '0' ? { key0 } : {}),
    };
  }

  private exec(h: Header): AssembledEvent[] {
    const [ppid, s0, s1, dev, ino, ctSec, ctNsec, level, parentLevel] = h.nums as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const [exe, ...args] = h.extras as [Buffer, ...Buffer[]];
    // One plain literal, optional fields assigned after: a literal with a
    // conditional spread costs microseconds per object in V8, on the hot path.
    const ev: { -readonly [K in keyof ExecEvent]: ExecEvent[K] } = {
      time: h.time,
      cgroupId: h.cgroupId,
      pid: h.pid,
      uid: h.uid,
      kind: 'exec',
      comm: utf8.decode(h.last),
      ppid,
      exe: utf8.decode(exe),
      argv: args.map((a) => utf8.decode(a)),
      stdin: fdKind(Math.floor(s0 / 2 ** 32), s0 % 2 ** 32),
      stdout: fdKind(Math.floor(s1 / 2 ** 32), s1 % 2 ** 32),
      parentSamePidNs: level === parentLevel,
    };
    // Without the kernel's ctime (an unknown inode layout) device and inode alone do not tell a rewritten file.
    if (ctSec > 0) ev.exeId = `${dev}:${ino}:${ctSec}.${ctNsec}`;
    if (h.key !== undefined) ev.compactKey = h.key;
    if (h.key0 !== undefined) ev.compactKeyArgv0 = h.key0;
    if (h.count > args.length || args.some((a) => this.cut(a))) ev.argvTruncated = true;
    return [ev];
  }

  private cut(b: Buffer): boolean {
    return b.length >= this.opts.strlen - 1;
  }

  private finish(h: Header): AssembledEvent[] {
    const f = h.nums;
    switch (h.tag) {
      case 'E':
        return this.exec(h);
      case 'F': {
        const [ppid, id] = f as [number, number];
        if (!Number.isSafeInteger(id) || id <= 0 || !Number.isSafeInteger(ppid)) {
          this.drops++;
          return [];
        }
        const repeat: ExecRepeatEvent = {
          kind: 'exec-repeat',
          time: h.time,
          cgroupId: h.cgroupId,
          pid: h.pid,
          uid: h.uid,
          ppid,
          comm: utf8.decode(h.last),
          repeatId: id,
        };
        return [repeat];
      }
      case 'X': {
        const code = f[0]!;
        const exit: ExitEvent = {
          time: h.time,
          cgroupId: h.cgroupId,
          pid: h.pid,
          uid: h.uid,
          kind: 'exit',
          comm: utf8.decode(h.last),
          exitCode: (code & 0x7f) === 0 ? (code >>> 8) & 0xff : 128 + (code & 0x7f),
        };
        return [exit];
      }
      case 'C':
      case 'S':
      case 'A':
        return this.network(h, f);
      case 'O': {
        const flags = f[0]!;
        const path = utf8.decode(h.last);
        const who = utf8.decode(h.extras[0] ?? Buffer.alloc(0));
        const open: OpenEvent = {
          time: h.time,
          cgroupId: h.cgroupId,
          pid: h.pid,
          uid: h.uid,
          kind: 'open',
          comm: who,
          path,
          flags,
          write: (flags & 0x243) !== 0,
        };
        return [open];
      }
      case 'N':
        return this.notable(h, f);
      case 'K': {
        const [reason, fam, port] = f as [number, number, number];
        const addr = h.texts[3] ?? '';
        const base = { time: h.time, cgroupId: h.cgroupId, pid: h.pid, uid: h.uid };
        const comm = utf8.decode(h.last);
        const exe = h.extras[0] === undefined ? undefined : utf8.decode(h.extras[0]);
        return [
          {
            ...base,
            kind: 'enforce',
            action: 'killed',
            comm,
            reason: reason === 1 ? 'exec' : 'connect',
            ...(exe === undefined ? {} : { exe }),
            ...(reason === 2 ? { address: addr, port: ntohs(port), family: family(fam) ?? 'inet' } : {}),
          },
        ];
      }
      default:
        this.drops++;
        return [];
    }
  }

  private network(h: Header, f: readonly number[]): AssembledEvent[] {
    const [fam, port, proto, , lport] = f as [number, number, number, number, number];
    const fm = family(fam);
    if (fm === undefined) {
      this.drops++;
      return [];
    }
    const protocol = fm === 'unix' ? 'unix' : proto === 6 ? 'tcp' : proto === 17 ? 'udp' : 'other';
    let address = h.texts[5] ?? '';
    if (fm === 'unix')
      address = h.extras[0] === undefined ? '' : (port === 1 ? '@' : '') + utf8.decode(h.extras[0]);
    const kind = h.tag === 'A' ? 'accept' : 'connect';
    const ev: { -readonly [K in keyof NetworkEvent]: NetworkEvent[K] } = {
      time: h.time,
      cgroupId: h.cgroupId,
      pid: h.pid,
      uid: h.uid,
      kind,
      comm: utf8.decode(h.last),
      protocol,
      family: fm,
      address,
      port: fm === 'unix' ? 0 : ntohs(port),
    };
    if (kind === 'accept' && fm !== 'unix') ev.localPort = lport;
    return [ev];
  }

  private notable(h: Header, f: readonly number[]): AssembledEvent[] {
    const [nr, a1, a2] = f as [number, number, number];
    const name = nr === 166 ? 'umount' : X86_64_SYSCALLS.get(nr);
    const s = (i: number): string => utf8.decode(h.extras[i] ?? Buffer.alloc(0));
    let args: Record<string, string | number>;
    switch (name) {
      case 'ptrace':
        args = { request: a1, pid: a2 };
        break;
      case 'mount':
        args = { flags: a1, source: s(0), target: s(1), fstype: s(2) };
        break;
      case 'umount':
        args = { flags: a1, target: s(0) };
        break;
      case 'unshare':
        args = { flags: a1 };
        break;
      case 'setns':
        args = { fd: a1, nstype: a2 };
        break;
      case 'init_module':
        args = { length: a1 };
        break;
      case 'finit_module':
        args = { fd: a1, flags: a2 };
        break;
      case 'bpf':
        args = { cmd: a1 };
        break;
      case 'keyctl':
        args = { operation: a1, arg2: a2 };
        break;
      default:
        this.drops++;
        return [];
    }
    const ev: NotableSyscallEvent = {
      time: h.time,
      cgroupId: h.cgroupId,
      pid: h.pid,
      uid: h.uid,
      kind: 'syscall',
      comm: utf8.decode(h.last),
      syscall: name,
      args,
    };
    return [ev];
  }
}
