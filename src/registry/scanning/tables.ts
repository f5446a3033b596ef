/**
 * Reads and writes of the results and policies tables (the queue is in
 * queue.ts). Stored JSON is read back defensively: a row another version
 * wrote, or a damaged one, yields zeros and absent fields, never a throw.
 */
import type { StateModule } from '../state/index.js';
import type { ResultRow, ScanningSchema } from './schema.js';
import { BLOCK_SEVERITIES, readCounts, type ProjectPolicy, type ScanOutcome } from './summary.js';

type Db = StateModule<ScanningSchema>;

export type ResultStatus = 'scanned' | 'failed' | 'skipped';

/** Why a manifest was skipped: not an image at all, or an image the scanner cannot read. */
export type SkipKind = 'not-image' | 'unreadable';

export interface StoredResult {
  readonly repository: string;
  readonly digest: string;
  readonly status: ResultStatus;
  readonly scannedAt: number;
  readonly dbFingerprint?: string;
  readonly outcome?: ScanOutcome;
  readonly skipped?: { readonly kind: SkipKind; readonly reason: string };
  readonly error?: string;
  readonly report?: string;
  readonly reportDigest?: string;
  readonly reportManifest?: string;
  readonly sbomManifest?: string;
  readonly violation: boolean;
}

interface SummaryJson {
  outcome?: ScanOutcome;
  skipped?: { kind: SkipKind; reason: string };
  error?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function readOutcome(v: unknown): ScanOutcome | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const totals = (typeof o.totals === 'object' && o.totals !== null ? o.totals : {}) as Record<
    string,
    unknown
  >;
  const n = (x: unknown): number => (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : 0);
  const scanners = Array.isArray(o.scanners)
    ? o.scanners.filter(
        (s): s is 'vuln' | 'secret' | 'misconfig' => s === 'vuln' || s === 'secret' || s === 'misconfig',
      )
    : [];
  return {
    scannedAt: n(o.scannedAt),
    ...(str(o.dbVersion) ? { dbVersion: str(o.dbVersion) } : {}),
    ...(str(o.dbUpdatedAt) ? { dbUpdatedAt: str(o.dbUpdatedAt) } : {}),
    scanners,
    vulnerabilitiesScanned: o.vulnerabilitiesScanned === true,
    vulnerabilities: readCounts(o.vulnerabilities),
    secrets: readCounts(o.secrets),
    misconfigurations: readCounts(o.misconfigurations),
    totals: {
      vulnerabilities: n(totals.vulnerabilities),
      secrets: n(totals.secrets),
      misconfigurations: n(totals.misconfigurations),
    },
    packages: n(o.packages),
    ...(str(o.distro) ? { distro: str(o.distro) } : {}),
    notes: Array.isArray(o.notes) ? o.notes.filter((x): x is string => typeof x === 'string') : [],
    ...(str(o.reportManifest) ? { reportManifest: str(o.reportManifest) } : {}),
    ...(str(o.sbomManifest) ? { sbomManifest: str(o.sbomManifest) } : {}),
  };
}

function toResult(r: ResultRow): StoredResult {
  let parsed: SummaryJson = {};
  try {
    const v: unknown = JSON.parse(r.summary);
    if (typeof v === 'object' && v !== null) parsed = v as SummaryJson;
  } catch {
    parsed = {};
  }
  const outcome = readOutcome(parsed.outcome);
  const skipped = parsed.skipped;
  const status: ResultStatus = r.status === 'scanned' || r.status === 'skipped' ? r.status : 'failed';
  return {
    repository: r.repository,
    digest: r.digest,
    status,
    scannedAt: Number(r.scanned_at),
    ...(r.db_fingerprint !== null ? { dbFingerprint: r.db_fingerprint } : {}),
    ...(outcome ? { outcome } : {}),
    ...(skipped && typeof skipped.reason === 'string'
      ? {
          skipped: {
            kind: skipped.kind === 'unreadable' ? 'unreadable' : 'not-image',
            reason: skipped.reason,
          },
        }
      : {}),
    ...(str(parsed.error) ? { error: str(parsed.error) } : {}),
    ...(r.report !== null ? { report: r.report } : {}),
    ...(r.report_digest !== null ? { reportDigest: r.report_digest } : {}),
    ...(r.report_manifest !== null ? { reportManifest: r.report_manifest } : {}),
    ...(r.sbom_manifest !== null ? { sbomManifest: r.sbom_manifest } : {}),
    violation: Number(r.violation) === 1,
  };
}

export async function readResult(
  m: Db,
  repository: string,
  digest: string,
): Promise<StoredResult | undefined> {
  const r = await m.read((db) =>
    db
      .selectFrom('scanning_results')
      .selectAll()
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .executeTakeFirst(),
  );
  return r ? toResult(r) : undefined;
}

export interface ResultInput {
  readonly repository: string;
  readonly digest: string;
  readonly status: ResultStatus;
  readonly at: number;
  readonly dbFingerprint?: string;
  readonly outcome?: ScanOutcome;
  readonly skipped?: { readonly kind: SkipKind; readonly reason: string };
  readonly error?: string;
  readonly report?: string;
  readonly reportDigest?: string;
  readonly reportManifest?: string;
  readonly sbomManifest?: string;
  readonly violation: boolean;
}

/**
 * Replaces the image's result in one transaction and returns the one it
 * replaced. A failed scan keeps the last good outcome's referrers and
 * violation state: a transient failure does not unpublish a report.
 */
export async function writeResult(m: Db, input: ResultInput): Promise<StoredResult | undefined> {
  return m.write(async (db) => {
    const prevRow = await db
      .selectFrom('scanning_results')
      .selectAll()
      .where('repository', '=', input.repository)
      .where('digest', '=', input.digest)
      .executeTakeFirst();
    const prev = prevRow ? toResult(prevRow) : undefined;
    const keep = input.status === 'failed' && prev?.status === 'scanned';
    const summary: SummaryJson = {
      ...(input.outcome
        ? { outcome: input.outcome }
        : keep && prev?.outcome
          ? { outcome: prev.outcome }
          : {}),
      ...(input.skipped ? { skipped: input.skipped } : {}),
      ...(input.error ? { error: input.error } : {}),
    };
    const row: ResultRow = {
      repository: input.repository,
      digest: input.digest,
      status: keep ? 'scanned' : input.status,
      scanned_at: keep && prev ? prev.scannedAt : input.at,
      db_fingerprint: (keep ? prev?.dbFingerprint : input.dbFingerprint) ?? null,
      summary: JSON.stringify(summary),
      report: (keep ? prev?.report : input.report) ?? null,
      report_digest: (keep ? prev?.reportDigest : input.reportDigest) ?? null,
      report_manifest: (keep ? prev?.reportManifest : input.reportManifest) ?? null,
      sbom_manifest: (keep ? prev?.sbomManifest : input.sbomManifest) ?? null,
      violation: (keep ? prev?.violation : input.violation) ? 1 : 0,
    };
    await db
      .insertInto('scanning_results')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['repository', 'digest']).doUpdateSet({
          status: row.status,
          scanned_at: row.scanned_at,
          db_fingerprint: row.db_fingerprint,
          summary: row.summary,
          report: row.report,
          report_digest: row.report_digest,
          report_manifest: row.report_manifest,
          sbom_manifest: row.sbom_manifest,
          violation: row.violation,
        }),
      )
      .execute();
    return prev;
  });
}

export async function deleteResult(
  m: Db,
  repository: string,
  digest: string,
): Promise<StoredResult | undefined> {
  return m.write(async (db) => {
    const prev = await db
      .selectFrom('scanning_results')
      .selectAll()
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .executeTakeFirst();
    if (!prev) return undefined;
    await db
      .deleteFrom('scanning_results')
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .execute();
    return toResult(prev);
  });
}

/**
 * Scanned images whose vulnerability database fingerprint is not
 * `fingerprint`, a page at a time in (repository, digest) order, so a
 * registry of any size is walked without loading it.
 */
export async function* staleResults(
  m: Db,
  fingerprint: string,
  pageSize = 200,
): AsyncGenerator<{ repository: string; digest: string }, void, undefined> {
  let after: { repository: string; digest: string } | undefined;
  for (;;) {
    const from = after;
    const page = await m.read((db) =>
      db
        .selectFrom('scanning_results')
        .select(['repository', 'digest'])
        .where('status', '=', 'scanned')
        .where((eb) => eb.or([eb('db_fingerprint', 'is', null), eb('db_fingerprint', '!=', fingerprint)]))
        .$if(from !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('repository', '>', from?.repository ?? ''),
              eb.and([eb('repository', '=', from?.repository ?? ''), eb('digest', '>', from?.digest ?? '')]),
            ]),
          ),
        )
        .orderBy('repository')
        .orderBy('digest')
        .limit(pageSize)
        .execute(),
    );
    for (const r of page) yield r;
    if (page.length < pageSize) return;
    after = page[page.length - 1];
  }
}

function toPolicy(r: {
  project: string;
  block_severity: string | null;
  block_unscanned: number;
}): ProjectPolicy {
  const sev = (BLOCK_SEVERITIES as readonly string[]).includes(r.block_severity ?? '')
    ? (r.block_severity as ProjectPolicy['blockSeverity'])
    : undefined;
  return {
    project: r.project,
    ...(sev ? { blockSeverity: sev } : {}),
    blockUnscanned: Number(r.block_unscanned) === 1,
  };
}

export async function readPolicy(m: Db, project: string): Promise<ProjectPolicy | undefined> {
  const r = await m.read((db) =>
    db.selectFrom('scanning_policies').selectAll().where('project', '=', project).executeTakeFirst(),
  );
  return r ? toPolicy(r) : undefined;
}

export async function writePolicy(m: Db, policy: ProjectPolicy, now: number): Promise<void> {
  const row = {
    project: policy.project,
    block_severity: policy.blockSeverity ?? null,
    block_unscanned: policy.blockUnscanned ? 1 : 0,
    updated: now,
  };
  await m.write((db) =>
    db
      .insertInto('scanning_policies')
      .values(row)
      .onConflict((oc) =>
        oc.column('project').doUpdateSet({
          block_severity: row.block_severity,
          block_unscanned: row.block_unscanned,
          updated: row.updated,
        }),
      )
      .execute(),
  );
}

export async function removePolicy(m: Db, project: string): Promise<boolean> {
  const r = await m.write((db) =>
    db.deleteFrom('scanning_policies').where('project', '=', project).executeTakeFirst(),
  );
  return Number(r.numDeletedRows) > 0;
}
