/** The .NET cataloger: NuGet packages listed by an application's `*.deps.json`. */
import { MamoriError, purl } from '../../../core/index.js';
import type { DotnetMetadata, Package } from '../../../core/index.js';
import { readText } from '../../bytesource.js';
import type { Cataloger, CatalogFile, EntryInfo, Fact } from '../../cataloger.js';
import { parseDepsJson, type DotnetEntry } from './deps-json.js';

export interface DotnetFact {
  readonly entries: readonly DotnetEntry[];
}

/** Largest deps.json read (large apps reach a few hundred KiB). */
const MAX_FILE_SIZE = 32 * 1024 * 1024;

function nugetPurl(e: DotnetEntry): string | undefined {
  try {
    return purl({ type: 'nuget', name: e.name, version: e.version });
  } catch {
    return undefined;
  }
}

function assemble(facts: readonly Fact<DotnetFact>[]): Package[] {
  const out: Package[] = [];
  for (const f of facts) {
    for (const e of f.fact.entries) {
      const id = nugetPurl(e);
      if (id === undefined) continue;
      const metadata: DotnetMetadata = {
        kind: 'dotnet-deps',
        ...(e.sha512 !== undefined ? { sha512: e.sha512 } : {}),
        ...(e.path !== undefined ? { path: e.path } : {}),
        ...(e.hashPath !== undefined ? { hashPath: e.hashPath } : {}),
      };
      out.push({
        name: e.name,
        version: e.version,
        type: 'dotnet',
        purl: id,
        licenses: [],
        locations: [{ path: f.path, layer: f.layer }],
        foundBy: 'dotnet-deps',
        layer: f.layer,
        metadata,
      });
    }
  }
  return out;
}

export const dotnetDepsCataloger: Cataloger<DotnetFact> = {
  name: 'dotnet-deps',
  version: 1,
  tags: ['language', 'image', 'directory'],
  maxFileSize: MAX_FILE_SIZE,
  select(entry: EntryInfo): boolean {
    return entry.path.endsWith('.deps.json');
  },
  async parse(file: CatalogFile): Promise<DotnetFact | undefined> {
    if (file.size > MAX_FILE_SIZE || file.source.size > MAX_FILE_SIZE) {
      throw new MamoriError('LIMIT_EXCEEDED', `${file.path} is larger than ${MAX_FILE_SIZE} bytes`);
    }
    const entries = parseDepsJson(await readText(file.source), file.path);
    return entries.length > 0 ? { entries } : undefined;
  },
  assemble,
};
