// Garbage collection and retention on PostgreSQL (their tables, bigint
// columns read back as strings, the untagged-manifest query). Skipped,
// saying so, where the server programs are not installed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openRetention } from '../retention/index.js';
import { openStateStore } from '../state/index.js';
import { postgresBinDir, type PgCluster, startPostgres } from '../state/testing-postgres.js';
import { collectGarbage } from './index.js';
import { blob, clock, fixtureOn, HOUR, image, index, intact, present } from './testdata/fixture.js';

const skip =
  postgresBinDir() === undefined ? 'PostgreSQL is not installed (Debian package postgresql)' : false;

describe('gc and retention on postgres', { skip }, () => {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());
  const open = async (now: () => number) => {
    if (!cluster) throw new Error('the PostgreSQL cluster did not start');
    return openStateStore({ kind: 'postgres', connectionString: await cluster.createDatabase(), now });
  };

  it('collects garbage and keeps what is referenced', async () => {
    const f = await fixtureOn(clock(), open);
    try {
      const a = await image(f, 'p/app', ['a', 'base'], { tag: 'v1' });
      const idx = await index(f, 'p/app', [a.digest], 'multi');
      const sig = await image(f, 'p/app', ['sig'], { subject: a.digest });
      const linked = await blob(f, 'linked garbage', 'p/app');
      const bare = await blob(f, 'bare garbage');
      f.clock.t += 2 * HOUR;
      assert.deepEqual(
        (await collectGarbage({ storage: f.storage, state: f.state, now: f.clock.now })).deleted,
        [linked],
      );
      f.clock.t += 2 * HOUR;
      assert.deepEqual(
        (await collectGarbage({ storage: f.storage, state: f.state, now: f.clock.now })).deleted,
        [bare],
      );
      for (const d of [...a.blobs, ...idx.blobs, ...sig.blobs]) assert.ok(await intact(f.storage, d));
    } finally {
      await f.close();
    }
  });

  it('applies retention rules and protects immutable tags', async () => {
    const f = await fixtureOn(clock(), open);
    try {
      const r = await openRetention(f.state);
      const pushed = [];
      for (let i = 1; i <= 4; i++) {
        pushed.push(await image(f, 'lib/app', [`layer ${i}`], { tag: `v${i}` }));
        f.clock.t += HOUR;
      }
      const imm = await r.addImmutabilityRule({ project: 'lib', tag: 'v1' });
      const rule = await r.addRetentionRule({ project: 'lib', keep: { mostRecent: 1 }, untagged: 'delete' });
      assert.equal(typeof imm.id, 'number');
      assert.deepEqual(await r.listRetentionRules('lib'), [rule]);
      const done = await r.applyRetention();
      assert.deepEqual(
        done.protected.map((p) => p.tag),
        ['v1'],
      );
      assert.deepEqual((await f.state.listTags('lib/app'))?.items, ['v1', 'v4']);
      assert.deepEqual(done.applied.filter((x) => x.kind === 'manifest').length, 2);
      f.clock.t += 2 * HOUR;
      await collectGarbage({ storage: f.storage, state: f.state, now: f.clock.now });
      const keep = [pushed[0], pushed[3]].flatMap((p) => p?.blobs ?? []);
      assert.deepEqual(await present(f.storage, keep), keep);
      const gone = [pushed[1], pushed[2]].flatMap((p) => p?.blobs ?? []);
      assert.deepEqual(await present(f.storage, gone), []);
    } finally {
      await f.close();
    }
  });
});
