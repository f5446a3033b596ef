/**
 * Packagist versions, as Composer orders them: each version is first
 * normalised by Composer's `VersionParser::normalize` (`v1.0` →
 * `1.0.0.0`, `2.1.0-beta.2` → `2.1.0.0-beta2`, `1.0-p1` → `1.0.0.0-patch1`,
 * `1.x-dev` → `1.9999999.9999999.9999999-dev`, dates, `+build` dropped),
 * then compared with PHP's `version_compare` (`dev` < `alpha` = `a` <
 * `beta` = `b` < `RC` < a number < `patch` = `pl` = `p`).
 *
 * Branches (`dev-main`) are not ordered by Composer; here they sort before
 * every numbered version and among themselves by name. Strings Composer
 * rejects are invalid and sort first. (Composer reads versions with PCRE;
 * this reads them the same way for ASCII text, which is what versions are.)
 */
import type { VersionComparer } from '../types.js';
import { compareText } from '../util.js';

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATETIME = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
const BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
const PHP_TRIM = /^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g;

function expandStability(s: string): string {
  const l = s.toLowerCase();
  if (l === 'a') return 'alpha';
  if (l === 'b') return 'beta';
  if (l === 'p' || l === 'pl') return 'patch';
  if (l === 'rc') return 'RC';
  return l;
}

function normalizeBranch(name: string): string {
  const m = BRANCH.exec(name.replace(PHP_TRIM, ''));
  if (!m) return `dev-${name.replace(PHP_TRIM, '')}`;
  let version = '';
  for (let i = 1; i < 5; i++) version += m[i] !== undefined ? m[i]!.replace(/[*X]/g, 'x') : '.x';
  return `${version.replace(/x/g, '9999999')}-dev`;
}

/** Composer's VersionParser::normalize; undefined where it throws. */
export function normalizeComposer(text: string): string | undefined {
  if (text.length > 1024) return undefined;
  let version = text.replace(PHP_TRIM, '');
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(version);
  if (alias) version = alias[1]!;
  const flag = /@(?:stable|RC|beta|alpha|dev)$/i.exec(version);
  if (flag) version = version.slice(0, version.length - flag[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') version = `dev-${version}`;
  if (version.slice(0, 4).toLowerCase() === 'dev-') return `dev-${version.slice(4)}`;
  const build = /^([^,\s+]+)\+\S+$/.exec(version);
  if (build) version = build[1]!;
  let m = CLASSICAL.exec(version);
  let index: number;
  if (m) {
    version = m[1]! + (m[2] || '.0') + (m[3] || '.0') + (m[4] || '.0');
    index = 5;
  } else {
    m = DATETIME.exec(version);
    if (m) {
      version = m[1]!.replace(/\D/g, '.');
      index = 2;
    }
  }
  if (m) {
    const stability = m[index!];
    if (stability) {
      if (stability === 'stable') return version;
      version += `-${expandStability(stability)}${(m[index! + 1] ?? '').replace(/^[.-]+/, '')}`;
    }
    if (m[index! + 2]) version += '-dev';
    return version;
  }
  const dev = /^(.*?)[.-]?dev$/i.exec(version);
  if (dev) {
    const normalized = normalizeBranch(dev[1]!);
    if (!normalized.includes('dev-')) return normalized;
  }
  return undefined;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string | undefined) => c !== undefined && /^[0-9A-Za-z]$/.test(c);

/** PHP's php_canonicalize_version. */
export function canonicalizePhp(version: string): string {
  if (version === '') return '';
  let out = version[0]!;
  let lp = version[0]!;
  const isdig = (c: string) => isDigit(c);
  const isndig = (c: string) => !isDigit(c) && c !== '.';
  for (let i = 1; i < version.length; i++) {
    const c = version[i]!;
    const lq = out[out.length - 1];
    if (c === '-' || c === '_' || c === '+') {
      if (lq !== '.') out += '.';
    } else if ((isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c))) {
      if (lq !== '.') out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (lq !== '.') out += '.';
    } else {
      out += c;
    }
    lp = c;
  }
  return out;
}

const SPECIAL: readonly [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialForm(form: string): number {
  for (const [name, order] of SPECIAL) if (form.startsWith(name)) return order;
  return -1;
}

const LONG_MAX = 2n ** 63n - 1n;
/** strtol over a digit-led element: leading digits, saturated at LONG_MAX. */
function strtol(s: string): bigint {
  const digits = /^[0-9]+/.exec(s)![0];
  const n = BigInt(digits);
  return n > LONG_MAX ? LONG_MAX : n;
}

/** PHP's version_compare (without an operator): -1, 0 or 1. */
export function phpVersionCompare(orig1: string, orig2: string, depth = 0): number {
  if (orig1 === '' || orig2 === '') return orig1 === '' ? (orig2 === '' ? 0 : -1) : 1;
  if (depth > 512) return 0;
  const v1 = orig1[0] === '#' ? orig1 : canonicalizePhp(orig1);
  const v2 = orig2[0] === '#' ? orig2 : canonicalizePhp(orig2);
  // PHP walks both strings with pointers p (element start) and n (the dot
  // ending it, or null at the end), stopping at the end of either string.
  let p1 = 0;
  let p2 = 0;
  let n1: number | null = 0;
  let n2: number | null = 0;
  let compare = 0;
  while (p1 < v1.length && p2 < v2.length && n1 !== null && n2 !== null) {
    const d1 = v1.indexOf('.', p1);
    const d2 = v2.indexOf('.', p2);
    n1 = d1 === -1 ? null : d1;
    n2 = d2 === -1 ? null : d2;
    const e1 = v1.slice(p1, n1 ?? v1.length);
    const e2 = v2.slice(p2, n2 ?? v2.length);
    if (isDigit(e1[0]) && isDigit(e2[0])) {
      const l1 = strtol(e1);
      const l2 = strtol(e2);
      compare = l1 < l2 ? -1 : l1 > l2 ? 1 : 0;
    } else if (!isDigit(e1[0]) && !isDigit(e2[0])) {
      compare = Math.sign(specialForm(e1) - specialForm(e2));
    } else if (isDigit(e1[0])) {
      compare = Math.sign(specialForm('#N#') - specialForm(e2));
    } else {
      compare = Math.sign(specialForm(e1) - specialForm('#N#'));
    }
    if (compare !== 0) return compare;
    if (n1 !== null) p1 = n1 + 1;
    if (n2 !== null) p2 = n2 + 1;
  }
  if (n1 !== null) return isDigit(v1[p1]) ? 1 : phpVersionCompare(v1.slice(p1), '#N#', depth + 1);
  if (n2 !== null) return isDigit(v2[p2]) ? -1 : phpVersionCompare('#N#', v2.slice(p2), depth + 1);
  return 0;
}

/** A normalised version: a branch name or a numbered version. */
function parse(v: string): { branch: boolean; normalized: string } | undefined {
  const normalized = normalizeComposer(v);
  if (normalized === undefined) return undefined;
  return { branch: normalized.startsWith('dev-'), normalized };
}

export const composer: VersionComparer = {
  name: 'composer',
  compare(a, b) {
    const x = parse(a);
    const y = parse(b);
    if (!x || !y) return x ? 1 : y ? -1 : compareText(a, b);
    if (x.branch || y.branch) return x.branch ? (y.branch ? compareText(x.normalized, y.normalized) : -1) : 1;
    return phpVersionCompare(x.normalized, y.normalized);
  },
  isValid: (v) => normalizeComposer(v) !== undefined,
};
