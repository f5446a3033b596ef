/**
 * The same operation tests against a throwaway PostgreSQL cluster (Debian
 * package `postgresql`), plus what only PostgreSQL can show: binary order
 * against a linguistic default collation, and migrations from several pools
 * at once. Skipped, saying so, where the server programs are not installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isMamoriError } from '../../core/index.js';
import { openStateStore } from './index.js';
import { postgresBinDir, type PgCluster, startPostgres } from './testing-postgres.js';
import { AWKWARD_NAMES, defineStoreTests } from './testing-suite.js';
import { defineConcurrencyTests } from './testing-concurrency.js';

const skip =
  postgresBinDir() === undefined ? 'PostgreSQL is not installed (Debian package postgresql)' : false;

describe('postgres', { skip }, () => {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());
  const database = async (): Promise<string> => {
    if (!cluster) throw new Error('the PostgreSQL cluster did not start');
    return cluster.createDatabase();
  };
  const open = async (now?: () => number) =>
    openStateStore({ kind: 'postgres', connectionString: await database(), ...(now ? { now } : {}) });

  defineStoreTests('postgres', open);
  defineConcurrencyTests('postgres', open);

  it('orders names in binary order although the default collation is linguistic', async () => {
    const url = await database();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const r = await client.query<{ n: string }>('select unnest($1::text[]) as n order by 1', [
        AWKWARD_NAMES,
      ]);
      const byDefault = r.rows.map((x) => x.n);
      if (cluster?.linguisticDefault) {
        assert.notDeepEqual(byDefault, [...AWKWARD_NAMES].sort(), 'the default collation is not binary');
      }
    } finally {
      await client.end();
    }
    const s = await openStateStore({ kind: 'postgres', connectionString: url });
    try {
      for (const n of AWKWARD_NAMES) await s.linkBlob(`p/${n}`, { digest: 'sha256:1', size: 1 });
      assert.deepEqual((await s.listRepositories()).items, AWKWARD_NAMES.map((n) => `p/${n}`).sort());
    } finally {
      await s.close();
    }
  });

  it('rolls a failing migration back whole, DDL included', async () => {
    const url = await database();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('create table tags (x text)');
      await assert.rejects(openStateStore({ kind: 'postgres', connectionString: url }), (e) =>
        isMamoriError(e, 'IO'),
      );
      const r = await client.query<{ name: string }>(
        "select table_name as name from information_schema.tables where table_schema = 'public' order by 1",
      );
      assert.deepEqual(
        r.rows.map((x) => x.name),
        ['tags'],
      );
    } finally {
      await client.end();
    }
  });

  it('migrates once when several stores open a new database at the same time', async () => {
    const url = await database();
    const stores = await Promise.all(
      Array.from({ length: 5 }, () =>
        openStateStore({ kind: 'postgres', connectionString: url, poolSize: 2 }),
      ),
    );
    try {
      assert.deepEqual(stores.map((s) => s.migrated.length).sort(), [0, 0, 0, 0, 1]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    const again = await openStateStore({ kind: 'postgres', connectionString: url });
    assert.deepEqual(again.migrated, []);
    await again.close();
  });
});
