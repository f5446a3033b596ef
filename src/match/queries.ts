/**
 * What to look up for each package: the feed ecosystem, the name the feed
 * uses and the version to compare. One typed table, one entry per matcher.
 *
 * Distro packages are looked up by their **source** package (dpkg Source,
 * apk origin, rpm SOURCERPM) within the release's ecosystem, because distro
 * advisories name source packages. A language package that an OS package
 * owns (Debian's python3-requests, a Go binary shipped in a .deb) is judged
 * by the distro's advisories through that owner, never by the language
 * feed: distros backport fixes without changing the upstream version.
 */
import type { Distro, Package, PackageType } from '../core/index.js';

export interface Query {
  /** Ecosystems to search, most specific first (`Ubuntu:22.04:LTS`, `Ubuntu:22.04`). */
  readonly ecosystems: readonly string[];
  readonly name: string;
  readonly version: string;
}

export interface Matcher {
  readonly name: string;
  readonly packageTypes: readonly PackageType[];
  /** The lookup for a package, or undefined when it cannot be matched (no distro, no group id, a devel build). */
  query(pkg: Package, distro: Distro | undefined): Query | undefined;
}

function majorMinor(v: string | undefined): string | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(v ?? '');
  return m ? (m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]) : undefined;
}

const dpkg: Matcher = {
  name: 'dpkg',
  packageTypes: ['deb'],
  query(pkg, distro) {
    if (pkg.metadata.kind !== 'dpkg' || !distro) return undefined;
    const { source, sourceVersion } = pkg.metadata;
    if (distro.id === 'debian') {
      const release =
        /^\d+/.exec(distro.versionId ?? '')?.[0] ??
        (distro.versionCodename === 'sid' ? 'unstable' : undefined);
      return release
        ? { ecosystems: [`Debian:${release}`], name: source, version: sourceVersion }
        : undefined;
    }
    if (distro.id === 'ubuntu' && distro.versionId) {
      const v = distro.versionId;
      return { ecosystems: [`Ubuntu:${v}:LTS`, `Ubuntu:${v}`], name: source, version: sourceVersion };
    }
    return undefined;
  },
};

const apk: Matcher = {
  name: 'apk',
  packageTypes: ['apk'],
  query(pkg, distro) {
    if (pkg.metadata.kind !== 'apk' || distro?.id !== 'alpine') return undefined;
    const mm = majorMinor(distro.versionId);
    return mm
      ? { ecosystems: [`Alpine:v${mm}`], name: pkg.metadata.origin, version: pkg.version }
      : undefined;
  },
};

const RPM_ECOSYSTEMS: Readonly<Record<string, (major: string) => string[]>> = {
  rhel: (m) => [`Red Hat:enterprise_linux:${m}`, `Red Hat`],
  rocky: (m) => [`Rocky Linux:${m}`],
  almalinux: (m) => [`AlmaLinux:${m}`],
  'opensuse-leap': (m) => [`openSUSE:Leap ${m}`],
  sles: (m) => [`SUSE:Linux Enterprise Server ${m}`],
};

const rpm: Matcher = {
  name: 'rpm',
  packageTypes: ['rpm'],
  query(pkg, distro) {
    if (pkg.metadata.kind !== 'rpm' || !distro) return undefined;
    const major = /^\d+/.exec(distro.versionId ?? '')?.[0];
    const eco = RPM_ECOSYSTEMS[distro.id];
    if (!eco || !major) return undefined;
    // SOURCERPM is NAME-VERSION-RELEASE.src.rpm; the name is what advisories list.
    const src = /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(pkg.metadata.sourceRpm ?? '')?.[1] ?? pkg.name;
    const { epoch, upstreamVersion, release } = pkg.metadata;
    const version = `${epoch ? `${epoch}:` : ''}${upstreamVersion}-${release}`;
    return { ecosystems: eco(major), name: src, version };
  },
};

/** Language packages not owned by an OS package: matched against their ecosystem's feed. */
const LANGUAGE_ECOSYSTEM: Partial<Record<PackageType, string>> = {
  npm: 'npm',
  python: 'PyPI',
  'go-module': 'Go',
  'java-archive': 'Maven',
  gem: 'RubyGems',
  'rust-crate': 'crates.io',
  dotnet: 'NuGet',
  'php-composer': 'Packagist',
};

const language: Matcher = {
  name: 'language',
  packageTypes: Object.keys(LANGUAGE_ECOSYSTEM) as PackageType[],
  query(pkg) {
    if (pkg.ownedBy) return undefined;
    const ecosystem = LANGUAGE_ECOSYSTEM[pkg.type];
    if (!ecosystem) return undefined;
    let name = pkg.name;
    let version = pkg.version;
    if (pkg.type === 'go-module') {
      if (version === '(devel)' || version === '') return undefined;
      // The Go vulnerability database writes versions without the `v`; the stdlib as `1.21.9`.
      version = name === 'stdlib' ? version.replace(/^go/, '') : version.replace(/^v/, '');
    }
    if (pkg.type === 'java-archive') {
      if (pkg.metadata.kind !== 'java-archive' || !pkg.metadata.groupId) return undefined;
      name = `${pkg.metadata.groupId}:${pkg.metadata.artifactId ?? pkg.name}`;
    }
    return { ecosystems: [ecosystem], name, version };
  },
};

export const MATCHERS: readonly Matcher[] = Object.freeze([dpkg, apk, rpm, language]);

export function matcherFor(type: PackageType): Matcher | undefined {
  return MATCHERS.find((m) => m.packageTypes.includes(type));
}
