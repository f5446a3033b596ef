/**
 * Python project lockfiles: poetry.lock, Pipfile.lock and pip requirements
 * files (`requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`,
 * `requirements/*.txt`). Files inside installed trees (site-packages,
 * dist-packages, node_modules) belong to packages, not to the project.
 */
import { posix } from 'node:path';
import type { Package, PythonMetadata } from '../../../core/index.js';
import type { Cataloger, CatalogFile, EntryInfo, Fact } from '../../cataloger.js';
import { MAX_FILE_SIZE, pypiPurl, readBounded } from './common.js';
import type { PythonLockEntry, PythonLockFact } from './lock-types.js';
import { parsePipfileLock } from './pipfile.js';
import { parsePoetryLock } from './poetry.js';
import { parseRequirements } from './requirements.js';

function kindOf(path: string): PythonLockFact['kind'] | undefined {
  if (/\/(?:site|dist)-packages\/|\/node_modules\//.test(path)) return undefined;
  const base = posix.basename(path);
  if (base === 'poetry.lock') return 'poetry-lock';
  if (base === 'Pipfile.lock') return 'pipfile-lock';
  if (!base.endsWith('.txt')) return undefined;
  if (base.includes('requirements') || posix.basename(posix.dirname(path)) === 'requirements') {
    return 'requirements-txt';
  }
  return undefined;
}

function merge(entries: readonly PythonLockEntry[]): PythonLockEntry[] {
  const byKey = new Map<string, PythonLockEntry>();
  for (const e of entries) {
    const key = `${e.name.toLowerCase()}@${e.version}`;
    const prev = byKey.get(key);
    if (prev === undefined) {
      byKey.set(key, e);
      continue;
    }
    const hashes = [...new Set([...(prev.hashes ?? []), ...(e.hashes ?? [])])];
    const dev = prev.dev === undefined || e.dev === undefined ? undefined : prev.dev && e.dev;
    byKey.set(key, {
      name: prev.name,
      version: prev.version,
      ...(dev !== undefined ? { dev } : {}),
      ...(hashes.length > 0 ? { hashes } : {}),
    });
  }
  return [...byKey.values()];
}

function assembleLocks(facts: readonly Fact<PythonLockFact>[]): Package[] {
  const out: Package[] = [];
  for (const f of facts) {
    for (const e of merge(f.fact.entries)) {
      const id = pypiPurl(e.name, e.version);
      if (id === undefined) continue;
      const metadata: PythonMetadata = {
        kind: f.fact.kind,
        ...(e.hashes !== undefined ? { hashes: e.hashes } : {}),
      };
      out.push({
        name: e.name,
        version: e.version,
        type: 'python',
        purl: id,
        licenses: [],
        locations: [{ path: f.path, layer: f.layer }],
        foundBy: 'python-lock',
        layer: f.layer,
        metadata,
      });
    }
  }
  return out;
}

export const pythonLockCataloger: Cataloger<PythonLockFact> = {
  name: 'python-lock',
  version: 1,
  tags: ['language', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return kindOf(entry.path) !== undefined;
  },
  async parse(file: CatalogFile): Promise<PythonLockFact | undefined> {
    const kind = kindOf(file.path);
    if (kind === undefined) return undefined;
    const text = await readBounded(file);
    const entries =
      kind === 'poetry-lock'
        ? parsePoetryLock(text, file.path)
        : kind === 'pipfile-lock'
          ? parsePipfileLock(text, file.path)
          : parseRequirements(text);
    return entries.length > 0 ? { kind, entries } : undefined;
  },
  assemble(facts) {
    return assembleLocks(facts);
  },
};
