/**
 * The package record every cataloger produces. One record shape for all
 * ecosystems; what is specific to the evidence lives in `metadata`, a union
 * discriminated by `kind` and named after the evidence it was read from.
 */

/** Package ecosystems mamori inventories. Each maps to one PURL type. */
export type PackageType =
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'npm'
  | 'python'
  | 'go-module'
  | 'java-archive'
  | 'gem'
  | 'rust-crate'
  | 'dotnet'
  | 'php-composer';

/** A layer of an image, by position (0 = base) and uncompressed digest. */
export interface LayerRef {
  readonly index: number;
  readonly diffId: string;
}

/** Where a package was found: an absolute path inside the image and the layer holding that file. */
export interface Location {
  readonly path: string;
  readonly layer?: LayerRef;
}

/** The OS package that owns a language package's files (Debian's python3-requests, a Go binary in a .deb). */
export interface PackageOwner {
  readonly type: PackageType;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
}

export interface DpkgMetadata {
  readonly kind: 'dpkg';
  /** Source package name; equals the binary name when the status entry has no Source field. */
  readonly source: string;
  /** Source version; equals the binary version when the Source field carries none. */
  readonly sourceVersion: string;
  readonly architecture?: string;
  readonly maintainer?: string;
  readonly installedSize?: number;
  /** Absolute paths of the files this package installed (from info/NAME.list or status.d md5sums). */
  readonly files: readonly string[];
}

export interface ApkMetadata {
  readonly kind: 'apk';
  readonly origin: string;
  readonly architecture?: string;
  readonly maintainer?: string;
  readonly url?: string;
  readonly commit?: string;
  readonly files: readonly string[];
}

export interface RpmMetadata {
  readonly kind: 'rpm';
  readonly epoch?: number;
  /** Upstream version (without epoch or release). */
  readonly upstreamVersion: string;
  readonly release: string;
  readonly architecture?: string;
  /** The `SOURCERPM` tag, e.g. `bash-5.1.8-6.el9.src.rpm`. */
  readonly sourceRpm?: string;
  readonly vendor?: string;
  readonly modularityLabel?: string;
  readonly files: readonly string[];
}

export interface NpmMetadata {
  readonly kind: 'npm-package-json' | 'npm-package-lock' | 'yarn-lock' | 'pnpm-lock';
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dev?: boolean;
}

export interface PythonMetadata {
  readonly kind: 'python-dist-info' | 'python-egg-info' | 'poetry-lock' | 'pipfile-lock' | 'requirements-txt';
  readonly author?: string;
  readonly homePage?: string;
  /** Paths from RECORD / installed-files.txt, absolute. */
  readonly files?: readonly string[];
  readonly hashes?: readonly string[];
  /** A development-only dependency, where the lockfile says so. */
  readonly dev?: boolean;
}

export interface GoMetadata {
  readonly kind: 'go-buildinfo';
  readonly goVersion: string;
  /** Module path of the binary's main module. */
  readonly mainModule: string;
  /** Import path of the main package. */
  readonly mainPackage?: string;
  /** go.sum-style hash (`h1:…`), when recorded. */
  readonly sum?: string;
  readonly replacedBy?: { readonly path: string; readonly version: string };
  /** Build settings (-ldflags, GOOS, vcs.revision, …) of the binary. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface JavaMetadata {
  readonly kind: 'java-archive';
  readonly groupId?: string;
  readonly artifactId?: string;
  /** `outer.war:WEB-INF/lib/inner.jar` for nested archives (Syft's form). */
  readonly virtualPath: string;
  readonly manifest?: Readonly<Record<string, string>>;
}

export interface GemMetadata {
  readonly kind: 'gemspec';
  readonly authors?: readonly string[];
  readonly homepage?: string;
}

export interface RustMetadata {
  readonly kind: 'rust-cargo-audit';
  readonly source?: string;
  readonly dependencyKind?: string;
}

export interface DotnetMetadata {
  readonly kind: 'dotnet-deps';
  readonly sha512?: string;
  readonly path?: string;
  readonly hashPath?: string;
}

export interface PhpMetadata {
  readonly kind: 'php-composer';
  readonly sourceUrl?: string;
  readonly sourceReference?: string;
  readonly distUrl?: string;
  /** A development-only dependency (`packages-dev`), where the lockfile says so. */
  readonly dev?: boolean;
}

export type PackageMetadata =
  | DpkgMetadata
  | ApkMetadata
  | RpmMetadata
  | NpmMetadata
  | PythonMetadata
  | GoMetadata
  | JavaMetadata
  | GemMetadata
  | RustMetadata
  | DotnetMetadata
  | PhpMetadata;

export interface Package {
  readonly name: string;
  readonly version: string;
  readonly type: PackageType;
  /** Package URL (https://github.com/package-url/purl-spec). */
  readonly purl: string;
  /** Declared licences as found (SPDX expressions or free text), in order, deduplicated. */
  readonly licenses: readonly string[];
  /** Files that evidence this package; the first is the primary one. */
  readonly locations: readonly Location[];
  /** Name of the cataloger that found it. */
  readonly foundBy: string;
  /** The layer that introduced this package (for database-backed catalogers, the first layer whose database lists it). */
  readonly layer?: LayerRef;
  readonly ownedBy?: PackageOwner;
  readonly metadata: PackageMetadata;
}

/** The operating system of an image, from os-release and friends. */
export interface Distro {
  /** os-release `ID`: `debian`, `alpine`, `rhel`, `ubuntu`, … */
  readonly id: string;
  readonly versionId?: string;
  readonly versionCodename?: string;
  readonly prettyName?: string;
  readonly idLike?: readonly string[];
}
