import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStateStore } from './index.js';
import { openEngine } from './engine.js';
import { migrate } from './migrations.js';
import { read, write } from './run.js';
import { defineConcurrencyTests } from './testing-concurrency.js';
import { dg, defineStoreTests, push } from './testing-suite.js';

const root = await mkdtemp(join(tmpdir(), 'mamori-state-'));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `s${++n}`, 'state.db');

defineStoreTests('sqlite', (now) =>
  openStateStore({ kind: 'sqlite', path: fresh(), ...(now ? { now } : {}) }),
);

describe('sqlite: transactions', () => {
  it('rolls back every row of a transaction that fails half way', async () => {
    const path = fresh();
    const engine = await openEngine({ kind: 'sqlite', path });
    try {
      await migrate(engine, 1);
      const ctx = { engine, now: () => 1 };
      await assert.rejects(
        write(ctx, async (db) => {
          await db.insertInto('repositories').values({ name: 'p/a', project: 'p', created_at: 1 }).execute();
          const id = await db.selectFrom('repositories').select('id').executeTakeFirstOrThrow();
          await db
            .insertInto('manifests')
            .values({
              repository_id: Number(id.id),
              digest: dg('m'),
              media_type: 'x',
              size: 1,
              artifact_type: null,
              subject_digest: null,
              config_digest: null,
              annotations: null,
              created_at: 1,
            })
            .execute();
          // A tag pointing at a manifest that does not exist violates the foreign key.
          await db
            .insertInto('tags')
            .values({ repository_id: Number(id.id), name: 't', manifest_digest: dg('none'), updated_at: 1 })
            .execute();
        }),
        /FOREIGN KEY/,
      );
      const counts = await read(ctx, (db) =>
        sql<{ r: number; m: number; t: number }>`select
          (select count(*) from repositories) as r,
          (select count(*) from manifests) as m,
          (select count(*) from tags) as t`.execute(db),
      );
      assert.deepEqual(counts.rows[0], { r: 0, m: 0, t: 0 });
    } finally {
      await engine.db.destroy();
    }
  });

  it('keeps what was written once the store is closed and reopened', async () => {
    const path = fresh();
    const s = await openStateStore({ kind: 'sqlite', path });
    await push(s, 'p/app', dg('m'), [dg(1), dg(2)], { tag: 'v1' });
    await s.close();
    const again = await openStateStore({ kind: 'sqlite', path });
    try {
      assert.equal((await again.resolveTag('p/app', 'v1'))?.digest, dg('m'));
      assert.deepEqual(await again.manifestBlobs('p/app', dg('m')), [dg(1), dg(2)]);
    } finally {
      await again.close();
    }
  });
});

defineConcurrencyTests('sqlite', (now) =>
  openStateStore({ kind: 'sqlite', path: fresh(), ...(now ? { now } : {}) }),
);
