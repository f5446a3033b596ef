/**
 * The advisory record of the vulnerability database: OSV's shape
 * (https://ossf.github.io/osv-schema/), with camel-case names. Distro feeds
 * (Alpine secdb, the Debian security tracker) are converted into the same
 * shape when they are imported, so the matcher reads one kind of record.
 */

/** A severity: a CVSS vector, or a distro's own rating (Debian urgency, Ubuntu priority). */
export interface Severity {
  /** `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, `Debian`, … as the feed names it. */
  readonly type: string;
  /** A CVSS vector string, or the distro's word (`high`, `unimportant`, `not yet assigned`). */
  readonly score: string;
}

export interface Reference {
  /** OSV reference type: `ADVISORY`, `FIX`, `WEB`, `REPORT`, `PACKAGE`, … */
  readonly type: string;
  readonly url: string;
}

/** One OSV range event; exactly one field is set. */
export type RangeEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly lastAffected: string }
  | { readonly limit: string };

export interface Range {
  /** `ECOSYSTEM` (the ecosystem's own version order), `SEMVER`, or `GIT` (commits; not for package matching). */
  readonly type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  /** The repository of a `GIT` range. */
  readonly repo?: string;
  readonly events: readonly RangeEvent[];
}

/** A JSON object kept as the feed gave it (bounded in size when imported). */
export type JsonObject = Readonly<Record<string, unknown>>;

export interface Affected {
  /** The ecosystem exactly as OSV spells it: `Go`, `PyPI`, `npm`, `Debian:12`, `Alpine:v3.11`, `Ubuntu:22.04:LTS`. */
  readonly ecosystem: string;
  /** The package name as the feed gives it (Maven `group:artifact`, Go module path, source package for distros). */
  readonly package: string;
  readonly purl?: string;
  readonly ranges: readonly Range[];
  /** Versions listed one by one (OSV `versions`). */
  readonly versions: readonly string[];
  /** Per-package severities (OSV `affected[].severity`; Debian urgency per release). */
  readonly severities?: readonly Severity[];
  readonly ecosystemSpecific?: JsonObject;
  /**
   * Feed-specific facts. Distro feeds record here what OSV cannot say:
   * Debian `{ release, status, urgency, nodsa?, nodsaReason?, undetermined? }`,
   * Alpine `{ repository, fixedVersions }`.
   */
  readonly databaseSpecific?: JsonObject;
}

export interface Advisory {
  /** The feed's identifier: `GO-2022-0001`, `PYSEC-…`, `GHSA-…`, or a CVE id for distro feeds. */
  readonly id: string;
  readonly aliases: readonly string[];
  readonly related?: readonly string[];
  readonly upstream?: readonly string[];
  readonly summary: string;
  readonly details: string;
  /** RFC 3339 times normalised to `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  readonly published?: string;
  /** Absent only for distro feeds that carry no dates. */
  readonly modified?: string;
  readonly withdrawn?: string;
  readonly severities: readonly Severity[];
  readonly references: readonly Reference[];
  readonly affected: readonly Affected[];
  readonly databaseSpecific?: JsonObject;
  /**
   * Where the record comes from: `osv` for OSV records (whose ids are unique
   * across OSV), `alpine-secdb:v3.11-main`, `debian-tracker`.
   */
  readonly source: string;
}

/** What one import did. */
export interface ImportReport {
  /** The source's name in the database (`osv:Go`, `alpine-secdb:v3.11-main`, `debian-tracker`, `osv-dir:/path`). */
  readonly source: string;
  readonly kind: SourceKind;
  /** The path or URL that was read. */
  readonly location: string;
  /** Valid records read. */
  readonly records: number;
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Records skipped because the database holds a newer `modified` for the same id. */
  readonly older: number;
  /** Records of this source that its new data no longer lists, removed (distro feeds only). */
  readonly removed: number;
  /** Malformed records, skipped. */
  readonly invalid: number;
  /** The first few reasons records were skipped, for the user. */
  readonly problems: readonly string[];
  readonly durationMs: number;
}

export type SourceKind = 'osv-zip' | 'osv-dir' | 'osv-json' | 'alpine-secdb' | 'debian-tracker';

/** One imported source, as `db status` shows it. */
export interface SourceInfo {
  readonly name: string;
  readonly kind: SourceKind;
  readonly location: string;
  /** When its data last changed the database (or was confirmed current by `db update`). */
  readonly importedAt: string;
  readonly checkedAt: string;
  readonly records: number;
  readonly invalid: number;
  /** The newest `modified` among its records, when the feed has dates. */
  readonly newest?: string;
  readonly etag?: string;
  readonly lastModified?: string;
}

export interface EcosystemCount {
  readonly ecosystem: string;
  /** Distinct package names with records. */
  readonly packages: number;
  /** (record, package) pairs: a record naming two packages of the ecosystem counts twice. */
  readonly entries: number;
}

export interface DbStatus {
  readonly path: string;
  readonly schemaVersion: number;
  readonly sizeBytes: number;
  readonly advisories: number;
  readonly withdrawn: number;
  readonly sources: readonly SourceInfo[];
  readonly ecosystems: readonly EcosystemCount[];
  /** The latest `checkedAt` of any source; absent when nothing was imported. */
  readonly updatedAt?: string;
}
