/**
 * The npm-family lockfile cataloger: package-lock.json, npm-shrinkwrap.json,
 * yarn.lock and pnpm-lock.yaml of a project. Lockfiles that packages ship
 * inside node_modules describe their authors' development trees, not what is
 * installed, and are not read.
 */
import type { Cataloger, CatalogFile, EntryInfo } from '../../cataloger.js';
import { assembleNpm, MAX_FILE_SIZE, readBounded, type NpmFact } from './common.js';
import { parsePackageLock } from './package-lock.js';
import { parseYarnLock } from './yarn-lock.js';

type LockKind = 'package-lock' | 'yarn' | 'pnpm';

const LOCKFILES: Readonly<Record<string, LockKind>> = {
  'package-lock.json': 'package-lock',
  'npm-shrinkwrap.json': 'package-lock',
  'yarn.lock': 'yarn',
  'pnpm-lock.yaml': 'pnpm',
};

function lockKind(path: string): LockKind | undefined {
  if (path.includes('/node_modules/') || path.startsWith('node_modules/')) return undefined;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return Object.hasOwn(LOCKFILES, base) ? LOCKFILES[base] : undefined;
}

export const npmLockCataloger: Cataloger<NpmFact> = {
  name: 'npm-lock',
  version: 1,
  tags: ['language', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return lockKind(entry.path) !== undefined;
  },
  async parse(file: CatalogFile): Promise<NpmFact | undefined> {
    const kind = lockKind(file.path);
    if (kind === undefined) return undefined;
    const text = await readBounded(file, 'lockfile');
    switch (kind) {
      case 'package-lock':
        return parsePackageLock(text, file.path);
      case 'yarn':
        return parseYarnLock(text);
      case 'pnpm': {
        // The YAML parser is loaded only when a pnpm lockfile turns up.
        const { parsePnpmLock } = await import('./pnpm-lock.js');
        return parsePnpmLock(text, file.path);
      }
    }
  },
  assemble(facts) {
    return assembleNpm(facts, 'npm-lock');
  },
};
