/**
 * What a scan of one image comes to (counts per severity of each kind of
 * finding), and the pull policy evaluated on it. Pure: no I/O.
 */
import { SEVERITIES, severityRank, type SeverityLevel } from '../../core/index.js';
import type { ScanResult, ScannerName } from '../../scan/index.js';

export type SeverityCounts = Record<SeverityLevel, number>;

/** The stored outcome of a scan. */
export interface ScanOutcome {
  readonly scannedAt: number;
  /** Short fingerprint of the vulnerability database matched against; absent when none was used. */
  readonly dbVersion?: string;
  /** The database's own last-checked time, when one was used. */
  readonly dbUpdatedAt?: string;
  readonly scanners: readonly ScannerName[];
  /** False when the vulnerability scanner did not run (no database). */
  readonly vulnerabilitiesScanned: boolean;
  readonly vulnerabilities: SeverityCounts;
  readonly secrets: SeverityCounts;
  readonly misconfigurations: SeverityCounts;
  readonly totals: {
    readonly vulnerabilities: number;
    readonly secrets: number;
    readonly misconfigurations: number;
  };
  readonly packages: number;
  readonly distro?: string;
  /** Things a reader should know (the vulnerability scanner skipped, …). */
  readonly notes: readonly string[];
  /** Why the scan failed or the manifest was skipped. */
  readonly error?: string;
  /** The referrers holding the report and SBOM. */
  readonly reportManifest?: string;
  readonly sbomManifest?: string;
}

export type ScanStatus = 'unscanned' | 'queued' | 'running' | 'scanned' | 'failed';

/** `result(repository, digest)`: the status and, once an image was scanned, its last outcome. */
export interface ScanSummary extends Partial<ScanOutcome> {
  readonly repository: string;
  readonly digest: string;
  readonly status: ScanStatus;
  /** Set when the manifest is not scanned at all (not an image, unreadable): why. */
  readonly skipped?: string;
}

export function zeroCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
}

function count(items: readonly { readonly severity: SeverityLevel }[]): SeverityCounts {
  const c = zeroCounts();
  for (const i of items) if (Object.hasOwn(c, i.severity)) c[i.severity] += 1;
  return c;
}

export function outcomeOf(
  result: ScanResult,
  at: number,
  db: { version: string; updatedAt?: string } | undefined,
  notes: readonly string[],
): ScanOutcome {
  const secrets = result.ruleFindings.filter((f) => f.kind === 'secret');
  const misconfig = result.ruleFindings.filter((f) => f.kind === 'misconfig');
  const distro = result.inventory.distro;
  return {
    scannedAt: at,
    ...(db && result.scanners.includes('vuln')
      ? { dbVersion: db.version, ...(db.updatedAt ? { dbUpdatedAt: db.updatedAt } : {}) }
      : {}),
    scanners: result.scanners,
    vulnerabilitiesScanned: result.scanners.includes('vuln'),
    vulnerabilities: count(result.findings),
    secrets: count(secrets),
    misconfigurations: count(misconfig),
    totals: {
      vulnerabilities: result.findings.length,
      secrets: secrets.length,
      misconfigurations: misconfig.length,
    },
    packages: result.inventory.packages.length,
    ...(distro ? { distro: `${distro.id} ${distro.versionId ?? ''}`.trim() } : {}),
    notes,
  };
}

/** A project's pull policy. */
export interface ProjectPolicy {
  readonly project: string;
  /** Block pulls of images with vulnerabilities at or above this severity. */
  readonly blockSeverity?: 'critical' | 'high' | 'medium' | 'low';
  /** Block pulls of images that have not been scanned (yet, or successfully). */
  readonly blockUnscanned: boolean;
}

export const BLOCK_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

export type PullDecision = { readonly allow: true } | { readonly allow: false; readonly reason: string };

const LEVEL: Record<NonNullable<ProjectPolicy['blockSeverity']>, SeverityLevel> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
};

/**
 * Why the outcome violates the policy's severity rule, or undefined. Counts
 * name each level at or above the threshold that has findings, worst first:
 * `image sha256:… has 3 critical and 2 high vulnerabilities; …`.
 */
export function severityViolation(
  digest: string,
  outcome: Pick<ScanOutcome, 'vulnerabilities'>,
  policy: ProjectPolicy,
): string | undefined {
  if (!policy.blockSeverity) return undefined;
  const floor = severityRank(LEVEL[policy.blockSeverity]);
  const parts = [...SEVERITIES]
    .reverse()
    .filter((s) => severityRank(s) >= floor && (outcome.vulnerabilities[s] ?? 0) > 0)
    .map((s) => `${outcome.vulnerabilities[s]} ${s.toLowerCase()}`);
  if (parts.length === 0) return undefined;
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `image ${digest} has ${list} vulnerabilities; project policy blocks pulls of images with findings at or above ${policy.blockSeverity}`;
}

/** The counts as stored JSON may hold them: anything not a count becomes 0. */
export function readCounts(v: unknown): SeverityCounts {
  const c = zeroCounts();
  if (typeof v !== 'object' || v === null) return c;
  for (const s of SEVERITIES) {
    const n = (v as Record<string, unknown>)[s];
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) c[s] = n;
  }
  return c;
}
