/**
 * The rpm cataloger: installed packages of Red Hat, Fedora, SUSE, Amazon
 * Linux and their kin, from rpm's package database in any of its three
 * formats (SQLite, Berkeley DB, NDB).
 */
import { MamoriError, purl } from '../../../core/index.js';
import type { Distro, Package, RpmMetadata } from '../../../core/index.js';
import type { CatalogFile, Cataloger, EntryInfo, Fact } from '../../cataloger.js';
import { readRpmDb, rpmDbFormat, type RpmDbFormat } from './db.js';
import type { RpmHeader } from './header.js';

/** What parsing one database yields: its headers, in database order. */
export type RpmFact = readonly RpmHeader[];

const NAME = 'rpm';
/** Largest database read (a full Fedora workstation's rpmdb.sqlite is a few hundred MiB). */
const MAX_DB_SIZE = 1024 * 1024 * 1024;
/** rpm's pseudo-packages for imported signing keys. */
const GPG_PUBKEY = 'gpg-pubkey';
/** When one image holds databases in several formats, the one rpm would most likely use. */
const FORMAT_RANK: Readonly<Record<RpmDbFormat, number>> = { sqlite: 0, ndb: 1, bdb: 2 };

async function parse(file: CatalogFile): Promise<RpmFact | undefined> {
  const format = rpmDbFormat(file.path);
  if (format === undefined) return undefined;
  const db = await readRpmDb(format, file.source);
  if (db.records > 0 && db.headers.length === 0) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${file.path}: none of the ${db.records} rpm database records could be read (${db.errors.join('; ')})`,
    );
  }
  return db.headers;
}

/**
 * The database rpm would read. Normally there is one; after a backend
 * conversion an old file may linger, so the most recently written one wins,
 * then the newer format, then path order.
 */
function pickDatabase(facts: readonly Fact<RpmFact>[]): Fact<RpmFact> | undefined {
  const rank = (f: Fact<RpmFact>): number => FORMAT_RANK[rpmDbFormat(f.path) ?? 'bdb'];
  return [...facts].sort(
    (a, b) =>
      b.layer.index - a.layer.index || rank(a) - rank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  )[0];
}

/** rpm's own notation: `[EPOCH:]VERSION-RELEASE`. */
export function rpmVersion(h: Pick<RpmHeader, 'epoch' | 'version' | 'release'>): string {
  return `${h.epoch !== undefined ? `${h.epoch}:` : ''}${h.version}-${h.release}`;
}

/** `pkg:rpm/<distro id>/<name>@<version>-<release>?arch=…&epoch=…&distro=<id>-<versionId>` */
export function rpmPurl(h: RpmHeader, distro: Distro | undefined): string {
  const id = distro?.id.toLowerCase();
  const distroQualifier = id && distro?.versionId ? `${id}-${distro.versionId}` : id;
  return purl({
    type: 'rpm',
    namespace: id,
    name: h.name,
    version: `${h.version}-${h.release}`,
    qualifiers: {
      arch: h.arch,
      epoch: h.epoch !== undefined ? String(h.epoch) : undefined,
      distro: distroQualifier,
    },
  });
}

function toPackage(h: RpmHeader, fact: Fact<RpmFact>, distro: Distro | undefined): Package {
  const metadata: { -readonly [K in keyof RpmMetadata]: RpmMetadata[K] } = {
    kind: 'rpm',
    upstreamVersion: h.version,
    release: h.release,
    files: h.files,
  };
  if (h.epoch !== undefined) metadata.epoch = h.epoch;
  if (h.arch !== undefined) metadata.architecture = h.arch;
  if (h.sourceRpm !== undefined) metadata.sourceRpm = h.sourceRpm;
  if (h.vendor !== undefined) metadata.vendor = h.vendor;
  if (h.modularityLabel !== undefined) metadata.modularityLabel = h.modularityLabel;
  return {
    name: h.name,
    version: rpmVersion(h),
    type: 'rpm',
    purl: rpmPurl(h, distro),
    licenses: h.license ? [h.license] : [],
    locations: [{ path: fact.path, layer: fact.layer }],
    foundBy: NAME,
    layer: fact.layer,
    metadata,
  };
}

function assemble(facts: readonly Fact<RpmFact>[], distro: Distro | undefined): Package[] {
  const fact = pickDatabase(facts);
  if (fact === undefined) return [];
  const seen = new Set<string>();
  const out: Package[] = [];
  for (const h of fact.fact) {
    if (h.name === GPG_PUBKEY) continue;
    const pkg = toPackage(h, fact, distro);
    if (seen.has(pkg.purl)) continue;
    seen.add(pkg.purl);
    out.push(pkg);
  }
  return out.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0,
  );
}

export const rpmCataloger: Cataloger<RpmFact> = {
  name: NAME,
  version: 1,
  tags: ['os', 'image', 'directory'],
  maxFileSize: MAX_DB_SIZE,
  select: (entry: EntryInfo) => rpmDbFormat(entry.path) !== undefined,
  parse,
  assemble: (facts, ctx) => assemble(facts, ctx.distro),
};
