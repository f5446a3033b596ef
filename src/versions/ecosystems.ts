/**
 * OSV ecosystem names to version schemes, and the entry points that take an
 * ecosystem as OSV spells it (`Debian:12`, `Alpine:v3.19`,
 * `Red Hat:enterprise_linux:9`: the ecosystem is the text before the first
 * colon).
 */
import { MamoriError } from '../core/index.js';
import { SCHEMES, type SchemeName } from './schemes/index.js';
import type { VersionComparer } from './types.js';

/** Every OSV ecosystem mamori can compare versions of, and its scheme. */
export const ECOSYSTEM_SCHEMES: Readonly<Record<string, SchemeName>> = Object.freeze({
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  Alpine: 'apk',
  Alpaquita: 'apk',
  Chainguard: 'apk',
  Wolfi: 'apk',
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  SUSE: 'rpm',
  openSUSE: 'rpm',
  Mageia: 'rpm',
  openEuler: 'rpm',
  'Photon OS': 'rpm',
  npm: 'npm',
  PyPI: 'pep440',
  Go: 'go',
  Maven: 'maven',
  RubyGems: 'gem',
  NuGet: 'nuget',
  'crates.io': 'cargo',
  Packagist: 'composer',
});

const LOWER = new Map(Object.entries(ECOSYSTEM_SCHEMES).map(([k, v]) => [k.toLowerCase(), v]));

/** The scheme of an OSV ecosystem, or undefined. Case is forgiven. */
export function schemeOf(ecosystem: string): SchemeName | undefined {
  const base = ecosystem.split(':', 1)[0]!.trim();
  if (Object.hasOwn(ECOSYSTEM_SCHEMES, base)) return ECOSYSTEM_SCHEMES[base];
  return LOWER.get(base.toLowerCase());
}

/** The comparer of an OSV ecosystem; a MamoriError INVALID_ARGUMENT for an unknown one. */
export function comparerFor(ecosystem: string): VersionComparer {
  const scheme = typeof ecosystem === 'string' ? schemeOf(ecosystem) : undefined;
  if (scheme === undefined) {
    const shown = String(ecosystem).slice(0, 100);
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `unknown ecosystem "${shown}" (known: ${Object.keys(ECOSYSTEM_SCHEMES).join(', ')})`,
    );
  }
  return SCHEMES[scheme];
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b` in `ecosystem`. */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  return comparerFor(ecosystem).compare(a, b);
}
