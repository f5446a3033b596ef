/**
 * One job: read the manifest from the registry, follow an index to its
 * images, skip what is not an image, scan an image, publish the report and
 * SBOM as referrers (replacing the previous ones), store the result and
 * tell the policy.
 */
import { renderCycloneDx, renderFindingsJson } from '../../report/index.js';
import type { ScanResult } from '../../scan/index.js';
import { projectOf } from './policy.js';
import type { Ctx } from './context.js';
import { RegistryImageStore } from './image-store.js';
import { loadManifest, type StoredManifest } from './manifests.js';
import { addJob, type ScanJob } from './queue.js';
import { deleteReferrer, putReferrer, REPORT_ARTIFACT_TYPE, SBOM_ARTIFACT_TYPE } from './referrers.js';
import { scanRegistryImage } from './scan-image.js';
import { outcomeOf, severityViolation, type ScanOutcome, type ScanSummary } from './summary.js';
import { deleteResult, readPolicy, readResult, writeResult } from './tables.js';

/** What the worker does with the job afterwards. */
export type JobEnd = { readonly state: 'done' } | { readonly state: 'failed'; readonly error: string };

export interface Queued {
  readonly queued: string[];
  readonly skipped: { readonly digest: string; readonly reason: string }[];
}

/**
 * Queues an image unless a push finds it scanned against the current
 * database already (the same image pushed under another tag or name in an
 * index): a rescan is for database changes, which `checkDatabase` handles.
 */
async function queueImage(
  ctx: Ctx,
  repository: string,
  digest: string,
  reason: ScanJob['reason'],
  out: Queued,
) {
  if (reason === 'push') {
    const r = await readResult(ctx.m, repository, digest);
    if (r?.status === 'scanned') {
      const db = ctx.scanners.includes('vuln') ? await ctx.db.current() : undefined;
      if (r.dbFingerprint === db?.fingerprint) {
        out.skipped.push({ digest, reason: 'already scanned against the current vulnerability database' });
        return;
      }
    }
  }
  await addJob(ctx.m, repository, digest, reason, ctx.now());
  out.queued.push(digest);
}

/**
 * Queues a stored manifest: an image, or the images an index lists (nested
 * indexes followed one level); everything else is skipped, saying why.
 */
export async function queueManifest(
  ctx: Ctx,
  repository: string,
  m: StoredManifest,
  reason: ScanJob['reason'],
  out: Queued = { queued: [], skipped: [] },
  depth = 0,
): Promise<Queued> {
  const digest = m.record.digest;
  if (m.kind === 'image') {
    await queueImage(ctx, repository, digest, reason, out);
  } else if (m.kind === 'index') {
    if (depth > 1) {
      out.skipped.push({ digest, reason: 'an index nested too deeply' });
      return out;
    }
    out.skipped.push({ digest, reason: 'an index: the images it lists are scanned' });
    for (const d of m.parsed.manifests) {
      const child = await loadManifest(ctx.storage, ctx.state, repository, d.digest);
      if (child) await queueManifest(ctx, repository, child, reason, out, depth + 1);
      else out.skipped.push({ digest: d.digest, reason: `not in ${repository}` });
    }
  } else {
    out.skipped.push({ digest, reason: m.reason });
  }
  return out;
}

export async function runJob(ctx: Ctx, job: ScanJob, signal: AbortSignal): Promise<JobEnd> {
  const { repository, digest } = job;
  const m = await loadManifest(ctx.storage, ctx.state, repository, digest);
  if (!m) {
    // Deleted since it was queued: its result goes with it.
    await deleteResult(ctx.m, repository, digest);
    return { state: 'failed', error: `manifest ${digest} is no longer in ${repository}` };
  }
  if (m.kind === 'index') {
    await queueManifest(ctx, repository, m, job.reason);
    return { state: 'done' };
  }
  if (m.kind === 'not-image' || m.kind === 'unreadable') {
    await writeResult(ctx.m, {
      repository,
      digest,
      status: 'skipped',
      at: ctx.now(),
      skipped: { kind: m.kind, reason: m.reason },
      violation: false,
    });
    return m.kind === 'not-image' ? { state: 'done' } : { state: 'failed', error: m.reason };
  }
  const wantVuln = ctx.scanners.includes('vuln');
  const db = wantVuln ? await ctx.db.current() : undefined;
  const notes: string[] = [];
  if (wantVuln && !db)
    notes.push(`no vulnerability database at ${ctx.db.path}: vulnerabilities were not scanned`);
  const scanners = db ? ctx.scanners : ctx.scanners.filter((s) => s !== 'vuln');
  const store = new RegistryImageStore(ctx.storage, ctx.state, repository);
  const result = await scanRegistryImage(store, digest, m.parsed, {
    scanners,
    ...(db ? { db: ctx.db.path } : {}),
    cacheDir: ctx.cacheDir,
    ...(ctx.tmpDir !== undefined ? { tmpDir: ctx.tmpDir } : {}),
    signal,
  });
  signal.throwIfAborted();
  const at = ctx.now();
  const base = outcomeOf(result, at, db, [...notes, ...result.notes]);
  const report = Buffer.from(renderReport(repository, digest, result, base));
  const sbom = Buffer.from(renderCycloneDx(result.inventory, { timestamp: new Date(at) }));
  const subject = { mediaType: m.record.mediaType, digest, size: m.record.size };
  const annotations = {
    'org.opencontainers.image.created': new Date(at).toISOString(),
    ...(base.dbVersion ? { 'dev.mamori.scan.db-version': base.dbVersion } : {}),
  };
  const sbomRef = await putReferrer(
    ctx.storage,
    ctx.state,
    repository,
    subject,
    SBOM_ARTIFACT_TYPE,
    sbom,
    annotations,
  );
  const reportRef = await putReferrer(
    ctx.storage,
    ctx.state,
    repository,
    subject,
    REPORT_ARTIFACT_TYPE,
    report,
    annotations,
  );
  const outcome: ScanOutcome = {
    ...base,
    reportManifest: reportRef.manifest,
    sbomManifest: sbomRef.manifest,
  };
  const project = projectOf(repository);
  const policy = await readPolicy(ctx.m, project);
  const violation = policy ? severityViolation(digest, outcome, policy) : undefined;
  const prev = await writeResult(ctx.m, {
    repository,
    digest,
    status: 'scanned',
    at,
    ...(db && scanners.includes('vuln') ? { dbFingerprint: db.fingerprint } : {}),
    outcome,
    ...(report.length <= ctx.maxStoredReportBytes ? { report: report.toString('utf8') } : {}),
    reportDigest: reportRef.document,
    reportManifest: reportRef.manifest,
    sbomManifest: sbomRef.manifest,
    violation: violation !== undefined,
  });
  for (const old of [prev?.reportManifest, prev?.sbomManifest]) {
    if (old && old !== reportRef.manifest && old !== sbomRef.manifest)
      await deleteReferrer(ctx.state, repository, old);
  }
  const summary: ScanSummary = { repository, digest, status: 'scanned', ...outcome };
  ctx.emit({ type: 'scan.completed', repository, digest, reason: job.reason, status: 'scanned', summary });
  if (policy && violation && !prev?.violation) {
    ctx.emit({ type: 'policy.violation', repository, digest, project, policy, reason: violation, summary });
  }
  return { state: 'done' };
}

function renderReport(repository: string, digest: string, result: ScanResult, outcome: ScanOutcome): string {
  return renderFindingsJson({
    target: `${repository}@${digest}`,
    findings: result.findings,
    ruleFindings: result.ruleFindings,
    suppressed: result.suppressed,
    suppressedRules: result.suppressedRules,
    extra: {
      repository,
      digest,
      scannedAt: new Date(outcome.scannedAt).toISOString(),
      dbVersion: outcome.dbVersion ?? null,
      distro: result.inventory.distro ?? null,
      packages: result.inventory.packages.length,
      scanners: result.scanners,
      ...(result.surface ? { attackSurface: result.surface } : {}),
      warnings: [...result.inventory.warnings, ...result.warnings],
      notes: outcome.notes,
    },
  });
}
