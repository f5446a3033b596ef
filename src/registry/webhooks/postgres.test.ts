/**
 * Webhooks on PostgreSQL (Debian package `postgresql`): two workers on two
 * connection pools drain one queue without delivering anything twice
 * (claims take only rows still due, under READ COMMITTED). Skipped, saying
 * so, where the server programs are not installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStateStore } from '../state/index.js';
import { postgresBinDir, type PgCluster, startPostgres } from '../state/testing-postgres.js';
import { openWebhooks } from './index.js';
import { eventually, startReceiver, verifySignature } from './testing.js';

const skip =
  postgresBinDir() === undefined ? 'PostgreSQL is not installed (Debian package postgresql)' : false;

describe('webhooks on postgres', { skip }, () => {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  it('two workers share the queue: every delivery arrives once, signed', async () => {
    if (!cluster) throw new Error('the PostgreSQL cluster did not start');
    const url = await cluster.createDatabase();
    const stores = [
      await openStateStore({ kind: 'postgres', connectionString: url }),
      await openStateStore({ kind: 'postgres', connectionString: url }),
    ];
    const receiver = await startReceiver((n) => (n % 7 === 0 ? 500 : 200));
    const options = { backoff: { baseMs: 10, maxMs: 50 }, pollIntervalMs: 20 };
    try {
      const [a, b] = await Promise.all(stores.map((s) => openWebhooks(s, options)));
      if (!a || !b) throw new Error('unreachable');
      const t = await a.createTarget({ project: 'lib', url: receiver.url, events: ['*'] });
      a.start();
      b.start();
      for (let i = 0; i < 40; i++) await (i % 2 ? a : b).emit({ type: 'push', project: 'lib', tag: `v${i}` });
      await eventually(
        async () => (await a.deliveries({ status: 'succeeded', limit: 1000 })).length === 40,
        'all deliveries',
      );
      await Promise.all([a.stop(), b.stop()]);
      const ok = receiver.received.filter((_, i) => (i + 1) % 7 !== 0);
      const ids = ok.map((r) => r.headers['x-mamori-delivery']);
      assert.equal(new Set(ids).size, 40);
      assert.equal(ids.length, 40, 'no delivery answered 2xx twice');
      assert.ok(
        receiver.received.every((r) => verifySignature(t.secret, r.body, r.headers['x-mamori-signature'])),
      );
      const extra = (await a.deliveries({ limit: 1000 })).reduce((n, d) => n + d.attempts - 1, 0);
      assert.equal(extra, receiver.received.length - 40, 'every 500 was retried');
    } finally {
      await receiver.close();
      for (const s of stores) await s.close();
    }
  });
});
