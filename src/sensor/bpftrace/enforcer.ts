/**
 * Protect mode: a bpftrace script that SIGKILLs processes of a cgroup that
 * exec a file outside an allow list, or connect to a peer outside an allow
 * list, and prints a K record for each kill (run with --unsafe).
 *
 * Limits (bpftrace 0.17 on a kernel without kprobe override): the kill is
 * asynchronous. For exec it lands before the new program runs a single
 * instruction (the signal is pending when the exec returns to user space).
 * For connect the syscall itself proceeds (a TCP SYN may leave) and the
 * process dies when it returns; the peer is read from user memory at entry.
 */
import { isIP } from 'node:net';
import { MamoriError } from '../../core/errors.js';
import { cgroupLiteral, pathLiteral } from './options.js';
import { cont, header, prefixTests, probe } from './script.js';

export interface AllowedPeer {
  /** IPv4 or IPv6 literal; omitted: any address. */
  readonly address?: string;
  /** Port; omitted: any port. */
  readonly port?: number;
}

export interface EnforcerRule {
  readonly cgroupId: string;
  /** Executable paths (as passed to execve) allowed to run; omitted: exec is not enforced. */
  readonly allowExec?: readonly string[];
  /** Outbound inet/inet6 connects allowed; omitted: connect is not enforced; [] denies all. */
  readonly allowConnect?: readonly AllowedPeer[];
}

function bad(m: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', m);
}

function ipv4Word(a: string): bigint {
  return BigInt(Buffer.from(a.split('.').map(Number)).readUInt32LE(0));
}

function ipv6Words(addr: string): bigint[] {
  let a = addr;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [x, y, z, w] = dotted.slice(1).map(Number) as [number, number, number, number];
    a = a.slice(0, dotted.index) + `${((x << 8) | y).toString(16)}:${((z << 8) | w).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  const groups = [...h, ...fill, ...t].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff)))
    throw bad(`invalid IPv6 address ${addr}`);
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return [0, 4, 8, 12].map((o) => BigInt(b.readUInt32LE(o)));
}

function portWord(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw bad(`invalid port ${p}`);
  return ((p & 0xff) << 8) | (p >> 8);
}

/** The condition (over $fam, $s4, $s6) that a connect is allowed. */
function peerCondition(peers: readonly AllowedPeer[]): string {
  const alts: string[] = ['$fam != 2 && $fam != 10'];
  for (const p of peers) {
    const port = p.port === undefined ? [] : [`$port == ${portWord(p.port)}`];
    if (p.address === undefined) {
      alts.push(port.length ? port[0]! : '1');
      continue;
    }
    const v = isIP(p.address);
    if (v === 4)
      alts.push(['$fam == 2', `$s4->sin_addr.s_addr == ${ipv4Word(p.address)}`, ...port].join(' && '));
    else if (v === 6) {
      const w = ipv6Words(p.address).map((x, i) => `$s6->sin6_addr.in6_u.u6_addr32[${i}] == ${x}`);
      alts.push(['$fam == 10', ...w, ...port].join(' && '));
    } else throw bad(`invalid address ${JSON.stringify(p.address)}`);
  }
  return alts.map((a) => `(${a})`).join(' || ');
}

/** Generates the protect-mode script for bpftrace 0.17 (`bpftrace --unsafe -f json`). */
export function generateEnforcerScript(opts: {
  readonly rules: readonly EnforcerRule[];
  readonly strlen?: number;
}): string {
  if (opts.rules.length === 0 || opts.rules.length > 64) throw bad('1..64 enforcer rules');
  const strlen = opts.strlen ?? 200;
  const parts: string[] = ['// mamori enforcer (generated)\n'];
  for (const r of opts.rules) {
    const cg = `cgroup == ${cgroupLiteral(r.cgroupId)}`;
    if (r.allowExec !== undefined) {
      if (r.allowExec.length > 32) throw bad('at most 32 allowed executables per rule');
      for (const p of r.allowExec) pathLiteral(p, strlen);
      // Exact match: the path's bytes plus its terminating NUL.
      const t = prefixTests(
        'args->filename',
        r.allowExec.map((p) => `${p}\0`),
      );
      parts.push(
        probe(
          'tracepoint:sched:sched_process_exec',
          cg,
          `  ${t.reads}
  if (!(${t.cond === '' ? '0' : t.cond})) {
    signal("SIGKILL");
    ${header('K', '1', [
      ['%d', '1'],
      ['%d', '0'],
      ['%d', '0'],
      ['%s', '"-"'],
    ])}
    ${cont('K', 'str(args->filename)')}
  }`,
        ),
      );
    }
    if (r.allowConnect !== undefined) {
      if (r.allowConnect.length > 64) throw bad('at most 64 allowed peers per rule');
      parts.push(
        probe(
          'tracepoint:syscalls:sys_enter_connect',
          cg,
          `  $fam = ((struct sockaddr *)args->uservaddr)->sa_family;
  $s4 = (struct sockaddr_in *)args->uservaddr;
  $s6 = (struct sockaddr_in6 *)args->uservaddr;
  $port = $s4->sin_port;
  if (!(${peerCondition(r.allowConnect)})) {
    signal("SIGKILL");
    if ($fam == 2) {
      ${header('K', '0', [
        ['%d', '2'],
        ['%d', '$fam'],
        ['%d', '$port'],
        ['%s', 'ntop(2, $s4->sin_addr.s_addr)'],
      ])}
    } else {
      ${header('K', '0', [
        ['%d', '2'],
        ['%d', '$fam'],
        ['%d', '$port'],
        ['%s', 'ntop(10, $s6->sin6_addr.in6_u.u6_addr8)'],
      ])}
    }
  }`,
        ),
      );
    }
  }
  if (parts.length === 1) throw bad('enforcer rules must allow-list exec or connect');
  return parts.join('\n');
}
