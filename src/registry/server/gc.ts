/**
 * Scheduled housekeeping: each run applies the projects' retention rules,
 * then collects garbage (blobs no manifest needs, abandoned uploads). One
 * run at a time; an administrator's run through the API joins the one
 * under way instead of starting a second. Results go to the audit log and
 * the metrics.
 */
import { collectGarbage, type GcReport } from '../gc/index.js';
import type { RetentionResult } from '../retention/index.js';
import type { Services } from './services.js';

export interface GcSchedule {
  /** ms between runs; 0 turns scheduled runs off. Default 24 h. */
  readonly intervalMs?: number;
  readonly gracePeriodMs?: number;
  readonly uploadMaxAgeMs?: number;
}

export interface HousekeepingReport {
  readonly retention: RetentionResult;
  readonly gc: GcReport;
}

const DAY = 24 * 3600_000;

export class GcScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<HousekeepingReport> | undefined;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly s: Services,
    private readonly schedule: GcSchedule,
  ) {}

  start(): void {
    const every = this.schedule.intervalMs ?? DAY;
    if (every <= 0 || this.stopped) return;
    this.timer = setInterval(() => {
      void this.run({ dryRun: false }).catch(() => undefined);
    }, every);
    this.timer.unref();
  }

  /** Runs retention then GC now, or joins the run under way. */
  run(options: { readonly dryRun: boolean }): Promise<HousekeepingReport> {
    if (this.stopped) return Promise.reject(new Error('the registry is shutting down'));
    this.running ??= this.once(options.dryRun).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async once(dryRun: boolean): Promise<HousekeepingReport> {
    const { s } = this;
    try {
      const retention = await s.retention.applyRetention({ dryRun, signal: this.abort.signal });
      const gc = await collectGarbage({
        storage: s.storage,
        state: s.state,
        dryRun,
        signal: this.abort.signal,
        ...(this.schedule.gracePeriodMs !== undefined ? { gracePeriodMs: this.schedule.gracePeriodMs } : {}),
        ...(this.schedule.uploadMaxAgeMs !== undefined
          ? { uploadMaxAgeMs: this.schedule.uploadMaxAgeMs }
          : {}),
      });
      s.metrics.gcRuns.inc({ result: 'ok' });
      if (!dryRun) s.metrics.gcFreedBytes.inc(gc.bytesFreed);
      s.audit.record({
        actorKind: 'system',
        actor: 'gc',
        action: 'gc',
        result: 'success',
        detail: `${dryRun ? 'dry run: ' : ''}${dryRun ? retention.actions.length : retention.applied.length} manifests by retention, ${gc.blobsDeleted} blobs (${gc.bytesFreed} bytes), ${gc.uploadsRemoved} uploads`,
      });
      return { retention, gc };
    } catch (e) {
      s.metrics.gcRuns.inc({ result: 'error' });
      s.audit.record({
        actorKind: 'system',
        actor: 'gc',
        action: 'gc',
        result: 'failure',
        detail: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  }

  /** Stops the schedule and the run under way (the next run finishes its work). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort(new Error('the registry is shutting down'));
    await this.running?.catch(() => undefined);
  }
}
