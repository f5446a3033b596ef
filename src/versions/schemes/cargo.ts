/**
 * crates.io versions, as Cargo's `semver` crate parses them
 * (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`, strictly: no `v`, no leading zeros,
 * no white space) and SemVer 2.0 orders them: numbers without bound, a
 * release after its pre-releases, numeric pre-release identifiers before
 * alphanumeric ones; build metadata is ignored (SemVer precedence, as OSV
 * compares crates). Anything else is invalid and sorts first.
 */
import type { VersionComparer } from '../types.js';
import { compareDigits, compareText, orderParsed } from '../util.js';

interface CargoVersion {
  readonly core: readonly [string, string, string];
  readonly pre: readonly string[];
}

const NUM = '(0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const FULL = new RegExp(
  `^${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);
const U64_MAX = '18446744073709551615';

export function parseCargo(v: string): CargoVersion | undefined {
  if (v.length > 4096) return undefined;
  const m = FULL.exec(v);
  if (!m) return undefined;
  const core = [m[1]!, m[2]!, m[3]!] as const;
  if (core.some((n) => compareDigits(n, U64_MAX) > 0)) return undefined;
  const pre = m[4] === undefined ? [] : m[4].split('.');
  return { core, pre };
}

function compareIdentifier(a: string, b: string): number {
  const na = /^[0-9]+$/.test(a);
  const nb = /^[0-9]+$/.test(b);
  if (na && nb) return compareDigits(a, b);
  if (na !== nb) return na ? -1 : 1;
  return compareText(a, b);
}

export function compareCargo(a: CargoVersion, b: CargoVersion): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i]!, b.core[i]!);
    if (c !== 0) return c;
  }
  if (a.pre.length === 0 || b.pre.length === 0) return a.pre.length === 0 ? (b.pre.length === 0 ? 0 : 1) : -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = compareIdentifier(a.pre[i]!, b.pre[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

export const cargo: VersionComparer = {
  name: 'cargo',
  compare: orderParsed(parseCargo, compareCargo),
  isValid: (v) => parseCargo(v) !== undefined,
};
