/**
 * The scan service: a persistent queue of scan jobs worked by a bounded
 * number of workers, the stored results, re-scanning when the vulnerability
 * database changes, and the pull gate. See index.ts for the contract.
 */
import { isMamoriError, MamoriError } from '../../core/index.js';
import { readBounded } from '../../image/index.js';
import { SCANNERS } from '../../scan/index.js';
import { defaultDbPath } from '../../vulndb/index.js';
import { isDigest, isRegistryError, isRepositoryName } from '../spec/index.js';
import type { Ctx } from './context.js';
import { loadManifest } from './manifests.js';
import { checkPolicy, projectOf, pullDecision } from './policy.js';
import {
  addJob,
  claimJob,
  dropJobs,
  finishJob,
  latestJob,
  listJobs,
  recoverJobs,
  requeueJob,
  type JobReason,
  type JobState,
  type ScanJob,
} from './queue.js';
import { queueManifest, runJob, type JobEnd } from './run-job.js';
import { MIGRATIONS, PREFIX } from './schema.js';
import type { ProjectPolicy, PullDecision, ScanSummary } from './summary.js';
import {
  deleteResult,
  readPolicy,
  readResult,
  removePolicy,
  staleResults,
  writePolicy,
  writeResult,
} from './tables.js';
import type { DatabaseCheck, EnqueueResult, ScanService, ScanServiceOptions } from './types.js';
import { DbWatcher } from './vulndb.js';

/** Failures a retry cannot cure: bad content, not a full disk or a lost connection. */
function permanent(e: unknown): boolean {
  if (isRegistryError(e)) return true;
  return (
    isMamoriError(e) &&
    [
      'INVALID_REFERENCE',
      'NOT_FOUND',
      'DIGEST_MISMATCH',
      'SIZE_MISMATCH',
      'INVALID_MANIFEST',
      'INVALID_LAYER',
      'UNSAFE_PATH',
      'LIMIT_EXCEEDED',
      'NO_MATCHING_PLATFORM',
      'INVALID_ARGUMENT',
    ].includes(e.code)
  );
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function checkImageId(repository: string, digest: string): void {
  if (!isRepositoryName(repository)) throw new MamoriError('INVALID_ARGUMENT', 'invalid repository name');
  if (!isDigest(digest)) throw new MamoriError('INVALID_ARGUMENT', 'invalid digest');
}

interface Running {
  readonly job: ScanJob;
  readonly ctrl: AbortController;
  abandoned: boolean;
  /** Settles the worker's wait when the job is abandoned. */
  readonly abandon: () => void;
}

class Service implements ScanService {
  private started = false;
  private loops: Promise<void>[] = [];
  private readonly running = new Map<number, Running>();
  private readonly sleepers = new Set<() => void>();
  private idleWaiters: (() => void)[] = [];
  private dbTimer: NodeJS.Timeout | undefined;
  private lastFingerprint: string | undefined;
  private checking: Promise<DatabaseCheck> | undefined;
  private aborting = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly opts: Required<
      Pick<
        ScanServiceOptions,
        'concurrency' | 'dbCheckIntervalMs' | 'pollIntervalMs' | 'maxAttempts' | 'retryDelayMs'
      >
    >,
  ) {}

  async enqueue(repository: string, digest: string, reason: JobReason = 'push'): Promise<EnqueueResult> {
    checkImageId(repository, digest);
    if (!['push', 'rescan', 'manual'].includes(reason))
      throw new MamoriError('INVALID_ARGUMENT', 'invalid reason');
    const m = await loadManifest(this.ctx.storage, this.ctx.state, repository, digest);
    if (!m) throw new MamoriError('NOT_FOUND', `manifest ${digest} is not in ${repository}`);
    if (m.kind === 'not-image' || m.kind === 'unreadable') {
      await writeResult(this.ctx.m, {
        repository,
        digest,
        status: 'skipped',
        at: this.ctx.now(),
        skipped: { kind: m.kind, reason: m.reason },
        violation: false,
      });
    }
    const out = await queueManifest(this.ctx, repository, m, reason);
    if (out.queued.length > 0) this.wake();
    return out;
  }

  async result(repository: string, digest: string): Promise<ScanSummary> {
    checkImageId(repository, digest);
    const [job, r] = await Promise.all([
      latestJob(this.ctx.m, repository, digest),
      readResult(this.ctx.m, repository, digest),
    ]);
    const last = r?.status === 'scanned' && r.outcome ? r.outcome : undefined;
    const base = { repository, digest, ...(last ?? {}) };
    if (job && (job.state === 'queued' || job.state === 'running')) return { ...base, status: job.state };
    if (r?.status === 'skipped')
      return { ...base, status: 'unscanned', skipped: r.skipped?.reason ?? 'skipped' };
    // The last attempt failed: say so, with the last good outcome (if any) that pulls are judged by.
    if (job?.state === 'failed') {
      return { ...base, status: 'failed', ...(job.error ? { error: job.error } : {}) };
    }
    if (last) return { ...base, status: 'scanned' };
    return { ...base, status: r?.status === 'failed' ? 'failed' : 'unscanned' };
  }

  async report(repository: string, digest: string): Promise<string | undefined> {
    checkImageId(repository, digest);
    const r = await readResult(this.ctx.m, repository, digest);
    if (r?.report !== undefined) return r.report;
    if (!r?.reportDigest) return undefined;
    const opened = await this.ctx.storage.open(r.reportDigest);
    if (!opened) return undefined;
    return (await readBounded(opened.stream, 512 * 1024 * 1024, `scan report ${r.reportDigest}`)).toString(
      'utf8',
    );
  }

  pullDecision(repository: string, digest: string): Promise<PullDecision> {
    checkImageId(repository, digest);
    return pullDecision(this.ctx, repository, digest);
  }

  async setPolicy(policy: ProjectPolicy): Promise<void> {
    await writePolicy(this.ctx.m, checkPolicy(policy), this.ctx.now());
  }

  getPolicy(project: string): Promise<ProjectPolicy | undefined> {
    return readPolicy(this.ctx.m, projectOf(String(project)));
  }

  deletePolicy(project: string): Promise<boolean> {
    return removePolicy(this.ctx.m, String(project));
  }

  checkDatabase(): Promise<DatabaseCheck> {
    // One check at a time: a timer tick during a long walk waits for it.
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async check(): Promise<DatabaseCheck> {
    if (!this.ctx.scanners.includes('vuln')) return { present: false, enqueued: 0 };
    const v = await this.ctx.db.current();
    if (!v) return { present: false, enqueued: 0 };
    if (v.fingerprint === this.lastFingerprint) return { present: true, dbVersion: v.version, enqueued: 0 };
    let enqueued = 0;
    for await (const r of staleResults(this.ctx.m, v.fingerprint)) {
      if (
        await addJob(this.ctx.m, r.repository, r.digest, 'rescan', this.ctx.now(), { skipIfRunning: true })
      ) {
        enqueued++;
        this.wake();
      }
    }
    this.lastFingerprint = v.fingerprint;
    return { present: true, dbVersion: v.version, enqueued };
  }

  async forget(repository: string, digest: string): Promise<void> {
    checkImageId(repository, digest);
    await deleteResult(this.ctx.m, repository, digest);
    await dropJobs(this.ctx.m, repository, digest);
  }

  jobs(state: JobState, limit?: number): Promise<ScanJob[]> {
    return listJobs(this.ctx.m, state, limit);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await recoverJobs(this.ctx.m, this.ctx.now());
    for (let i = 0; i < this.opts.concurrency; i++) this.loops.push(this.loop());
    if (this.opts.dbCheckIntervalMs > 0) {
      const tick = (): void => {
        this.checkDatabase().catch((e: unknown) => this.fail(`vulnerability database check: ${message(e)}`));
      };
      tick();
      this.dbTimer = setInterval(tick, this.opts.dbCheckIntervalMs);
      this.dbTimer.unref();
    }
  }

  async stop(options: { readonly abort?: boolean } = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.dbTimer) clearInterval(this.dbTimer);
    this.dbTimer = undefined;
    this.wake();
    if (options.abort) {
      this.aborting = true;
      for (const r of [...this.running.values()]) await this.abandon(r);
    }
    await Promise.allSettled(this.loops);
    this.aborting = false;
    this.loops = [];
    await this.checking?.catch(() => undefined);
    this.resolveIdle();
  }

  idle(): Promise<void> {
    if (!this.started) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  private fail(text: string): void {
    this.ctx.emit({ type: 'scanner.error', message: text });
  }

  private wake(): void {
    for (const s of [...this.sleepers]) s();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref();
      this.sleepers.add(done);
    });
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async loop(): Promise<void> {
    while (this.started) {
      let job: ScanJob | undefined;
      try {
        job = await claimJob(this.ctx.m, this.ctx.now());
      } catch (e) {
        this.fail(`scan queue: ${message(e)}`);
      }
      if (!job) {
        if (this.running.size === 0) this.resolveIdle();
        if (this.started) await this.sleep(this.opts.pollIntervalMs);
        continue;
      }
      if (!this.started) {
        // Claimed as the service stopped: back to the queue, untouched.
        await requeueJob(this.ctx.m, job, this.ctx.now(), undefined, { refundAttempt: true }).catch(
          (e: unknown) => this.fail(`requeue of job ${job.id}: ${message(e)}`),
        );
        return;
      }
      await this.work(job);
    }
  }

  /**
   * Abandons a running job: the job goes back to the queue with its
   * attempt refunded, and whatever the scan still produces is dropped (the
   * scanner itself cannot be interrupted: it runs to its end in the
   * background and cleans up its temp dir).
   */
  private async abandon(r: Running): Promise<void> {
    if (r.abandoned) return;
    r.abandoned = true;
    this.running.delete(r.job.id);
    r.ctrl.abort(new MamoriError('INTERNAL', 'the scan service stopped'));
    r.abandon();
    await requeueJob(this.ctx.m, r.job, this.ctx.now(), 'abandoned: the scan service stopped', {
      refundAttempt: true,
    }).catch((e: unknown) => this.fail(`requeue of job ${r.job.id}: ${message(e)}`));
  }

  private async work(job: ScanJob): Promise<void> {
    let abandon = (): void => {};
    const abandoned = new Promise<'abandoned'>((resolve) => (abandon = () => resolve('abandoned')));
    const r: Running = { job, ctrl: new AbortController(), abandoned: false, abandon };
    this.running.set(job.id, r);
    if (this.aborting) await this.abandon(r);
    let end: JobEnd;
    let retry = false;
    const run = runJob(this.ctx, job, r.ctrl.signal);
    run.catch(() => undefined);
    try {
      const first = await Promise.race([run, abandoned]);
      if (first === 'abandoned') return;
      end = first;
    } catch (e) {
      end = { state: 'failed', error: message(e) };
      retry = !permanent(e) && job.attempts < this.opts.maxAttempts;
    }
    this.running.delete(job.id);
    if (r.abandoned) return;
    try {
      if (retry) {
        const due = this.ctx.now() + this.opts.retryDelayMs * job.attempts;
        await requeueJob(this.ctx.m, job, due, end.state === 'failed' ? end.error : undefined);
        return;
      }
      await finishJob(this.ctx.m, job, end, this.ctx.now());
      if (end.state === 'failed') await this.recordFailure(job, end.error);
    } catch (e) {
      this.fail(`job ${job.id}: ${message(e)}`);
    }
  }

  /** A scan that failed for good: the result says so (keeping the last good outcome) and listeners hear it. */
  private async recordFailure(job: ScanJob, error: string): Promise<void> {
    const existing = await readResult(this.ctx.m, job.repository, job.digest);
    if (existing?.status === 'skipped') return;
    if (!(await this.ctx.state.getManifest(job.repository, job.digest))) return;
    await writeResult(this.ctx.m, {
      repository: job.repository,
      digest: job.digest,
      status: 'failed',
      at: this.ctx.now(),
      error,
      violation: false,
    });
    const summary = await this.result(job.repository, job.digest);
    this.ctx.emit({
      type: 'scan.completed',
      repository: job.repository,
      digest: job.digest,
      reason: job.reason,
      status: 'failed',
      summary,
    });
  }
}

/** Migrates the module's tables and returns the service (not started: call `start`). */
export async function openScanService(options: ScanServiceOptions): Promise<ScanService> {
  const { state, storage } = options;
  const scanners = options.scanners ? SCANNERS.filter((s) => options.scanners?.includes(s)) : [...SCANNERS];
  if (scanners.length === 0) throw new MamoriError('INVALID_ARGUMENT', 'no scanner selected');
  const positive = (v: number | undefined, d: number, what: string, min = 0): number => {
    const n = v ?? d;
    if (!Number.isSafeInteger(n) || n < min)
      throw new MamoriError('INVALID_ARGUMENT', `${what} must be an integer ≥ ${min}`);
    return n;
  };
  const opts = {
    concurrency: positive(options.concurrency, 1, 'concurrency', 1),
    dbCheckIntervalMs: positive(options.dbCheckIntervalMs, 5 * 60_000, 'dbCheckIntervalMs'),
    pollIntervalMs: positive(options.pollIntervalMs, 5000, 'pollIntervalMs', 1),
    maxAttempts: positive(options.maxAttempts, 3, 'maxAttempts', 1),
    retryDelayMs: positive(options.retryDelayMs, 30_000, 'retryDelayMs'),
  };
  const m = await state.module(PREFIX, MIGRATIONS);
  const onEvent = options.onEvent;
  const ctx: Ctx = {
    state,
    storage,
    m,
    db: new DbWatcher(options.vulnDbPath ?? defaultDbPath()),
    scanners,
    cacheDir: options.cacheDir ?? false,
    ...(options.tmpDir !== undefined ? { tmpDir: options.tmpDir } : {}),
    maxStoredReportBytes: positive(options.maxStoredReportBytes, 1024 * 1024, 'maxStoredReportBytes'),
    now: options.now ?? (() => m.now()),
    emit(e) {
      try {
        onEvent?.(e);
      } catch {
        // A listener's failure is its own.
      }
    },
  };
  return new Service(ctx, opts);
}
