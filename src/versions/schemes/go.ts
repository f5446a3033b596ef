/**
 * Go module versions, exactly as `golang.org/x/mod/semver.Compare` orders
 * them: `vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]` (`v1.2` is `v1.2.0`),
 * build metadata such as `+incompatible` ignored, pre-releases (and so
 * pseudo-versions like `v0.0.0-20200101000000-abcdef123456`, which order by
 * their timestamp) before the release. OSV writes Go versions without the
 * `v`; both forms are read.
 *
 * Go toolchain versions (`go1.21.9`, `go1.21rc1`, `go1.21`; the `stdlib`
 * and `toolchain` packages) are first mapped to semver exactly as govulncheck
 * does (`GoTagToSemver`): `go1.21.9` is `v1.21.9`, `go1.21rc1` is
 * `v1.21.0-rc.1`, `go1.21` is `v1.21.0`, a ` X:experiment` suffix is dropped.
 *
 * Invalid versions sort before valid ones and, as in Go, equal each other.
 */
import type { VersionComparer } from '../types.js';
import { compareDigits, compareText } from '../util.js';

interface GoSemver {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** With its leading `-`, or empty. */
  readonly prerelease: string;
}

const TAG = /^go([0-9]+\.[0-9]+)(\.[0-9]+|)((beta|rc|-pre)([0-9]+))?$/;
/** Go's unicode.IsSpace. */
const GO_SPACE = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const GO_TAG_START = /^[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*go[0-9]/;

/** x/vuln's GoTagToSemver; empty when the tag is not a Go release tag. */
export function goTagToSemver(tag: string): string {
  const field = tag.split(GO_SPACE).find((f) => f !== '');
  if (field === undefined) return '';
  if (field === 'go1') return 'v1.0.0';
  if (field === 'go1.0') return '';
  const m = TAG.exec(field);
  if (!m) return '';
  let version = `v${m[1]}${m[2] !== '' ? m[2] : '.0'}`;
  if (m[3] !== undefined) version += `${m[4]!.startsWith('-') ? '' : '-'}${m[4]}.${m[5]}`;
  return version;
}

/** The canonical `v` form of a module version, an OSV version or a Go tag. */
export function canonicalGoVersion(v: string): string {
  if (GO_TAG_START.test(v)) return goTagToSemver(v);
  return `v${v.startsWith('v') ? v.slice(1) : v}`;
}

const isIdent = (c: string) => /[0-9A-Za-z-]/.test(c);
const isBadNum = (s: string) => /^0[0-9]+$/.test(s);

function parseInt(v: string, at: number): number {
  let i = at;
  while (i < v.length && v[i]! >= '0' && v[i]! <= '9') i++;
  if (i === at || (v[at] === '0' && i !== at + 1)) return -1;
  return i;
}

/** x/mod/semver's parse. */
export function parseGoSemver(v: string): GoSemver | undefined {
  if (v.length > 4096 || v[0] !== 'v') return undefined;
  let i = parseInt(v, 1);
  if (i < 0) return undefined;
  const major = v.slice(1, i);
  if (i === v.length) return { major, minor: '0', patch: '0', prerelease: '' };
  if (v[i] !== '.') return undefined;
  let j = parseInt(v, i + 1);
  if (j < 0) return undefined;
  const minor = v.slice(i + 1, j);
  if (j === v.length) return { major, minor, patch: '0', prerelease: '' };
  if (v[j] !== '.') return undefined;
  i = parseInt(v, j + 1);
  if (i < 0) return undefined;
  const patch = v.slice(j + 1, i);
  let prerelease = '';
  if (v[i] === '-') {
    j = i + 1;
    let start = j;
    for (; j < v.length && v[j] !== '+'; j++) {
      if (!isIdent(v[j]!) && v[j] !== '.') return undefined;
      if (v[j] === '.') {
        if (start === j || isBadNum(v.slice(start, j))) return undefined;
        start = j + 1;
      }
    }
    if (start === j || isBadNum(v.slice(start, j))) return undefined;
    prerelease = v.slice(i, j);
    i = j;
  }
  if (v[i] === '+') {
    const build = v.slice(i + 1);
    if (build === '' || build.split('.').some((p) => p === '' || ![...p].every(isIdent))) return undefined;
    i = v.length;
  }
  return i === v.length ? { major, minor, patch, prerelease } : undefined;
}

function comparePrerelease(x: string, y: string): number {
  if (x === y) return 0;
  if (x === '') return 1;
  if (y === '') return -1;
  const a = x.slice(1).split('.');
  const b = y.slice(1).split('.');
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const dx = a[k]!;
    const dy = b[k]!;
    if (dx === dy) continue;
    const nx = /^[0-9]*$/.test(dx);
    const ny = /^[0-9]*$/.test(dy);
    if (nx !== ny) return nx ? -1 : 1;
    return nx ? compareDigits(dx, dy) : compareText(dx, dy);
  }
  return Math.sign(a.length - b.length);
}

/** x/mod/semver's Compare over canonical `v` forms. */
export function compareGoSemver(v: string, w: string): number {
  const a = parseGoSemver(v);
  const b = parseGoSemver(w);
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

export const go: VersionComparer = {
  name: 'go',
  compare: (a, b) => compareGoSemver(canonicalGoVersion(a), canonicalGoVersion(b)),
  isValid: (v) => parseGoSemver(canonicalGoVersion(v)) !== undefined,
};
