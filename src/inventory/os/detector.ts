/**
 * OS detection. Shaped as a cataloger so the layer walker selects and parses
 * release files like any other evidence (and caches the facts per layer); the
 * distribution is then chosen by `detectDistro` from the facts visible in the
 * final filesystem.
 */
import type { Distro } from '../../core/index.js';
import type { CatalogFile, Cataloger, EntryInfo, Fact } from '../cataloger.js';
import { distroFromOsRelease, parseOsRelease } from './os-release.js';
import { parseAlpineRelease, parseDebianVersion, parseRedhatRelease } from './release-files.js';

export type OsFactKind = 'os-release' | 'alpine-release' | 'debian_version' | 'redhat-release';

/** What one release file says. */
export interface OsFact {
  readonly kind: OsFactKind;
  readonly distro: Distro;
}

/**
 * Release files in order of precedence. On Debian and the Red Hat family
 * `/etc/os-release` (and `/etc/redhat-release` on Rocky and Alma) are
 * symbolic links, which the walker does not hand to catalogers, so the
 * targets are listed too.
 */
const SOURCES: ReadonlyArray<{ readonly path: string; readonly kind: OsFactKind }> = [
  { path: '/etc/os-release', kind: 'os-release' },
  { path: '/usr/lib/os-release', kind: 'os-release' },
  { path: '/etc/alpine-release', kind: 'alpine-release' },
  { path: '/etc/debian_version', kind: 'debian_version' },
  { path: '/etc/redhat-release', kind: 'redhat-release' },
  { path: '/etc/centos-release', kind: 'redhat-release' },
  { path: '/etc/rocky-release', kind: 'redhat-release' },
  { path: '/etc/almalinux-release', kind: 'redhat-release' },
  { path: '/etc/oracle-release', kind: 'redhat-release' },
  { path: '/etc/fedora-release', kind: 'redhat-release' },
  { path: '/etc/system-release', kind: 'redhat-release' },
];

const RANK = new Map(SOURCES.map((s, i) => [s.path, i]));
/** Release files are a few hundred bytes; anything larger is not one. */
const MAX_SIZE = 64 * 1024;

function parseText(kind: OsFactKind, text: string): Distro | undefined {
  switch (kind) {
    case 'os-release':
      return distroFromOsRelease(parseOsRelease(text));
    case 'alpine-release':
      return parseAlpineRelease(text);
    case 'debian_version':
      return parseDebianVersion(text);
    case 'redhat-release':
      return parseRedhatRelease(text);
  }
}

async function parse(file: CatalogFile): Promise<OsFact | undefined> {
  const source = SOURCES.find((s) => s.path === file.path);
  if (source === undefined) return undefined;
  const buf = await file.source.read(0, MAX_SIZE);
  const distro = parseText(source.kind, buf.toString('utf8'));
  return distro === undefined ? undefined : { kind: source.kind, distro };
}

/**
 * The image's distribution: from the highest-precedence release file among
 * the facts (`/etc/os-release`, `/usr/lib/os-release`, `/etc/alpine-release`,
 * `/etc/debian_version`, `/etc/redhat-release` and its siblings). Pure.
 */
export function detectDistro(facts: readonly Fact<OsFact>[]): Distro | undefined {
  let best: Fact<OsFact> | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const f of facts) {
    const rank = RANK.get(f.path);
    // Later facts come from later layers: on a tie the upper layer wins.
    if (rank !== undefined && rank <= bestRank) {
      best = f;
      bestRank = rank;
    }
  }
  return best?.fact.distro;
}

export const osDetector: Cataloger<OsFact> = {
  name: 'os',
  version: 1,
  tags: ['os', 'image', 'directory'],
  maxFileSize: MAX_SIZE,
  select(entry: EntryInfo): boolean {
    return RANK.has(entry.path);
  },
  parse,
  assemble() {
    return [];
  },
};
