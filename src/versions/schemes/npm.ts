/**
 * npm versions: SemVer 2.0 precedence as the `semver` package (what npm
 * itself uses) orders them, build metadata ignored. Versions `semver` reads
 * only in loose mode (`1.02.3`, `=1.2.3`) still compare; what it cannot read
 * at all is invalid and sorts before every valid version.
 */
import semver from 'semver';
import type { VersionComparer } from '../types.js';
import { orderParsed } from '../util.js';

const parseLoose = (v: string) => semver.parse(v, { loose: true }) ?? undefined;

export const npm: VersionComparer = {
  name: 'npm',
  compare: orderParsed(parseLoose, (a, b) => a.compare(b)),
  isValid: (v) => semver.valid(v) !== null,
};

/**
 * Whether `version` satisfies the npm range `range` (`^1.2.0`, `>=1.0.0
 * <1.4.2 || 2.x`), as npm decides it: pre-releases only match a comparator
 * on the same major.minor.patch unless `includePrerelease` is set. An
 * invalid version or range satisfies nothing.
 */
export function satisfiesNpmRange(
  version: string,
  range: string,
  options: { includePrerelease?: boolean } = {},
): boolean {
  if (version.length > 256 || range.length > 4096) return false;
  try {
    return semver.satisfies(version, range, {
      loose: true,
      includePrerelease: options.includePrerelease === true,
    });
  } catch {
    return false;
  }
}
