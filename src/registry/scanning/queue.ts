/**
 * The persistent scan queue: one row per job in `scanning_jobs`. A job is
 * queued, claimed (running) by one worker, then done or failed; a failure
 * that may pass (I/O) is queued again with a delay until the attempts run
 * out. At most one queued job exists per image (a partial unique index), so
 * pushing the same digest twice or a rescan of a queued image adds nothing.
 */
import { sql } from 'kysely';
import type { StateModule } from '../state/index.js';
import type { JobRow, ScanningSchema } from './schema.js';

export type JobReason = 'push' | 'rescan' | 'manual';
export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface ScanJob {
  readonly id: number;
  readonly repository: string;
  readonly digest: string;
  readonly reason: JobReason;
  readonly state: JobState;
  readonly attempts: number;
  readonly created: number;
  readonly started?: number;
  readonly finished?: number;
  readonly error?: string;
}

const REASONS: readonly string[] = ['push', 'rescan', 'manual'];
const STATES: readonly string[] = ['queued', 'running', 'done', 'failed'];
/** Longest error text kept on a job. */
const MAX_ERROR = 2000;

type Db = StateModule<ScanningSchema>;

/** A job row as read back (the id's type depends on the engine). */
type JobRecord = Omit<JobRow, 'id'> & { id: number | string };

export function toJob(r: JobRecord): ScanJob {
  return {
    id: Number(r.id),
    repository: r.repository,
    digest: r.digest,
    reason: (REASONS.includes(r.reason) ? r.reason : 'manual') as JobReason,
    state: (STATES.includes(r.state) ? r.state : 'failed') as JobState,
    attempts: Number(r.attempts),
    created: Number(r.created),
    ...(r.started !== null ? { started: Number(r.started) } : {}),
    ...(r.finished !== null ? { finished: Number(r.finished) } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
  };
}

export function clip(message: string): string {
  return message.length > MAX_ERROR ? `${message.slice(0, MAX_ERROR)}…` : message;
}

/** Queues a job unless one is already queued for the image; true when a job was added. */
export async function addJob(
  m: Db,
  repository: string,
  digest: string,
  reason: JobReason,
  now: number,
  options: { skipIfRunning?: boolean } = {},
): Promise<boolean> {
  return m.write(async (db) => {
    if (options.skipIfRunning) {
      const running = await db
        .selectFrom('scanning_jobs')
        .select('id')
        .where('repository', '=', repository)
        .where('digest', '=', digest)
        .where('state', '=', 'running')
        .executeTakeFirst();
      if (running) return false;
    }
    const r = await db
      .insertInto('scanning_jobs')
      .values({
        repository,
        digest,
        reason,
        state: 'queued',
        attempts: 0,
        created: now,
        not_before: now,
        started: null,
        finished: null,
        error: null,
      })
      .onConflict((oc) =>
        oc.columns(['repository', 'digest']).where(sql.ref('state'), '=', sql.lit('queued')).doNothing(),
      )
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  });
}

/** Claims the oldest job that is due: it becomes running with one more attempt. */
export async function claimJob(m: Db, now: number): Promise<ScanJob | undefined> {
  return m.write(async (db) => {
    // Not an image another worker is scanning right now: its job waits for that scan.
    const next = await db
      .selectFrom('scanning_jobs as j')
      .selectAll('j')
      .where('j.state', '=', 'queued')
      .where('j.not_before', '<=', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('scanning_jobs as r')
              .select('r.id')
              .whereRef('r.repository', '=', 'j.repository')
              .whereRef('r.digest', '=', 'j.digest')
              .where('r.state', '=', 'running'),
          ),
        ),
      )
      .orderBy('j.id')
      .limit(1)
      .executeTakeFirst();
    if (!next) return undefined;
    const r = await db
      .updateTable('scanning_jobs')
      .set({ state: 'running', started: now, attempts: Number(next.attempts) + 1 })
      .where('id', '=', next.id)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    return toJob({ ...next, state: 'running', started: now, attempts: Number(next.attempts) + 1 });
  });
}

/**
 * Ends a running job. Older finished jobs of the same image are dropped, so
 * the table holds the queue and the last outcome per image, not a history.
 */
export async function finishJob(
  m: Db,
  job: ScanJob,
  outcome: { state: 'done' | 'failed'; error?: string },
  now: number,
): Promise<void> {
  await m.write(async (db) => {
    await db
      .updateTable('scanning_jobs')
      .set({
        state: outcome.state,
        finished: now,
        error: outcome.error !== undefined ? clip(outcome.error) : null,
      })
      .where('id', '=', job.id)
      .where('state', '=', 'running')
      .execute();
    await db
      .deleteFrom('scanning_jobs')
      .where('repository', '=', job.repository)
      .where('digest', '=', job.digest)
      .where('state', 'in', ['done', 'failed'])
      .where('id', '<', job.id)
      .execute();
  });
}

/**
 * Puts a running job back in the queue, due at `notBefore` (a retry, or a
 * scan abandoned by `stop`). When the image was queued again meanwhile, that
 * job stands for it and this one ends as failed.
 */
export async function requeueJob(
  m: Db,
  job: ScanJob,
  notBefore: number,
  error: string | undefined,
  options: { refundAttempt?: boolean } = {},
): Promise<void> {
  await m.write(async (db) => {
    const other = await db
      .selectFrom('scanning_jobs')
      .select('id')
      .where('repository', '=', job.repository)
      .where('digest', '=', job.digest)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    if (other) {
      await db
        .updateTable('scanning_jobs')
        .set({ state: 'failed', finished: notBefore, error: clip(error ?? 'superseded by a newer job') })
        .where('id', '=', job.id)
        .execute();
      return;
    }
    await db
      .updateTable('scanning_jobs')
      .set({
        state: 'queued',
        not_before: notBefore,
        started: null,
        error: error !== undefined ? clip(error) : null,
        ...(options.refundAttempt ? { attempts: Math.max(0, job.attempts - 1) } : {}),
      })
      .where('id', '=', job.id)
      .where('state', '=', 'running')
      .execute();
  });
}

/**
 * Requeues the jobs a crashed process left running (one scanning worker per
 * database is assumed: another live worker's jobs would be requeued too).
 */
export async function recoverJobs(m: Db, now: number): Promise<number> {
  const running = await m.read((db) =>
    db.selectFrom('scanning_jobs').selectAll().where('state', '=', 'running').execute(),
  );
  for (const r of running) await requeueJob(m, toJob(r), now, 'interrupted: the scanner stopped');
  return running.length;
}

/** The newest job of an image, if any. */
export async function latestJob(m: Db, repository: string, digest: string): Promise<ScanJob | undefined> {
  const r = await m.read((db) =>
    db
      .selectFrom('scanning_jobs')
      .selectAll()
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  );
  return r ? toJob(r) : undefined;
}

/** Jobs in one state, oldest first (for status pages and tests). */
export async function listJobs(m: Db, state: JobState, limit = 100): Promise<ScanJob[]> {
  const rows = await m.read((db) =>
    db
      .selectFrom('scanning_jobs')
      .selectAll()
      .where('state', '=', state)
      .orderBy('id')
      .limit(Math.max(0, Math.min(limit, 1000)))
      .execute(),
  );
  return rows.map(toJob);
}

/** Drops the jobs of an image (deleted from the registry) but a running one. */
export async function dropJobs(m: Db, repository: string, digest: string): Promise<void> {
  await m.write((db) =>
    db
      .deleteFrom('scanning_jobs')
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .where('state', '!=', 'running')
      .execute(),
  );
}
