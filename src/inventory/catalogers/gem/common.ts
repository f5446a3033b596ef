/** Helpers shared by the RubyGems catalogers. */
import { purl } from '../../../core/index.js';
import type { GemMetadata, Package } from '../../../core/index.js';
import { readTextBounded } from '../../bytesource.js';
import type { CatalogFile, Fact } from '../../cataloger.js';

/** Largest gemspec or Gemfile.lock read. */
export const MAX_FILE_SIZE = 32 * 1024 * 1024;

/** Lines longer than this (a gemspec's `files` list, a certificate) are skipped. */
export const MAX_LINE = 64 * 1024;

/** One gem as a spec or a lockfile declares it. */
export interface GemEntry {
  readonly name: string;
  readonly version: string;
  /** Non-default platform (`x86_64-linux`, `java`), when the gem is platform-specific. */
  readonly platform?: string;
  readonly licenses?: readonly string[];
  readonly authors?: readonly string[];
  readonly homepage?: string;
}

export interface GemFact {
  readonly entries: readonly GemEntry[];
}

export function readBounded(file: CatalogFile): Promise<string> {
  return readTextBounded(file, MAX_FILE_SIZE);
}

export function lines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.length <= MAX_LINE)
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Gem names: letters, digits, `-`, `_`, `.` (RubyGems' own rule). */
export function isValidName(name: string): boolean {
  return name.length <= 256 && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name);
}

/** Gem versions: segments of letters and digits separated by dots. */
export function isValidVersion(version: string): boolean {
  return version.length <= 128 && /^[0-9][0-9A-Za-z.-]*$/.test(version);
}

/** `pkg:gem/name@version`, with a `platform` qualifier for platform gems (purl-spec). */
export function gemPurl(e: GemEntry): string | undefined {
  try {
    return purl({
      type: 'gem',
      name: e.name,
      version: e.version,
      qualifiers: e.platform !== undefined && e.platform !== 'ruby' ? { platform: e.platform } : undefined,
    });
  } catch {
    return undefined;
  }
}

export function assembleGems(facts: readonly Fact<GemFact>[], foundBy: string): Package[] {
  const out: Package[] = [];
  for (const f of facts) {
    const seen = new Set<string>();
    for (const e of f.fact.entries) {
      const id = gemPurl(e);
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      const metadata: GemMetadata = {
        kind: 'gemspec',
        ...(e.authors !== undefined && e.authors.length > 0 ? { authors: e.authors } : {}),
        ...(e.homepage !== undefined ? { homepage: e.homepage } : {}),
      };
      out.push({
        name: e.name,
        version: e.version,
        type: 'gem',
        purl: id,
        licenses: [...new Set(e.licenses ?? [])],
        locations: [{ path: f.path, layer: f.layer }],
        foundBy,
        layer: f.layer,
        metadata,
      });
    }
  }
  return out;
}
