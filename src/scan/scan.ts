import { MamoriError, SEVERITIES, severityRank, type Finding, type SeverityLevel } from '../core/index.js';
import { inventory, type Inventory, type InventoryOptions } from '../inventory/index.js';
import { matchPackages } from '../match/index.js';
import { defaultDbPath, openVulnDb } from '../vulndb/index.js';

export interface ScanOptions extends InventoryOptions {
  /** The vulnerability database; default `$MAMORI_DB` or the user's data dir. */
  readonly db?: string;
  /** Keep only findings of these severities; default all. */
  readonly severities?: readonly SeverityLevel[];
  /** Drop findings with no fixed version. */
  readonly ignoreUnfixed?: boolean;
}

export interface ScanResult {
  readonly schemaVersion: 1;
  readonly inventory: Inventory;
  readonly findings: readonly Finding[];
  readonly db: { readonly path: string };
}

export function parseSeverity(s: string): SeverityLevel {
  const up = s.trim().toUpperCase();
  if ((SEVERITIES as readonly string[]).includes(up)) return up as SeverityLevel;
  throw new MamoriError('INVALID_ARGUMENT', `unknown severity "${s}" (one of ${SEVERITIES.join(', ')})`);
}

/** Filters findings as the options say (severity list, unfixed). */
export function filterFindings(
  findings: readonly Finding[],
  options: Pick<ScanOptions, 'severities' | 'ignoreUnfixed'>,
): Finding[] {
  return findings.filter(
    (f) =>
      (!options.severities || options.severities.includes(f.severity)) &&
      (!options.ignoreUnfixed || f.status === 'fixed'),
  );
}

/** The CI gate: the findings at or above `failOn`. */
export function gateViolations(findings: readonly Finding[], failOn: SeverityLevel): Finding[] {
  return findings.filter((f) => severityRank(f.severity) >= severityRank(failOn));
}

/**
 * Scans an image or root filesystem for known vulnerabilities: the
 * inventory, matched against the local vulnerability database.
 */
export async function scan(ref: string, options: ScanOptions = {}): Promise<ScanResult> {
  const path = options.db ?? defaultDbPath();
  // Open the database first: a missing DB is reported before a long image pull.
  const db = await openVulnDb(path, { readonly: true });
  try {
    const inv = await inventory(ref, options);
    const findings = filterFindings(matchPackages(inv.packages, inv.distro, db), options);
    return { schemaVersion: 1, inventory: inv, findings, db: { path } };
  } finally {
    db.close();
  }
}
