/**
 * The queue and result tables on both engines: SQLite, and a throwaway
 * PostgreSQL cluster (Debian package `postgresql`; skipped, saying so, when
 * it is not installed). The partial unique index and its ON CONFLICT target
 * are where the engines could differ.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStateStore, type StateModule, type StateStore } from '../state/index.js';
import { postgresBinDir, startPostgres, type PgCluster } from '../state/testing-postgres.js';
import { addJob, claimJob, finishJob, listJobs, recoverJobs, requeueJob } from './queue.js';
import { MIGRATIONS, PREFIX, type ScanningSchema } from './schema.js';
import { readPolicy, readResult, staleResults, writePolicy, writeResult } from './tables.js';
import { zeroCounts, type ScanOutcome } from './summary.js';

const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

function outcome(high: number): ScanOutcome {
  return {
    scannedAt: 1,
    scanners: ['vuln'],
    vulnerabilitiesScanned: true,
    vulnerabilities: { ...zeroCounts(), HIGH: high },
    secrets: zeroCounts(),
    misconfigurations: zeroCounts(),
    totals: { vulnerabilities: high, secrets: 0, misconfigurations: 0 },
    packages: 1,
    notes: [],
  };
}

function defineQueueTests(engine: string, open: () => Promise<StateStore>): void {
  it(`${engine}: one queued job per image, claimed once, finished, retried and recovered`, async () => {
    const state = await open();
    try {
      const m: StateModule<ScanningSchema> = await state.module(PREFIX, MIGRATIONS);
      assert.equal(await addJob(m, 'a/b', D(1), 'push', 10), true);
      assert.equal(await addJob(m, 'a/b', D(1), 'rescan', 11), false, 'deduplicated');
      assert.equal(await addJob(m, 'a/b', D(2), 'push', 12), true);
      assert.equal(await addJob(m, 'a/c', D(1), 'push', 13), true);
      const j1 = await claimJob(m, 20);
      assert.deepEqual([j1?.repository, j1?.digest, j1?.state, j1?.attempts], ['a/b', D(1), 'running', 1]);
      // Queued again while running: a new job, kept apart from the running one.
      assert.equal(await addJob(m, 'a/b', D(1), 'rescan', 21), true);
      assert.equal(await addJob(m, 'a/b', D(1), 'rescan', 22, { skipIfRunning: true }), false);
      if (!j1) throw new Error('no job');
      await finishJob(m, j1, { state: 'done' }, 30);
      // A retry is not due before its time.
      const j2 = await claimJob(m, 40);
      if (!j2) throw new Error('no job');
      await requeueJob(m, j2, 1000, 'disk full');
      const j3 = await claimJob(m, 41);
      assert.equal(j3?.digest, D(1));
      assert.equal(j3?.repository, 'a/c');
      // A crash leaves j3 running: recovery puts it back.
      assert.equal(await recoverJobs(m, 50), 1);
      assert.deepEqual(await listJobs(m, 'running'), []);
      const queued = await listJobs(m, 'queued');
      assert.deepEqual(
        queued.map((j) => [j.repository, j.digest, j.reason]),
        [
          ['a/b', D(2), 'push'],
          ['a/c', D(1), 'push'],
          ['a/b', D(1), 'rescan'],
        ],
      );
      assert.equal(queued[0]?.error, 'disk full');
      // The finished job of an image is dropped when a newer one of it ends.
      const next = await claimJob(m, 2000);
      const again = await claimJob(m, 2000);
      const last = await claimJob(m, 2000);
      if (!next || !again || !last) throw new Error('no job');
      assert.equal(await claimJob(m, 2000), undefined);
      await finishJob(m, last, { state: 'failed', error: 'x'.repeat(5000) }, 2001);
      const failed = await listJobs(m, 'failed');
      assert.equal(failed.length, 1);
      assert.ok((failed[0]?.error?.length ?? 0) < 2100, 'long errors are clipped');
      assert.deepEqual(
        (await listJobs(m, 'done')).map((j) => j.id),
        [],
        'the done job of a/b@1 made way for the failed one',
      );
    } finally {
      await state.close();
    }
  });

  it(`${engine}: a job waits while its image is being scanned`, async () => {
    const state = await open();
    try {
      const m = await state.module(PREFIX, MIGRATIONS);
      await addJob(m, 'a/b', D(1), 'push', 1);
      const first = await claimJob(m, 2);
      await addJob(m, 'a/b', D(1), 'rescan', 3);
      await addJob(m, 'a/c', D(1), 'push', 4);
      assert.deepEqual([(await claimJob(m, 5))?.repository, await claimJob(m, 5)], ['a/c', undefined]);
      if (!first) throw new Error('no job');
      await finishJob(m, first, { state: 'done' }, 6);
      const rescan = await claimJob(m, 7);
      assert.deepEqual([rescan?.repository, rescan?.reason], ['a/b', 'rescan']);
    } finally {
      await state.close();
    }
  });

  it(`${engine}: results keep the last good outcome across a failure, stale ones are paged`, async () => {
    const state = await open();
    try {
      const m = await state.module(PREFIX, MIGRATIONS);
      for (let i = 0; i < 7; i++) {
        await writeResult(m, {
          repository: `r/${i % 3}`,
          digest: D(i),
          status: 'scanned',
          at: i,
          dbFingerprint: i % 2 === 0 ? 'old' : 'new',
          outcome: outcome(i),
          reportManifest: D(100 + i),
          violation: i === 4,
        });
      }
      const prev = await writeResult(m, {
        repository: 'r/1',
        digest: D(4),
        status: 'failed',
        at: 99,
        error: 'boom',
        violation: false,
      });
      assert.equal(prev?.reportManifest, D(104));
      const kept = await readResult(m, 'r/1', D(4));
      assert.equal(kept?.status, 'scanned');
      assert.equal(kept?.outcome?.vulnerabilities.HIGH, 4);
      assert.equal(kept?.violation, true);
      assert.equal(kept?.error, 'boom');
      const stale: string[] = [];
      for await (const r of staleResults(m, 'new', 2)) stale.push(`${r.repository} ${r.digest.slice(-1)}`);
      assert.deepEqual(stale, ['r/0 0', 'r/0 6', 'r/1 4', 'r/2 2']);
      await writePolicy(m, { project: 'p', blockSeverity: 'low', blockUnscanned: false }, 1);
      await writePolicy(m, { project: 'p', blockUnscanned: true }, 2);
      assert.deepEqual(await readPolicy(m, 'p'), { project: 'p', blockUnscanned: true });
    } finally {
      await state.close();
    }
  });
}

describe('scan queue on SQLite', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-scan-queue-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  let n = 0;
  defineQueueTests('sqlite', () => openStateStore({ kind: 'sqlite', path: join(dir, `${++n}.db`) }));
});

const skip =
  postgresBinDir() === undefined ? 'PostgreSQL is not installed (Debian package postgresql)' : false;

describe('scan queue on PostgreSQL', { skip }, () => {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());
  defineQueueTests('postgres', async () => {
    if (!cluster) throw new Error('the PostgreSQL cluster did not start');
    return openStateStore({ kind: 'postgres', connectionString: await cluster.createDatabase() });
  });
});
