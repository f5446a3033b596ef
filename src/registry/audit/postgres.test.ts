/**
 * The audit log on PostgreSQL (Debian package `postgresql`): bigint ids and
 * times come back as strings there, and the same queries must agree.
 * Skipped, saying so, where the server programs are not installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStateStore } from '../state/index.js';
import { postgresBinDir, type PgCluster, startPostgres } from '../state/testing-postgres.js';
import { openAuditLog } from './index.js';

const skip =
  postgresBinDir() === undefined ? 'PostgreSQL is not installed (Debian package postgresql)' : false;

describe('audit log on postgres', { skip }, () => {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  it('records, filters, pages and purges like on SQLite', async () => {
    if (!cluster) throw new Error('the PostgreSQL cluster did not start');
    const store = await openStateStore({
      kind: 'postgres',
      connectionString: await cluster.createDatabase(),
    });
    try {
      let clock = 1_000;
      const log = await openAuditLog(store, { now: () => (clock += 10) });
      for (let i = 0; i < 25; i++) {
        log.record({
          actor: i % 2 ? 'bob' : 'alice',
          action: 'pull',
          resource: { repository: `p/a-b${i % 3}`, project: 'p' },
          result: 'success',
          detail: 'nul \0 here',
        });
      }
      const all = await log.query({ limit: 1000, order: 'oldest-first' });
      assert.equal(all.events.length, 25);
      assert.ok(all.events.every((e) => typeof e.id === 'number' && typeof e.time === 'number'));
      assert.equal(all.events[0]?.time, 1_010);
      assert.equal(all.events[0]?.detail, 'nul \\x00 here');
      const seen: number[] = [];
      for (let afterId: number | undefined, first = true; first || afterId !== undefined; first = false) {
        const page = await log.query({ actor: 'alice', limit: 5, ...(afterId ? { afterId } : {}) });
        seen.push(...page.events.map((e) => e.id));
        afterId = page.next;
      }
      assert.deepEqual(
        seen,
        all.events
          .filter((e) => e.actor === 'alice')
          .map((e) => e.id)
          .reverse(),
      );
      assert.equal(await log.purgeBefore(1_100, { actor: 'admin' }), 9);
      assert.equal((await log.query({ action: 'pull', limit: 1000 })).events.length, 16);
      assert.equal((await log.query({ action: 'audit.purge' })).events[0]?.actor, 'admin');
      await log.close();
    } finally {
      await store.close();
    }
  });
});
