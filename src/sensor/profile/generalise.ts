/**
 * Generalisation: turn one observed path or address into the pattern a profile
 * stores, so that a workload's own churn (pids, temp files, request ids,
 * rotating backend addresses) does not look like new behaviour.
 *
 * Paths (globs: `*` = any characters within one segment, `**` = any depth):
 * - must be absolute; `.`/`..`/empty segments are resolved lexically; longer
 *   than 4096 characters or more than 64 segments → not learnable;
 * - anything below a temp dir (/tmp, /var/tmp, /dev/shm, /run/lock) → `<dir>/**`;
 * - a segment that is all digits → `*`; inside a segment, a UUID, a hex id
 *   (a token of ≥ 12 hex, or ≥ 8 hex with both digits and letters) and a run
 *   of 4 or more digits → `*` (`app-20240101.log` → `app-*.log`);
 * - a segment with a literal `*`, `?` or a control character → `*` (never a
 *   pattern the workload could choose).
 *
 * Addresses (CIDR):
 * - IPv4 loopback → `127.0.0.0/8`; other IPv4 → the `/ipv4Prefix` network (default 24);
 * - IPv4-mapped IPv6 → as IPv4; `::1` → `::1/128`; other IPv6 → `/ipv6Prefix` (default 64);
 * - unix sockets: the path generalised as above; abstract names `@name` keep `@`
 *   and have their digit runs collapsed.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const TEMP_DIRS: readonly string[] = ['/tmp', '/var/tmp', '/dev/shm', '/run/lock'];
const MAX_PATH = 4096;
const MAX_SEGMENTS = 64;

export interface NetworkPolicy {
  /** Prefix length IPv4 peers are generalised to (8–32). */
  readonly ipv4Prefix: number;
  /** Prefix length IPv6 peers are generalised to (16–128). */
  readonly ipv6Prefix: number;
}

export const DEFAULT_NETWORK_POLICY: NetworkPolicy = { ipv4Prefix: 24, ipv6Prefix: 64 };

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const HEX_TOKEN = /(?<![0-9a-z])[0-9a-f]{8,}(?![0-9a-z])/gi;
// eslint-disable-next-line no-control-regex
const UNSAFE = /[*?\u0000-\u001f\u007f]/;

const isHexId = (t: string): boolean => t.length >= 12 || (/\d/.test(t) && /[a-f]/i.test(t));

function generaliseSegment(seg: string): string {
  if (UNSAFE.test(seg) || /^\d+$/.test(seg)) return '*';
  return seg
    .replace(UUID, '*')
    .replace(HEX_TOKEN, (t) => (isHexId(t) ? '*' : t))
    .replace(/\d{4,}/g, '*')
    .replace(/\*+/g, '*');
}

/** Lexically normalised absolute path, or undefined when it is not usable. */
export function normalisePath(path: unknown): string | undefined {
  if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH) return undefined;
  if (!path.startsWith('/') || path.includes('\0')) return undefined;
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  if (out.length > MAX_SEGMENTS) return undefined;
  return '/' + out.join('/');
}

/** The stored pattern for an observed path (see the module comment), or undefined. */
export function generalisePath(path: unknown): string | undefined {
  const norm = normalisePath(path);
  if (norm === undefined) return undefined;
  for (const dir of TEMP_DIRS) {
    if (norm.startsWith(dir + '/')) return dir + '/**';
  }
  if (norm === '/') return norm;
  return '/' + norm.slice(1).split('/').map(generaliseSegment).join('/');
}

/** Regular expression for a stored glob (`**` any depth, `*` within a segment). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else re += c.replace(/[\\^$.|?+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function ipv4Network(addr: string, prefix: number): string {
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const net = n - (n % 2 ** (32 - prefix));
  const octets = [24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256);
  return `${octets.join('.')}/${prefix}`;
}

function expandIPv6(addr: string): number[] | undefined {
  const [head = '', tail] = addr.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...new Array<number>(Math.max(0, fill)).fill(0), ...t];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

function clampPrefix(p: number, min: number, max: number): number {
  return Number.isInteger(p) ? Math.min(max, Math.max(min, p)) : max;
}

/** The stored form of a peer address, or undefined when it is not an address. */
export function generaliseAddress(
  family: string,
  address: unknown,
  policy: NetworkPolicy = DEFAULT_NETWORK_POLICY,
): string | undefined {
  if (typeof address !== 'string' || address.length === 0 || address.length > MAX_PATH) return undefined;
  if (family === 'unix') {
    if (address.startsWith('@')) return '@' + generaliseSegment(address.slice(1).slice(0, 255));
    return generalisePath(address);
  }
  const v4Prefix = clampPrefix(policy.ipv4Prefix, 8, 32);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped ? mapped[1] : address;
  if (v4 !== undefined && isIPv4(v4)) {
    return v4.startsWith('127.') ? '127.0.0.0/8' : ipv4Network(v4, v4Prefix);
  }
  if (!isIPv6(address) || address.includes('.') || address.includes('%')) return undefined;
  const groups = expandIPv6(address.toLowerCase());
  if (groups === undefined) return undefined;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return '::1/128';
  const prefix = clampPrefix(policy.ipv6Prefix, 16, 128);
  const masked = groups.map((g, i) => {
    const bits = Math.min(16, Math.max(0, prefix - i * 16));
    return bits === 16 ? g : bits === 0 ? 0 : g & (0xffff << (16 - bits)) & 0xffff;
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${prefix}`;
}
