/**
 * Distribution release files older than os-release, read when an image has
 * no os-release: `/etc/alpine-release`, `/etc/debian_version` and the Red Hat
 * family's one-line `/etc/redhat-release` (and its siblings).
 */
import type { Distro } from '../../core/index.js';

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return (nl === -1 ? text : text.slice(0, nl)).replace(/\r$/, '').trim();
}

/** `/etc/alpine-release`: `3.19.1`. */
export function parseAlpineRelease(text: string): Distro | undefined {
  const v = firstLine(text);
  return /^\d+(?:\.\d+)*(?:[._][A-Za-z0-9]+)?$/.test(v) && v.length <= 64
    ? { id: 'alpine', versionId: v }
    : undefined;
}

/** `/etc/debian_version`: `12.5` (→ versionId `12`) or `bookworm/sid` (→ codename `bookworm`). */
export function parseDebianVersion(text: string): Distro | undefined {
  const v = firstLine(text);
  const num = /^(\d+)(?:\.\d+)*$/.exec(v);
  if (num !== null) return { id: 'debian', versionId: num[1] as string };
  const name = /^([a-z][a-z0-9-]{0,31})(?:\/sid)?$/.exec(v);
  if (name !== null) return { id: 'debian', versionCodename: name[1] as string };
  return undefined;
}

interface RedhatFamily {
  readonly match: RegExp;
  readonly id: string;
  readonly idLike: readonly string[];
  /** Keep only the major version (os-release's VERSION_ID for CentOS is `7`, not `7.9.2009`). */
  readonly majorOnly?: boolean;
}

/** Order matters: the first match wins. Values mirror each distribution's os-release. */
const FAMILIES: readonly RedhatFamily[] = [
  { match: /^red hat enterprise linux\b/i, id: 'rhel', idLike: ['fedora'] },
  { match: /^centos\b/i, id: 'centos', idLike: ['rhel', 'fedora'], majorOnly: true },
  { match: /^rocky linux\b/i, id: 'rocky', idLike: ['rhel', 'centos', 'fedora'] },
  { match: /^alma ?linux\b/i, id: 'almalinux', idLike: ['rhel', 'centos', 'fedora'] },
  { match: /^oracle linux\b/i, id: 'ol', idLike: ['fedora'] },
  { match: /^fedora\b/i, id: 'fedora', idLike: [] },
  { match: /^amazon linux\b/i, id: 'amzn', idLike: ['centos', 'rhel', 'fedora'] },
];

/** `/etc/redhat-release` and siblings: `Red Hat Enterprise Linux release 9.2 (Plow)`. */
export function parseRedhatRelease(text: string): Distro | undefined {
  const line = firstLine(text).slice(0, 256);
  const m = /^(.+?)\s+release\s+(\d+(?:\.\d+)*)\b/i.exec(line);
  if (m === null) return undefined;
  const product = m[1] as string;
  const version = m[2] as string;
  const family = FAMILIES.find((f) => f.match.test(product));
  if (family === undefined) return undefined;
  const versionId = family.majorOnly === true ? (version.split('.')[0] as string) : version;
  return {
    id: family.id,
    versionId,
    prettyName: line,
    ...(family.idLike.length > 0 ? { idLike: [...family.idLike] } : {}),
  };
}
