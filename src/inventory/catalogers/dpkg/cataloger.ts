/**
 * The dpkg cataloger: Debian packages from the dpkg status database
 * (`/var/lib/dpkg/status`, or one stanza a file in `/var/lib/dpkg/status.d/`
 * on distroless images), with owned files from `info/NAME[:ARCH].list` (or
 * `status.d/NAME.md5sums`) and licences from `/usr/share/doc/NAME/copyright`.
 */
import { purl, type Distro, type Location, type Package } from '../../../core/index.js';
import { readText } from '../../bytesource.js';
import type { AssembleContext, CatalogFile, Cataloger, EntryInfo, Fact } from '../../cataloger.js';
import { COPYRIGHT_READ_LIMIT, parseCopyright } from './copyright.js';
import { parseList, parseMd5sums, splitPackageKey } from './files.js';
import { parseStatus, type DpkgEntry } from './status.js';

const STATUS = '/var/lib/dpkg/status';
const STATUS_D = '/var/lib/dpkg/status.d/';
const INFO = '/var/lib/dpkg/info/';
const DOC = '/usr/share/doc/';

/** Which database a status or file-list fact belongs to. */
export type DpkgDb = 'status' | 'status.d';

export type DpkgFact =
  | { readonly kind: 'status'; readonly db: DpkgDb; readonly entries: readonly DpkgEntry[] }
  | {
      readonly kind: 'files';
      readonly db: DpkgDb;
      readonly package: string;
      readonly arch?: string;
      readonly files: readonly string[];
    }
  | { readonly kind: 'copyright'; readonly package: string; readonly licenses: readonly string[] };

type FileKind =
  | { kind: 'status'; db: DpkgDb }
  | { kind: 'list'; key: string }
  | { kind: 'md5sums'; key: string }
  | { kind: 'copyright'; package: string };

/** Single path segment: no slash, not `.` or `..`. */
function segment(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/');
}

function classify(path: string): FileKind | undefined {
  if (path === STATUS) return { kind: 'status', db: 'status' };
  if (path.startsWith(STATUS_D)) {
    const base = path.slice(STATUS_D.length);
    if (!segment(base)) return undefined;
    if (base.endsWith('.md5sums')) return { kind: 'md5sums', key: base.slice(0, -'.md5sums'.length) };
    return { kind: 'status', db: 'status.d' };
  }
  if (path.startsWith(INFO) && path.endsWith('.list')) {
    const base = path.slice(INFO.length);
    return segment(base) ? { kind: 'list', key: base.slice(0, -'.list'.length) } : undefined;
  }
  if (path.startsWith(DOC) && path.endsWith('/copyright')) {
    const name = path.slice(DOC.length, -'/copyright'.length);
    return segment(name) ? { kind: 'copyright', package: name } : undefined;
  }
  return undefined;
}

async function parse(file: CatalogFile): Promise<DpkgFact | undefined> {
  const kind = classify(file.path);
  if (kind === undefined) return undefined;
  switch (kind.kind) {
    case 'status': {
      const entries = parseStatus(await readText(file.source), kind.db === 'status');
      return entries.length > 0 ? { kind: 'status', db: kind.db, entries } : undefined;
    }
    case 'list':
    case 'md5sums': {
      const key = splitPackageKey(kind.key);
      if (key === undefined) return undefined;
      const text = await readText(file.source);
      const files = kind.kind === 'list' ? parseList(text) : parseMd5sums(text);
      const db: DpkgDb = kind.kind === 'list' ? 'status' : 'status.d';
      return {
        kind: 'files',
        db,
        package: key.name,
        ...(key.arch !== undefined ? { arch: key.arch } : {}),
        files,
      };
    }
    case 'copyright': {
      const buf = await file.source.read(0, COPYRIGHT_READ_LIMIT);
      const licenses = parseCopyright(buf.toString('utf8'));
      return licenses.length > 0 ? { kind: 'copyright', package: kind.package, licenses } : undefined;
    }
  }
}

function debianLike(d: Distro | undefined): d is Distro {
  return d !== undefined && (d.id === 'debian' || d.id === 'ubuntu' || (d.idLike ?? []).includes('debian'));
}

/**
 * `pkg:deb/<distro>/<name>@<version>?arch=…&distro=<id>-<versionId>&upstream=…`,
 * as Syft writes it: `upstream` names the source package when it differs from
 * the binary (`source`, or `source@version` when the source version differs).
 */
export function dpkgPurl(e: DpkgEntry, distro: Distro | undefined): string {
  const known = debianLike(distro);
  let upstream: string | undefined;
  if (e.source !== e.name || e.sourceVersion !== e.version) {
    upstream = e.sourceVersion !== e.version ? `${e.source}@${e.sourceVersion}` : e.source;
  }
  return purl({
    type: 'deb',
    namespace: known ? distro.id : 'debian',
    name: e.name,
    version: e.version,
    qualifiers: {
      arch: e.architecture,
      distro: known
        ? [distro.id, distro.versionId].filter((s) => s !== undefined && s !== '').join('-')
        : undefined,
      upstream,
    },
  });
}

type FilesFact = Fact<DpkgFact & { kind: 'files' }>;

function assemble(facts: readonly Fact<DpkgFact>[], ctx: AssembleContext): Package[] {
  const lists = new Map<string, FilesFact>();
  const copyrights = new Map<string, Fact<DpkgFact & { kind: 'copyright' }>>();
  for (const f of facts) {
    if (f.fact.kind === 'files') {
      const key = `${f.fact.db}\0${f.fact.package}${f.fact.arch !== undefined ? ':' + f.fact.arch : ''}`;
      lists.set(key, f as FilesFact);
    } else if (f.fact.kind === 'copyright') {
      copyrights.set(f.fact.package, f as Fact<DpkgFact & { kind: 'copyright' }>);
    }
  }

  const out: Package[] = [];
  const seen = new Set<string>();
  for (const f of facts) {
    if (f.fact.kind !== 'status') continue;
    const db = f.fact.db;
    for (const e of f.fact.entries) {
      const id = `${e.name}\0${e.architecture ?? ''}\0${e.version}`;
      if (seen.has(id)) continue;
      seen.add(id);

      // NAME:ARCH.list belongs to the instance of that architecture; NAME.list to the only instance.
      const list =
        (e.architecture !== undefined ? lists.get(`${db}\0${e.name}:${e.architecture}`) : undefined) ??
        lists.get(`${db}\0${e.name}`);
      const copyright = copyrights.get(e.name);
      const locations: Location[] = [{ path: f.path, layer: f.layer }];
      if (list !== undefined) locations.push({ path: list.path, layer: list.layer });
      if (copyright !== undefined) locations.push({ path: copyright.path, layer: copyright.layer });

      out.push({
        name: e.name,
        version: e.version,
        type: 'deb',
        purl: dpkgPurl(e, ctx.distro),
        licenses: copyright?.fact.licenses ?? [],
        locations,
        foundBy: 'dpkg',
        // No `layer` here: the status database is rewritten by every install,
        // so the inventory attributes each package to the earliest layer from
        // which every later version of the database still lists it. (A
        // package's .list file is no guide: image builders rewrite unchanged
        // files into later layers.)
        metadata: {
          kind: 'dpkg',
          source: e.source,
          sourceVersion: e.sourceVersion,
          ...(e.architecture !== undefined ? { architecture: e.architecture } : {}),
          ...(e.maintainer !== undefined ? { maintainer: e.maintainer } : {}),
          ...(e.installedSize !== undefined ? { installedSize: e.installedSize } : {}),
          files: list?.fact.files ?? [],
        },
      });
    }
  }
  return out;
}

export const dpkgCataloger: Cataloger<DpkgFact> = {
  name: 'dpkg',
  version: 1,
  tags: ['os', 'image', 'directory'],
  maxFileSize: 64 * 1024 * 1024,
  select(entry: EntryInfo): boolean {
    return classify(entry.path) !== undefined;
  },
  parse,
  assemble,
};
