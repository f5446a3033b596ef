/**
 * Package URLs as SBOMs write them: parsed with packageurl-js, or, where its
 * per-type checks reject a value real packages carry (a Go version such as
 * `v1`), with the purl-spec's generic grammar; the purl type maps to mamori's
 * package type, and the `distro` qualifier to a distribution.
 */
import { parsePurl as parseCorePurl, type PackageType } from '../core/index.js';

export interface Purl {
  readonly type: string;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly version: string | undefined;
  readonly qualifiers: ReadonlyMap<string, string>;
}

/** purl type → mamori package type, following Syft's `TypeByName` (and Trivy's types). */
const PURL_TYPES: ReadonlyMap<string, PackageType> = new Map<string, PackageType>([
  ['deb', 'deb'],
  ['apk', 'apk'],
  ['alpine', 'apk'],
  ['rpm', 'rpm'],
  ['npm', 'npm'],
  ['pypi', 'python'],
  ['golang', 'go-module'],
  ['maven', 'java-archive'],
  ['gem', 'gem'],
  ['cargo', 'rust-crate'],
  ['nuget', 'dotnet'],
  ['composer', 'php-composer'],
]);

/** mamori package type → purl type, for packages an SBOM lists without a purl. */
export const PURL_TYPE_OF: Readonly<Record<PackageType, string>> = {
  deb: 'deb',
  apk: 'apk',
  rpm: 'rpm',
  npm: 'npm',
  python: 'pypi',
  'go-module': 'golang',
  'java-archive': 'maven',
  gem: 'gem',
  'rust-crate': 'cargo',
  dotnet: 'nuget',
  'php-composer': 'composer',
};

export const OS_TYPES: ReadonlySet<PackageType> = new Set<PackageType>(['deb', 'apk', 'rpm']);

export function packageTypeOfPurl(type: string): PackageType | undefined {
  return PURL_TYPES.get(type.toLowerCase());
}

/**
 * The parts of a purl, or undefined when it is not one (core's `parsePurl`,
 * with qualifiers as a map); SBOM purls must be printable ASCII.
 */
export function parsePurl(s: string): Purl | undefined {
  if (!s.startsWith('pkg:') || !/^[!-~]+$/.test(s)) return undefined;
  const p = parseCorePurl(s);
  if (!p) return undefined;
  return {
    type: p.type.toLowerCase(),
    namespace: p.namespace,
    name: p.name,
    version: p.version,
    qualifiers: new Map(Object.entries(p.qualifiers)),
  };
}

/**
 * Distribution names that SBOM producers use in place of the os-release ID
 * mamori's matcher expects (Trivy's OS families, Syft's RPM namespaces).
 */
const DISTRO_IDS: ReadonlyMap<string, string> = new Map([
  ['redhat', 'rhel'],
  ['alma', 'almalinux'],
  ['amazon', 'amzn'],
  ['oracle', 'ol'],
  ['slem', 'sle-micro'],
  ['cbl-mariner', 'mariner'],
]);

const DISTRO_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** An os-release ID from a producer's distribution name, or undefined when it is not one. */
export function distroId(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const id = name.trim().toLowerCase();
  const mapped = DISTRO_IDS.get(id) ?? id;
  return DISTRO_ID.test(mapped) ? mapped : undefined;
}

const VERSION_ID = /^[0-9A-Za-z][0-9A-Za-z._~+-]{0,63}$/;

export function distroVersion(v: string | undefined): string | undefined {
  return v !== undefined && VERSION_ID.test(v) ? v : undefined;
}

/**
 * The `distro` qualifier: `debian-12`, `alpine-3.19.1`, `opensuse-leap-15.5`
 * (Syft: ID-VERSION_ID), `redhat-9.2` (Trivy: family-version), or a bare
 * version (Trivy's apk purls: `3.16.0`), whose ID then comes from the namespace.
 */
export function purlDistro(p: Purl): { id: string; versionId?: string } | undefined {
  const q = p.qualifiers.get('distro');
  let id: string | undefined;
  let version: string | undefined;
  if (q !== undefined) {
    const m = /^(.+?)-(\d.*)$/.exec(q);
    if (m) {
      id = distroId(m[1]);
      version = distroVersion(m[2]);
    } else if (/^\d/.test(q)) version = distroVersion(q);
    else id = distroId(q);
  }
  id ??= distroId(p.namespace);
  if (id === undefined) return undefined;
  return version !== undefined ? { id, versionId: version } : { id };
}
