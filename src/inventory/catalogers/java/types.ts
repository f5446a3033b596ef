import type { ZipLimits } from '../../zip/index.js';

/** One package found in a Java archive (the archive itself, a pom.properties, or a nested archive). */
export interface JavaArchivePackage {
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  /** From pom.properties, else from manifest hints; absent when neither tells. */
  readonly groupId?: string;
  /** From pom.properties. */
  readonly artifactId?: string;
  /** `/app.war:WEB-INF/lib/lib.jar`; a pom.properties that is not the archive's own adds `:group:artifact`. */
  readonly virtualPath: string;
  /** Main attributes of the archive's manifest (bounded). */
  readonly manifest?: Readonly<Record<string, string>>;
  readonly licenses: readonly string[];
}

/** What one archive file yields. */
export interface JavaFact {
  readonly packages: readonly JavaArchivePackage[];
  /** Parts that were not read (a nested archive too deep, too large or corrupt), for diagnosis. */
  readonly skipped?: readonly string[];
}

export interface JavaArchiveOptions {
  /** Nesting levels read below the file itself (a jar in a war is level 1). */
  readonly maxDepth: number;
  /** Largest nested archive inflated into memory. */
  readonly maxNestedArchiveSize: number;
  /** Total bytes inflated while reading one file, nested archives included. */
  readonly maxInflatedBytes: number;
  /** Most nested archives opened while reading one file. */
  readonly maxNestedArchives: number;
  /** Most packages reported for one file. */
  readonly maxPackages: number;
  /** Bounds applied to every archive, outer and nested. */
  readonly zipLimits: Partial<ZipLimits>;
}

export const DEFAULT_JAVA_ARCHIVE_OPTIONS: JavaArchiveOptions = Object.freeze({
  maxDepth: 4,
  maxNestedArchiveSize: 64 * 1024 * 1024,
  maxInflatedBytes: 512 * 1024 * 1024,
  maxNestedArchives: 4096,
  maxPackages: 10_000,
  zipLimits: Object.freeze({}),
});
