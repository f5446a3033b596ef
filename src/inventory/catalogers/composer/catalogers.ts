import { posix } from 'node:path';
import { purl } from '../../../core/index.js';
import type { Package, PhpMetadata } from '../../../core/index.js';
import { readTextBounded } from '../../bytesource.js';
import type { Cataloger, CatalogFile, EntryInfo, Fact } from '../../cataloger.js';
import { parseComposerLock, parseInstalledJson, type ComposerEntry } from './parse.js';

export interface ComposerFact {
  readonly entries: readonly ComposerEntry[];
}

/** Largest installed.json or composer.lock read. */
const MAX_FILE_SIZE = 32 * 1024 * 1024;

function readBounded(file: CatalogFile): Promise<string> {
  return readTextBounded(file, MAX_FILE_SIZE);
}

function composerPurl(e: ComposerEntry): string | undefined {
  const slash = e.name.indexOf('/');
  try {
    return purl({
      type: 'composer',
      namespace: e.name.slice(0, slash),
      name: e.name.slice(slash + 1),
      version: e.version,
    });
  } catch {
    return undefined;
  }
}

function assemble(facts: readonly Fact<ComposerFact>[], foundBy: string): Package[] {
  const out: Package[] = [];
  for (const f of facts) {
    const seen = new Set<string>();
    for (const e of f.fact.entries) {
      const id = composerPurl(e);
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      const metadata: PhpMetadata = {
        kind: 'php-composer',
        ...(e.sourceUrl !== undefined ? { sourceUrl: e.sourceUrl } : {}),
        ...(e.sourceReference !== undefined ? { sourceReference: e.sourceReference } : {}),
        ...(e.distUrl !== undefined ? { distUrl: e.distUrl } : {}),
      };
      out.push({
        name: e.name,
        version: e.version,
        type: 'php-composer',
        purl: id,
        licenses: e.licenses,
        locations: [{ path: f.path, layer: f.layer }],
        foundBy,
        layer: f.layer,
        metadata,
      });
    }
  }
  return out;
}

/** Installed Composer packages: `vendor/composer/installed.json`. */
export const composerInstalledCataloger: Cataloger<ComposerFact> = {
  name: 'composer-installed',
  version: 1,
  tags: ['language', 'image', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return entry.path.endsWith('/composer/installed.json');
  },
  async parse(file: CatalogFile): Promise<ComposerFact | undefined> {
    const entries = parseInstalledJson(await readBounded(file), file.path);
    return entries.length > 0 ? { entries } : undefined;
  },
  assemble(facts) {
    return assemble(facts, 'composer-installed');
  },
};

/** A PHP project's composer.lock (not those shipped inside vendor/ by installed packages). */
export const composerLockCataloger: Cataloger<ComposerFact> = {
  name: 'composer-lock',
  version: 1,
  tags: ['language', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return posix.basename(entry.path) === 'composer.lock' && !entry.path.includes('/vendor/');
  },
  async parse(file: CatalogFile): Promise<ComposerFact | undefined> {
    const entries = parseComposerLock(await readBounded(file), file.path);
    return entries.length > 0 ? { entries } : undefined;
  },
  assemble(facts) {
    return assemble(facts, 'composer-lock');
  },
};
