/**
 * RPM versions, exactly as rpm orders them: `rpmvercmp` for one field
 * (alphanumeric segments, digits newer than letters, `~` before everything
 * and `^` after the end), and rpm's EVR comparison (`rpmverCmp` over
 * `parseEVR`, what `rpm.ver()` compares) for `[epoch:]version[-release]`:
 * epochs (a missing one is `0`), then versions, then releases, where a
 * missing release is older than any release (`1.0` < `1.0-0`). (rpm's
 * dependency ranges instead ignore a release one side lacks; a matcher
 * that wants that strips the release itself.)
 *
 * rpm compares any string; so does this. Only a string rpm cannot be handed
 * (empty, or holding NUL) is invalid and sorts first.
 */
import type { VersionComparer } from '../types.js';
import { compareText } from '../util.js';

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);

/** rpm's `rpmvercmp` for one field (version or release). */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    const ca = a[i];
    const cb = b[j];
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '^' || cb === '^') {
      if (ca === undefined) return -1;
      if (cb === undefined) return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === undefined || cb === undefined) break;
    const numeric = isDigit(ca);
    const run = numeric ? isDigit : isAlpha;
    let ie = i;
    let je = j;
    while (ie < a.length && run(a[ie])) ie++;
    while (je < b.length && run(b[je])) je++;
    // A numeric segment is newer than an alphabetic one.
    if (je === j) return numeric ? 1 : -1;
    let x = a.slice(i, ie);
    let y = b.slice(j, je);
    if (numeric) {
      x = x.replace(/^0+/, '');
      y = y.replace(/^0+/, '');
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    }
    const c = compareText(x, y);
    if (c !== 0) return c;
    i = ie;
    j = je;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

interface Evr {
  readonly epoch: string | undefined;
  readonly version: string;
  readonly release: string | undefined;
}

/** rpm's `parseEVR`: digits then `:` make an epoch; the last `-` starts the release. */
export function parseEvr(evr: string): Evr {
  let s = 0;
  while (isDigit(evr[s])) s++;
  const hyphen = evr.lastIndexOf('-');
  const se = hyphen >= s ? hyphen : -1;
  let epoch: string | undefined;
  let vstart = 0;
  if (evr[s] === ':') {
    epoch = s === 0 ? '0' : evr.slice(0, s);
    vstart = s + 1;
  }
  const version = se === -1 ? evr.slice(vstart) : evr.slice(vstart, se);
  const release = se === -1 ? undefined : evr.slice(se + 1);
  return { epoch, version, release };
}

/** rpm's EVR comparison (`rpmverCmp`). */
export function compareEvr(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  return (
    rpmvercmp(x.epoch ?? '0', y.epoch ?? '0') ||
    rpmvercmp(x.version, y.version) ||
    (x.release === undefined || y.release === undefined
      ? Number(x.release !== undefined) - Number(y.release !== undefined)
      : rpmvercmp(x.release, y.release))
  );
}

const usable = (v: string) => v !== '' && !v.includes('\0');

export const rpm: VersionComparer = {
  name: 'rpm',
  compare(a, b) {
    if (!usable(a) || !usable(b)) {
      if (usable(a)) return 1;
      if (usable(b)) return -1;
      return compareText(a, b);
    }
    return compareEvr(a, b);
  },
  isValid: usable,
};
