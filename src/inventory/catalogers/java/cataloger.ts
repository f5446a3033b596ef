/**
 * The Java archive cataloger: jar, war, ear and friends, with the archives
 * nested in them. Parsing reads only the central directory and the entries
 * that identify packages; the fact lists packages ready to place in the image.
 */
import type { JavaMetadata, Package } from '../../../core/index.js';
import type { Cataloger, CatalogFile, EntryInfo, Fact } from '../../cataloger.js';
import { DEFAULT_JAVA_ARCHIVE_OPTIONS } from './types.js';
import type { JavaArchiveOptions, JavaFact } from './types.js';
import { ARCHIVE_NAME, Budget, walkArchive } from './walk.js';

const NAME = 'java-archive';
const ZIP_MAGIC = Uint8Array.from([0x50, 0x4b, 0x03, 0x04]);

function toPackages(fact: Fact<JavaFact>): Package[] {
  return fact.fact.packages.map((p) => {
    const metadata: JavaMetadata = {
      kind: 'java-archive',
      virtualPath: p.virtualPath,
      ...(p.groupId !== undefined ? { groupId: p.groupId } : {}),
      ...(p.artifactId !== undefined ? { artifactId: p.artifactId } : {}),
      ...(p.manifest !== undefined ? { manifest: p.manifest } : {}),
    };
    return {
      name: p.name,
      version: p.version,
      type: 'java-archive',
      purl: p.purl,
      licenses: [...new Set(p.licenses)],
      locations: [{ path: fact.path, layer: fact.layer }],
      foundBy: NAME,
      layer: fact.layer,
      metadata,
    };
  });
}

/** A Java archive cataloger with its own bounds (tests and constrained deployments). */
export function createJavaArchiveCataloger(options: Partial<JavaArchiveOptions> = {}): Cataloger<JavaFact> {
  const opts: JavaArchiveOptions = Object.freeze({ ...DEFAULT_JAVA_ARCHIVE_OPTIONS, ...options });
  return Object.freeze({
    name: NAME,
    version: 1,
    tags: Object.freeze(['language', 'image', 'directory'] as const),
    magic: Object.freeze([ZIP_MAGIC]),
    select(entry: EntryInfo): boolean {
      return ARCHIVE_NAME.test(entry.path.slice(entry.path.lastIndexOf('/') + 1));
    },
    async parse(file: CatalogFile): Promise<JavaFact | undefined> {
      const budget = new Budget(opts);
      const packages = await walkArchive(file.source, file.path, file.path, 0, budget);
      if (packages.length === 0) return undefined;
      const skipped = budget.skipped();
      return skipped.length > 0 ? { packages, skipped } : { packages };
    },
    assemble(facts: readonly Fact<JavaFact>[]): Package[] {
      return facts.flatMap(toPackages);
    },
  });
}

/** Java archives (Syft's java-archive-cataloger semantics), with default bounds. */
export const javaArchiveCataloger: Cataloger<JavaFact> = createJavaArchiveCataloger();
