/**
 * Everything the registry process runs, opened in dependency order over one
 * data directory and one state database, and closed in reverse: blob
 * storage, the state store, access control, the audit log, webhooks, tag
 * rules, scanning and metrics. Opening fails cleanly (what was opened is
 * closed again) and closing waits for work under way.
 */
import { constants } from 'node:fs';
import { access as fsAccess, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type AccessControl, openAccess } from '../access/index.js';
import { type AuditLog, openAuditLog } from '../audit/index.js';
import { createMetrics, type RegistryMetrics } from '../metrics/index.js';
import { openRetention, type Retention } from '../retention/index.js';
import { openScanService, type ScanEvent, type ScanService } from '../scanning/index.js';
import { openStateStore, type StateStore } from '../state/index.js';
import { type BlobStore, createFsBlobStore } from '../storage/index.js';
import type { S3BlobStoreOptions } from '../storage-s3/index.js';
import { openWebhooks, type Webhooks } from '../webhooks/index.js';
import { projectOfRepository } from '../spec/index.js';

export interface ServiceOptions {
  readonly data: string;
  /** Blobs in an S3-compatible bucket instead of `DATA/storage` (uploads are staged in `DATA/staging`). */
  readonly s3?: Omit<S3BlobStoreOptions, 'stagingDir'>;
  /** PostgreSQL URL; default SQLite at `DATA/state.db`. */
  readonly stateUrl?: string;
  readonly service?: string;
  readonly tokenLifetimeSeconds?: number;
  /** Anonymous callers may pull public projects (default false). */
  readonly anonymousPull?: boolean;
  readonly scanning?: {
    readonly enabled?: boolean;
    readonly concurrency?: number;
    readonly vulnDb?: string;
    readonly rescanIntervalMs?: number;
  };
  /** Scan events go here too (after the audit log and webhooks). */
  readonly onScanEvent?: (e: ScanEvent) => void;
}

export interface Services {
  readonly storage: BlobStore;
  /** Whether blobs can be written now (the readiness probe). */
  storageReady(): Promise<boolean>;
  readonly state: StateStore;
  readonly access: AccessControl;
  readonly audit: AuditLog;
  readonly webhooks: Webhooks;
  readonly retention: Retention;
  /** Scan results, the pull gate and the job queue; jobs run here only when scanning is enabled. */
  readonly scanning: ScanService;
  readonly metrics: RegistryMetrics;
  close(): Promise<void>;
}

export async function openServices(o: ServiceOptions): Promise<Services> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    closers.length = 0;
  };
  try {
    let storage: BlobStore;
    let storageReady: () => Promise<boolean>;
    if (o.s3) {
      // Loaded on first use: the AWS SDK is not needed on the filesystem.
      const { createS3BlobStore } = await import('../storage-s3/index.js');
      const s3 = await createS3BlobStore({ ...o.s3, stagingDir: join(o.data, 'staging') });
      closers.push(async () => s3.close());
      await s3.check();
      await s3.recover();
      storage = s3;
      storageReady = () =>
        s3.check().then(
          () => true,
          () => false,
        );
    } else {
      const fs = await createFsBlobStore(join(o.data, 'storage'));
      await fs.recover();
      storage = fs;
      storageReady = () =>
        fsAccess(fs.root, constants.W_OK).then(
          () => true,
          () => false,
        );
    }
    const state = await openStateStore(
      o.stateUrl
        ? { kind: 'postgres', connectionString: o.stateUrl }
        : { kind: 'sqlite', path: join(o.data, 'state.db') },
    );
    closers.push(() => state.close());
    const access = await openAccess(state, {
      keyDir: join(o.data, 'keys'),
      ...(o.service !== undefined ? { service: o.service } : {}),
      ...(o.tokenLifetimeSeconds !== undefined ? { tokenLifetimeSeconds: o.tokenLifetimeSeconds } : {}),
      anonymousPull: o.anonymousPull === true,
    });
    const metrics = createMetrics();
    const audit = await openAuditLog(state);
    closers.push(() => audit.close());
    const webhooks = await openWebhooks(state);
    webhooks.start();
    closers.push(() => webhooks.stop());
    const retention = await openRetention(state);
    // Every replica reads scan results and queues jobs (the queue lives in the
    // shared database); only those with scanning enabled run the jobs.
    let scanning: ScanService;
    {
      await mkdir(join(o.data, 'tmp'), { recursive: true, mode: 0o700 });
      await mkdir(join(o.data, 'cache', 'layers'), { recursive: true, mode: 0o700 });
      const onScan = (e: ScanEvent): void => {
        scanEvent(audit, webhooks, metrics, e);
        o.onScanEvent?.(e);
      };
      scanning = await openScanService({
        state,
        storage,
        cacheDir: join(o.data, 'cache', 'layers'),
        tmpDir: join(o.data, 'tmp'),
        ...(o.scanning?.vulnDb !== undefined ? { vulnDbPath: o.scanning.vulnDb } : {}),
        ...(o.scanning?.concurrency !== undefined ? { concurrency: o.scanning.concurrency } : {}),
        ...(o.scanning?.rescanIntervalMs !== undefined
          ? { dbCheckIntervalMs: o.scanning.rescanIntervalMs }
          : {}),
        onEvent: onScan,
      });
      if (o.scanning?.enabled !== false) scanning.start();
      const s = scanning;
      closers.push(() => s.stop({ abort: true }));
    }
    return {
      storage,
      storageReady,
      state,
      access,
      audit,
      webhooks,
      retention,
      scanning,
      metrics,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** Queues a webhook event for the repository's project; delivery failures are the queue's business. */
export function notify(
  webhooks: Webhooks,
  type: string,
  e: { readonly repository: string; readonly digest?: string; readonly tag?: string },
  data?: unknown,
): void {
  void webhooks
    .emit({
      type,
      project: projectOfRepository(e.repository),
      repository: e.repository,
      ...(e.digest !== undefined ? { digest: e.digest } : {}),
      ...(e.tag !== undefined ? { tag: e.tag } : {}),
      ...(data !== undefined ? { data } : {}),
    })
    .catch(() => undefined);
}

/** A scan event in the audit log, the webhooks and the metrics. */
function scanEvent(audit: AuditLog, webhooks: Webhooks, metrics: RegistryMetrics, e: ScanEvent): void {
  if (e.type === 'scanner.error') {
    audit.record({
      actorKind: 'system',
      actor: 'scanner',
      action: 'scan',
      result: 'failure',
      detail: e.message,
    });
    return;
  }
  const resource = { repository: e.repository, digest: e.digest, project: projectOfRepository(e.repository) };
  if (e.type === 'scan.completed') {
    metrics.scanJobs.inc({ result: e.status === 'scanned' ? 'ok' : 'error' });
    audit.record({
      actorKind: 'system',
      actor: 'scanner',
      action: 'scan',
      resource,
      result: e.status === 'scanned' ? 'success' : 'failure',
      detail: `${e.reason}: ${JSON.stringify(e.summary.totals ?? {})}`,
    });
    notify(webhooks, 'scan.completed', e, e.summary);
    return;
  }
  audit.record({
    actorKind: 'system',
    actor: 'scanner',
    action: 'policy.violation',
    resource,
    result: 'denied',
    detail: e.reason,
  });
  notify(webhooks, 'policy.violation', e, { reason: e.reason, policy: e.policy, summary: e.summary });
}
