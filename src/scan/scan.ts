import { MamoriError, SEVERITIES, severityRank, type Finding, type SeverityLevel } from '../core/index.js';
import { detectLocalTarget } from '../image/index.js';
import { inventory, type Inventory, type InventoryOptions } from '../inventory/index.js';
import { readSbomFile, sniffSbom } from '../sbomfile/index.js';
import { matchPackages } from '../match/index.js';
import { defaultDbPath, openVulnDb } from '../vulndb/index.js';
import { loadIgnoreFile } from './ignore.js';
import {
  applySuppressions,
  type ImageContext,
  type SuppressedFinding,
  type VexAnnotation,
} from './suppress.js';
import { loadOpenVex } from './vex.js';

export interface ScanOptions extends InventoryOptions {
  /** The vulnerability database; default `$MAMORI_DB` or the user's data dir. */
  readonly db?: string;
  /** Keep only findings of these severities; default all. */
  readonly severities?: readonly SeverityLevel[];
  /** Drop findings with no fixed version. */
  readonly ignoreUnfixed?: boolean;
  /** An ignore file (`.mamoriignore.yaml` format): findings it names are suppressed, with its reasons. */
  readonly ignoreFile?: string;
  /** OpenVEX documents: findings whose latest statement is `not_affected` or `fixed` are suppressed. */
  readonly vex?: readonly string[];
  /** The time ignore-file expiry dates are compared with; default now. */
  readonly now?: Date;
}

export interface ScanResult {
  readonly schemaVersion: 1;
  readonly inventory: Inventory;
  /** The findings reported: matched, filtered, and not suppressed. */
  readonly findings: readonly Finding[];
  /** Findings an ignore file or a VEX statement suppressed, each with its reason and source. */
  readonly suppressed: readonly SuppressedFinding[];
  /** Reported findings a VEX document marks `affected` or `under_investigation`. */
  readonly annotations: readonly VexAnnotation[];
  /** Things to act on: an expired ignore entry, an unusable VEX statement. */
  readonly warnings: readonly string[];
  /** Information: an ignore entry that matched nothing. */
  readonly notes: readonly string[];
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
export function gateViolations<F extends { readonly severity: SeverityLevel }>(
  findings: readonly F[],
  failOn: SeverityLevel,
): F[] {
  return findings.filter((f) => severityRank(f.severity) >= severityRank(failOn));
}

/**
 * Scans an image or root filesystem for known vulnerabilities: the
 * inventory, matched against the local vulnerability database.
 */
export async function scan(ref: string, options: ScanOptions = {}): Promise<ScanResult> {
  const path = options.db ?? defaultDbPath();
  // Read what can be wrong with the inputs first: a missing DB or a bad
  // ignore file is reported before a long image pull.
  const ignore = options.ignoreFile !== undefined ? await loadIgnoreFile(options.ignoreFile) : undefined;
  const vex = options.vex?.length ? await loadOpenVex(options.vex) : undefined;
  const db = await openVulnDb(path, { readonly: true });
  try {
    const inv = await inventoryOf(ref, options);
    const matched = filterFindings(matchPackages(inv.packages, inv.distro, db), options);
    const s = applySuppressions(matched, {
      ...(ignore ? { ignore } : {}),
      ...(vex ? { vex } : {}),
      now: options.now ?? new Date(),
      image: imageContext(inv),
    });
    return {
      schemaVersion: 1,
      inventory: inv,
      findings: s.kept,
      suppressed: s.suppressed,
      annotations: s.annotations,
      warnings: s.warnings,
      notes: s.notes,
      db: { path },
    };
  } finally {
    db.close();
  }
}

/**
 * The packages to match: an SBOM file's (`sbom:PATH`, or a bare path to a
 * CycloneDX or SPDX JSON file), else the image's inventory.
 */
async function inventoryOf(ref: string, options: ScanOptions): Promise<Inventory> {
  if (ref.startsWith('sbom:')) return readSbomFile(ref.slice('sbom:'.length));
  const local = await detectLocalTarget(ref);
  if (local?.kind === 'file' && (await sniffSbom(local.path)) !== undefined) return readSbomFile(local.path);
  return inventory(ref, options);
}

/** What VEX statements may call the scanned image: its digests and registry name. */
function imageContext(inv: Inventory): ImageContext {
  const src = inv.source;
  const digests = [src.indexDigest].filter((d): d is string => d !== undefined);
  return {
    ...(src.manifestDigest ? { digest: src.manifestDigest } : {}),
    ...(digests.length ? { digests } : {}),
    ...(src.transport === 'docker' ? { name: `${src.name}${src.tag ? `:${src.tag}` : ''}` } : {}),
  };
}
