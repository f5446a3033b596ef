/**
 * Installed Python distributions:
 * - `NAME-VER.dist-info/METADATA`, with `RECORD` beside it listing the files;
 * - `NAME-VER.egg-info/PKG-INFO`, with `installed-files.txt` beside it;
 * - `NAME-VER.egg-info` as a single PKG-INFO-format file (as Debian ships
 *   many of its python3-* packages).
 * Metadata and file lists are separate facts joined by directory in assemble.
 */
import { posix } from 'node:path';
import type { Package, PythonMetadata } from '../../../core/index.js';
import type { Cataloger, CatalogFile, EntryInfo, Fact } from '../../cataloger.js';
import { dedupe, MAX_FILE_SIZE, pypiPurl, readBounded } from './common.js';
import { parseInstalledFiles, parseRecord } from './files.js';
import { parseCoreMetadata, type CoreMetadata } from './metadata.js';

export type PythonInstalledFact =
  | { readonly type: 'metadata'; readonly evidence: 'dist-info' | 'egg-info'; readonly meta: CoreMetadata }
  | { readonly type: 'files'; readonly files: readonly string[] };

type Role = 'metadata-dist' | 'metadata-egg' | 'metadata-egg-file' | 'record' | 'installed-files';

function roleOf(path: string): Role | undefined {
  if (path.endsWith('.egg-info')) return 'metadata-egg-file';
  const dir = posix.dirname(path);
  const base = posix.basename(path);
  if (dir.endsWith('.dist-info')) {
    if (base === 'METADATA') return 'metadata-dist';
    if (base === 'RECORD') return 'record';
  } else if (dir.endsWith('.egg-info')) {
    if (base === 'PKG-INFO') return 'metadata-egg';
    if (base === 'installed-files.txt') return 'installed-files';
  }
  return undefined;
}

/** The directory (or single egg-info file) that ties a distribution's facts together. */
function distKey(path: string): string {
  return path.endsWith('.egg-info') ? path : posix.dirname(path);
}

function parseInstalled(text: string, path: string, role: Role): PythonInstalledFact | undefined {
  const dir = posix.dirname(path);
  switch (role) {
    case 'record':
      return { type: 'files', files: parseRecord(text, posix.dirname(dir)) };
    case 'installed-files':
      return { type: 'files', files: parseInstalledFiles(text, dir) };
    default: {
      const meta = parseCoreMetadata(text);
      if (meta === undefined) return undefined;
      return { type: 'metadata', evidence: role === 'metadata-dist' ? 'dist-info' : 'egg-info', meta };
    }
  }
}

function assembleInstalled(facts: readonly Fact<PythonInstalledFact>[]): Package[] {
  const files = new Map<string, Fact<PythonInstalledFact>>();
  for (const f of facts) if (f.fact.type === 'files') files.set(distKey(f.path), f);
  const out: Package[] = [];
  for (const f of facts) {
    if (f.fact.type !== 'metadata') continue;
    const { meta, evidence } = f.fact;
    const id = pypiPurl(meta.name, meta.version);
    if (id === undefined) continue;
    const list = files.get(distKey(f.path));
    const listed = list?.fact.type === 'files' ? list.fact.files : undefined;
    const metadata: PythonMetadata = {
      kind: evidence === 'dist-info' ? 'python-dist-info' : 'python-egg-info',
      ...(meta.author !== undefined ? { author: meta.author } : {}),
      ...(meta.homePage !== undefined ? { homePage: meta.homePage } : {}),
      ...(listed !== undefined ? { files: listed } : {}),
    };
    out.push({
      name: meta.name,
      version: meta.version,
      type: 'python',
      purl: id,
      licenses: dedupe(meta.licenses),
      locations: [
        { path: f.path, layer: f.layer },
        ...(list !== undefined ? [{ path: list.path, layer: list.layer }] : []),
      ],
      foundBy: 'python-package',
      layer: f.layer,
      metadata,
    });
  }
  return out;
}

export const pythonPackageCataloger: Cataloger<PythonInstalledFact> = {
  name: 'python-package',
  version: 1,
  tags: ['language', 'image', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return roleOf(entry.path) !== undefined;
  },
  async parse(file: CatalogFile): Promise<PythonInstalledFact | undefined> {
    const role = roleOf(file.path);
    if (role === undefined) return undefined;
    return parseInstalled(await readBounded(file), file.path, role);
  },
  assemble(facts) {
    return assembleInstalled(facts);
  },
};
