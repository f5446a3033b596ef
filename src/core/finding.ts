import type { LayerRef, Location, PackageType } from './package.js';

/** Severity levels, lowest first. `UNKNOWN` when no rating could be found or computed. */
export const SEVERITIES = ['UNKNOWN', 'NEGLIGIBLE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type SeverityLevel = (typeof SEVERITIES)[number];

export function severityRank(s: SeverityLevel): number {
  return SEVERITIES.indexOf(s);
}

/** The package a finding is about, as the inventory described it. */
export interface FindingPackage {
  readonly type: PackageType;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly locations: readonly Location[];
  readonly layer?: LayerRef;
}

/** Why a finding was made: a user who doubts it can follow every step. */
export interface MatchDetails {
  /** The matcher that made it (`dpkg`, `apk`, `rpm`, `language`). */
  readonly matcher: string;
  /** What was looked up: the feed's ecosystem, package name and the version compared. */
  readonly searchedBy: { readonly ecosystem: string; readonly package: string; readonly version: string };
  /** The advisory records that matched, by id. */
  readonly advisories: readonly string[];
  /** The range (or explicit version list) that contains the version, in words. */
  readonly range: string;
}

export interface FindingSeverity {
  /** `CVSS_V3`, `CVSS_V4`, `CVSS_V2`, or a distro's own rating (`Debian`, `Ubuntu`). */
  readonly type: string;
  /** The vector, or the distro's word. */
  readonly score: string;
  /** Base score computed from the vector, where it is one. */
  readonly baseScore?: number;
  readonly severity?: SeverityLevel;
  /** Advisory the rating comes from. */
  readonly source: string;
}

export interface Finding {
  /** The vulnerability's id: its CVE where one is known, else the advisory's own id. */
  readonly id: string;
  /** Every other id of the same vulnerability (GHSA, GO, PYSEC, DSA, …), merged from all matching advisories. */
  readonly aliases: readonly string[];
  readonly package: FindingPackage;
  /** `fixed`: a fixed version exists; `unfixed`: no fix yet; `undetermined`: the distro has not decided. */
  readonly status: 'fixed' | 'unfixed' | 'undetermined';
  /** The fixed versions that would resolve it, lowest first: the advice is to update to the first. */
  readonly fixedVersions: readonly string[];
  readonly severity: SeverityLevel;
  readonly severities: readonly FindingSeverity[];
  readonly summary?: string;
  readonly references: readonly string[];
  readonly published?: string;
  readonly match: MatchDetails;
}

/** Where a rule finding was seen: a file in an image layer, a Dockerfile line, or the image config. */
export interface RuleLocation {
  /** Absolute path inside the image, a Dockerfile's path as given, or `image-config` for the config JSON. */
  readonly path: string;
  /** The layer holding the file (image findings). */
  readonly layer?: LayerRef;
  /** 1-based line and column range, where the finding has one. */
  readonly startLine?: number;
  readonly startColumn?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** The file was deleted by a later layer but is still in the image's blobs. */
  readonly deleted?: boolean;
}

/**
 * A finding of a rule-based scanner: a secret in a file, a Dockerfile or
 * image-configuration misconfiguration. Rule IDs are stable across releases.
 */
export interface RuleFinding {
  readonly kind: 'secret' | 'misconfig';
  /** Stable rule id (`MD001`, `aws-access-key-id`, `CIS-DI-0001` …). */
  readonly ruleId: string;
  readonly title: string;
  readonly severity: SeverityLevel;
  /** One line: why this matters. */
  readonly rationale: string;
  /** One line: how to fix it. */
  readonly fix?: string;
  readonly location: RuleLocation;
  /** What was seen; for secrets always redacted — the secret itself is never kept. */
  readonly evidence?: string;
  /** Reference URLs (CIS item, documentation). */
  readonly references?: readonly string[];
}
