import { posix } from 'node:path';
import type { Cataloger, CatalogFile, EntryInfo } from '../../cataloger.js';
import { assembleGems, MAX_FILE_SIZE, readBounded, type GemFact } from './common.js';
import { parseGemfileLock } from './gemfile-lock.js';
import { parseGemspec } from './gemspec.js';

/** An installed gem's own directory (`GEM_HOME/gems/rack-2.2.4/`): its lockfile is its authors'. */
const INSTALLED_GEM_DIR_RE = /\/gems\/[^/]+-\d[^/]*\//;
const SPEC_RE = /\/specifications\/(?:default\/)?[^/]+\.gemspec$/;

/** Installed gems: RubyGems' `specifications/*.gemspec` (and `specifications/default/*.gemspec`). */
export const gemSpecCataloger: Cataloger<GemFact> = {
  name: 'gem-spec',
  version: 1,
  tags: ['language', 'image', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return SPEC_RE.test(entry.path);
  },
  async parse(file: CatalogFile): Promise<GemFact | undefined> {
    const entry = parseGemspec(await readBounded(file));
    return entry === undefined ? undefined : { entries: [entry] };
  },
  assemble(facts) {
    return assembleGems(facts, 'gem-spec');
  },
};

/** Bundler lockfiles of a Ruby project (not those vendored inside installed gems). */
export const gemLockCataloger: Cataloger<GemFact> = {
  name: 'gem-lock',
  version: 1,
  tags: ['language', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return posix.basename(entry.path) === 'Gemfile.lock' && !INSTALLED_GEM_DIR_RE.test(entry.path);
  },
  async parse(file: CatalogFile): Promise<GemFact | undefined> {
    const entries = parseGemfileLock(await readBounded(file));
    return entries.length > 0 ? { entries } : undefined;
  },
  assemble(facts) {
    return assembleGems(facts, 'gem-lock');
  },
};
