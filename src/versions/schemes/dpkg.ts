/**
 * Debian versions, exactly as `dpkg --compare-versions` orders them
 * (deb-version(7); dpkg's `parseversion` and `verrevcmp`):
 * `[epoch:]upstream[-revision]`, compared epoch first (a number), then
 * upstream, then revision, each by alternating non-digit and digit runs.
 * In a non-digit run `~` sorts before everything (even the end of the
 * string), then the end, then letters, then every other character; digit
 * runs compare as numbers.
 *
 * dpkg accepts nearly anything with a warning (a version that does not start
 * with a digit, odd characters) and compares it all the same; so does this.
 * What dpkg refuses outright (embedded spaces, a bad or huge epoch, an empty
 * upstream or revision) is invalid and sorts first. The empty string is
 * dpkg's blank version (as `<unknown>`), which `--compare-versions` puts
 * before every other version. Bytes outside ASCII order as they do on amd64, where
 * `char` is signed.
 */
import type { VersionComparer } from '../types.js';
import { compareText, sign } from '../util.js';

interface DebVersion {
  readonly epoch: number;
  readonly upstream: Uint8Array;
  readonly revision: Uint8Array;
  /** dpkg parsed it with a warning. */
  readonly warned: boolean;
}

const INT_MAX = 2147483647;
const isBlank = (c: number | undefined) => c === 0x20 || c === 0x09;
const isSpace = (c: number | undefined) => c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d);
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isAlpha = (c: number | undefined) =>
  c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));

/** dpkg's `parseversion`; undefined where dpkg reports an error. */
export function parseDebVersion(text: string): DebVersion | undefined {
  if (text.includes('\0')) return undefined;
  const empty = new Uint8Array(0);
  if (text === '' || text === '<unknown>')
    return { epoch: 0, upstream: empty, revision: empty, warned: false };
  const s = Buffer.from(text, 'utf8');
  let start = 0;
  while (start < s.length && isBlank(s[start])) start++;
  if (start === s.length) return undefined;
  let end = start;
  while (end < s.length && !isBlank(s[end])) end++;
  for (let i = end; i < s.length; i++) if (!isBlank(s[i])) return undefined;

  let epoch = 0;
  const colon = s.indexOf(0x3a, start);
  if (colon !== -1 && colon < end) {
    // strtol: leading white space, an optional sign, then digits.
    let i = start;
    while (isSpace(s[i])) i++;
    let negative = false;
    if (s[i] === 0x2b || s[i] === 0x2d) negative = s[i++] === 0x2d;
    const digits = i;
    let value = 0;
    while (isDigit(s[i])) value = Math.min(value * 10 + (s[i++]! - 0x30), Number.MAX_SAFE_INTEGER);
    if (i === digits) return undefined; // epoch is empty
    if (i !== colon) return undefined; // epoch is not a number
    if (negative && value !== 0) return undefined;
    if (value > INT_MAX) return undefined;
    if (colon + 1 === end) return undefined; // nothing after the colon
    epoch = value;
    start = colon + 1;
  }
  const whole = s.subarray(start, end);
  const hyphen = whole.lastIndexOf(0x2d);
  const upstream = hyphen === -1 ? whole : whole.subarray(0, hyphen);
  const revision = hyphen === -1 ? new Uint8Array(0) : whole.subarray(hyphen + 1);
  if (hyphen !== -1 && revision.length === 0) return undefined;
  if (upstream.length === 0) return undefined;
  let warned = !isDigit(upstream[0]);
  for (const c of upstream)
    if (!isDigit(c) && !isAlpha(c) && !'.-+~:'.includes(String.fromCharCode(c))) warned = true;
  for (const c of revision)
    if (!isDigit(c) && !isAlpha(c) && !'.+~'.includes(String.fromCharCode(c))) warned = true;
  return { epoch, upstream, revision, warned };
}

/** dpkg's `order()`: `~` < end < letters < everything else (signed char). */
function order(c: number | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 0x7e) return -1;
  return c >= 0x80 ? c : c + 256;
}

/** dpkg's `verrevcmp` over bytes. */
export function verrevcmp(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === 0x30) i++;
    while (b[j] === 0x30) j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a[i]! - b[j]!;
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return sign(firstDiff);
  }
  return 0;
}

function compareDeb(a: DebVersion, b: DebVersion): number {
  const blankA = a.upstream.length === 0;
  const blankB = b.upstream.length === 0;
  if (blankA || blankB) return blankA === blankB ? 0 : blankA ? -1 : 1;
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const dpkg: VersionComparer = {
  name: 'dpkg',
  compare(a, b) {
    const pa = parseDebVersion(a);
    const pb = parseDebVersion(b);
    if (pa === undefined || pb === undefined) {
      if (pa !== undefined) return 1;
      if (pb !== undefined) return -1;
      return compareText(a, b);
    }
    return compareDeb(pa, pb);
  },
  isValid(v) {
    const p = parseDebVersion(v);
    return p !== undefined && !p.warned && v !== '' && v !== '<unknown>';
  },
};
