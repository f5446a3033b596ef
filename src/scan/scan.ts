import {
  MamoriError,
  isMamoriError,
  SEVERITIES,
  severityRank,
  type Finding,
  type RuleFinding,
  type SeverityLevel,
} from '../core/index.js';
import { detectLocalTarget } from '../image/index.js';
import { checkImage, imageCheckAnalyzers, type AttackSurface } from '../imagecheck/index.js';
import { analyzeImageRef, type Inventory, type InventoryOptions } from '../inventory/index.js';
import { readSbomFile, sniffSbom } from '../sbomfile/index.js';
import { matchPackages } from '../match/index.js';
import { createSecretScanner, loadAllowList } from '../secret/index.js';
import { defaultDbPath, openVulnDb, type VulnDb } from '../vulndb/index.js';
import { loadIgnoreFile } from './ignore.js';
import { layerSecretFindings, secretAnalyzer } from './secrets.js';
import {
  applySuppressions,
  type ImageContext,
  type SuppressedFinding,
  type SuppressedRuleFinding,
  type VexAnnotation,
} from './suppress.js';
import { loadOpenVex } from './vex.js';

/** The scanners `mamori scan` runs: known vulnerabilities, secrets, misconfigurations. */
export const SCANNERS = ['vuln', 'secret', 'misconfig'] as const;
export type ScannerName = (typeof SCANNERS)[number];

export function parseScanners(list: string): ScannerName[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (names.length === 0) {
    throw new MamoriError('INVALID_ARGUMENT', `no scanner named (choose from ${SCANNERS.join(', ')})`);
  }
  for (const n of names) {
    if (!(SCANNERS as readonly string[]).includes(n)) {
      throw new MamoriError('INVALID_ARGUMENT', `unknown scanner "${n}" (one of ${SCANNERS.join(', ')})`);
    }
  }
  return SCANNERS.filter((s) => names.includes(s));
}

export interface ScanOptions extends InventoryOptions {
  /** Which scanners run; default all three. Only `vuln` applies to an SBOM file. */
  readonly scanners?: readonly ScannerName[];
  /** A secret allow-list file (see `secret/allowlist.ts`). */
  readonly secretAllowList?: string;
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
  /** The scanners that ran. */
  readonly scanners: readonly ScannerName[];
  /** The vulnerabilities reported: matched, filtered, and not suppressed. */
  readonly findings: readonly Finding[];
  /** Vulnerabilities an ignore file or a VEX statement suppressed, each with its reason and source. */
  readonly suppressed: readonly SuppressedFinding[];
  /** Secrets and misconfigurations reported (filtered, not suppressed). */
  readonly ruleFindings: readonly RuleFinding[];
  /** Secrets and misconfigurations an ignore file suppressed. */
  readonly suppressedRules: readonly SuppressedRuleFinding[];
  /** The image's attack surface and minimality score (misconfig scanner, images only). */
  readonly surface?: AttackSurface;
  /** Reported findings a VEX document marks `affected` or `under_investigation`. */
  readonly annotations: readonly VexAnnotation[];
  /** Things to act on: an expired ignore entry, an unusable VEX statement. */
  readonly warnings: readonly string[];
  /** Information: an ignore entry that matched nothing. */
  readonly notes: readonly string[];
  /** The vulnerability database used (vuln scanner only). */
  readonly db?: { readonly path: string };
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

/** The database, read-only; a missing one names the way to scan without it. */
async function openDb(path: string, scanners: readonly ScannerName[]): Promise<VulnDb> {
  try {
    return await openVulnDb(path, { readonly: true });
  } catch (e) {
    const others = scanners.filter((s) => s !== 'vuln');
    if (!isMamoriError(e, 'NOT_FOUND') || others.length === 0) throw e;
    throw new MamoriError(
      'NOT_FOUND',
      `${e.message} (or leave vulnerabilities out: --scanners ${others.join(',')})`,
    );
  }
}

/** What one pass over the target yields for the scanners. */
interface Target {
  readonly inventory: Inventory;
  readonly ruleFindings: readonly RuleFinding[];
  readonly surface?: AttackSurface;
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Scans an image, root filesystem or SBOM file: known vulnerabilities (the
 * inventory matched against the local vulnerability database), secrets in
 * every layer (deleted files included) and in the image config, and
 * misconfigurations of the image (config, history, filesystem, attack
 * surface) — all in one pass over the layers.
 */
export async function scan(ref: string, options: ScanOptions = {}): Promise<ScanResult> {
  const scanners = options.scanners ? SCANNERS.filter((s) => options.scanners?.includes(s)) : [...SCANNERS];
  if (scanners.length === 0) throw new MamoriError('INVALID_ARGUMENT', 'no scanner selected');
  const path = options.db ?? defaultDbPath();
  // Read what can be wrong with the inputs first: a missing DB or a bad
  // ignore file is reported before a long image pull.
  const ignore = options.ignoreFile !== undefined ? await loadIgnoreFile(options.ignoreFile) : undefined;
  const vex = options.vex?.length ? await loadOpenVex(options.vex) : undefined;
  const allow =
    options.secretAllowList !== undefined ? await loadAllowList(options.secretAllowList) : undefined;
  const db = scanners.includes('vuln') ? await openDb(path, scanners) : undefined;
  try {
    const target = await scanTarget(ref, scanners, options, allow);
    const inv = target.inventory;
    const matched = db ? filterFindings(matchPackages(inv.packages, inv.distro, db), options) : [];
    const rules = target.ruleFindings.filter(
      (f) => !options.severities || options.severities.includes(f.severity),
    );
    const s = applySuppressions(
      matched,
      {
        ...(ignore ? { ignore } : {}),
        ...(vex ? { vex } : {}),
        now: options.now ?? new Date(),
        image: imageContext(inv),
      },
      rules,
    );
    return {
      schemaVersion: 1,
      inventory: inv,
      scanners,
      findings: s.kept,
      suppressed: s.suppressed,
      ruleFindings: s.keptRules,
      suppressedRules: s.suppressedRules,
      ...(target.surface ? { surface: target.surface } : {}),
      annotations: s.annotations,
      warnings: [...target.warnings, ...s.warnings],
      notes: [...target.notes, ...s.notes],
      ...(db ? { db: { path } } : {}),
    };
  } finally {
    db?.close();
  }
}

/**
 * One pass over the target. An SBOM file (`sbom:PATH`, or a bare path to a
 * CycloneDX or SPDX JSON file) holds packages only; an image or root
 * filesystem is walked once for the inventory and, as the scanners ask, the
 * secret analyser and the image checks' analysers.
 */
async function scanTarget(
  ref: string,
  scanners: readonly ScannerName[],
  options: ScanOptions,
  allow: Awaited<ReturnType<typeof loadAllowList>> | undefined,
): Promise<Target> {
  const rulesOnSbom = scanners.filter((s) => s !== 'vuln');
  const sbomNotes = rulesOnSbom.length
    ? [`${rulesOnSbom.join(' and ')} scanning needs an image or root filesystem: an SBOM lists packages only`]
    : [];
  if (ref.startsWith('sbom:') && !options.source) {
    return {
      inventory: await readSbomFile(ref.slice('sbom:'.length)),
      ruleFindings: [],
      warnings: [],
      notes: sbomNotes,
    };
  }
  const local = options.source ? undefined : await detectLocalTarget(ref);
  if (local?.kind === 'file' && (await sniffSbom(local.path)) !== undefined) {
    return { inventory: await readSbomFile(local.path), ruleFindings: [], warnings: [], notes: sbomNotes };
  }
  const secrets = scanners.includes('secret') ? createSecretScanner(allow ? { allow } : {}) : undefined;
  const misconfig = scanners.includes('misconfig');
  const checks = misconfig ? imageCheckAnalyzers() : { analyzers: [], streamAnalyzers: [] };
  const analysis = await analyzeImageRef(ref, {
    ...options,
    analyzers: [...(options.analyzers ?? []), ...checks.analyzers],
    streamAnalyzers: [
      ...(options.streamAnalyzers ?? []),
      ...checks.streamAnalyzers,
      ...(secrets ? [secretAnalyzer(secrets, allow)] : []),
    ],
  });
  const layerSecrets = secrets ? layerSecretFindings(analysis.layers, analysis.view) : undefined;
  const found: RuleFinding[] = layerSecrets?.findings ?? [];
  let surface: AttackSurface | undefined;
  if (secrets || misconfig) {
    const checked = checkImage(analysis, secrets ? { secrets } : {});
    found.push(...checked.findings.filter((f) => scanners.includes(f.kind)));
    if (misconfig) surface = checked.surface;
  }
  return {
    inventory: analysis.inventory,
    ruleFindings: found,
    ...(surface ? { surface } : {}),
    warnings: layerSecrets?.warnings ?? [],
    notes: [],
  };
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
