import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StateStore } from '../state/index.js';
import { collectGarbage, type GcReport } from './index.js';
import {
  blob,
  clock,
  fixture,
  HOUR,
  image,
  index,
  intact,
  present,
  type Fixture,
} from './testdata/fixture.js';

const gc = (f: Fixture, extra: Partial<Parameters<typeof collectGarbage>[0]> = {}): Promise<GcReport> =>
  collectGarbage({ storage: f.storage, state: f.state, now: f.clock.now, ...extra });

/** A registry with referenced content of every kind and some garbage, all written at the clock's time. */
async function populate(f: Fixture) {
  const a = await image(f, 'p/app', ['layer-a1', 'shared-layer'], { tag: 'v1' });
  const b = await image(f, 'p/app', ['layer-b1', 'shared-layer']);
  const idx = await index(f, 'p/app', [a.digest, b.digest], 'multi');
  const referrer = await image(f, 'p/app', ['signature-blob'], { subject: a.digest });
  const gone = await image(f, 'p/app', ['doomed-layer', 'shared-layer'], { tag: 'old' });
  const deleted = await f.state.deleteManifest('p/app', gone.digest);
  assert.equal(deleted.status, 'deleted');
  const linkedGarbage = await blob(f, 'linked but unreferenced', 'p/other');
  const bareGarbage = await blob(f, 'stored, never linked');
  const kept = [...a.blobs, ...b.blobs, ...idx.blobs, ...referrer.blobs];
  const garbage = [...gone.blobs.filter((d) => !kept.includes(d)), linkedGarbage, bareGarbage];
  return { kept: [...new Set(kept)], garbage, linkedGarbage, bareGarbage };
}

describe('collectGarbage', () => {
  it('deletes garbage and keeps layers, configs, manifests, index children and referrers', async () => {
    const f = await fixture();
    try {
      const { kept, garbage, linkedGarbage, bareGarbage } = await populate(f);
      assert.equal(garbage.length, 5);
      const linked = garbage.filter((d) => d !== bareGarbage);

      f.clock.t += 2 * HOUR;
      const first = await gc(f);
      assert.equal(first.blobsScanned, kept.length + garbage.length);
      assert.deepEqual([...first.deleted].sort(), [...linked].sort());
      assert.equal(first.blobsDeleted, linked.length);
      assert.ok(first.bytesFreed > 0);
      assert.equal(first.blobsDeferred, 1, 'a blob never linked is first only recorded');
      assert.deepEqual(await present(f.storage, garbage), [bareGarbage]);
      for (const d of kept) assert.ok(await intact(f.storage, d), `${d} kept intact`);
      assert.equal(await f.state.isBlobLinked('p/other', linkedGarbage), false, 'its link went too');

      f.clock.t += 2 * HOUR;
      const second = await gc(f);
      assert.deepEqual(second.deleted, [bareGarbage]);
      for (const d of kept) assert.ok(await intact(f.storage, d), `${d} kept intact`);

      const third = await gc(f);
      assert.equal(third.blobsDeleted, 0, 'nothing left to do');
      assert.equal(third.blobsScanned, kept.length);
      assert.equal(third.blobsMarked, kept.length);
    } finally {
      await f.close();
    }
  });

  it('with a zero grace period deletes a never-linked blob in the run after the one that found it', async () => {
    const f = await fixture();
    try {
      const { garbage } = await populate(f);
      f.clock.t += 1;
      assert.equal((await gc(f, { gracePeriodMs: 0 })).blobsDeleted, garbage.length - 1);
      f.clock.t += 1;
      assert.equal((await gc(f, { gracePeriodMs: 0 })).blobsDeleted, 1);
    } finally {
      await f.close();
    }
  });

  it('respects the grace period: recent links and recently found garbage are kept', async () => {
    const f = await fixture();
    try {
      const old = await blob(f, 'old garbage');
      const relinked = await blob(f, 'garbage linked again later');
      f.clock.t += 2 * HOUR;
      await gc(f); // records both
      f.clock.t += 30 * 60 * 1000;
      await f.state.linkBlob('p/push', { digest: relinked, size: 1 }); // a push reuses it
      const young = await blob(f, 'fresh garbage');
      await gc(f); // records `young`; `old` seen only 30 min ago
      assert.deepEqual(await present(f.storage, [old, relinked, young]), [old, relinked, young]);

      f.clock.t += 45 * 60 * 1000; // old: seen 75 min ago; relink 45 min ago; young: 45 min ago
      const r = await gc(f);
      assert.deepEqual(r.deleted, [old]);
      assert.deepEqual(await present(f.storage, [relinked, young]), [relinked, young]);

      f.clock.t += 2 * HOUR;
      const later = await gc(f);
      assert.deepEqual([...later.deleted].sort(), [relinked, young].sort());
    } finally {
      await f.close();
    }
  });

  it('dry run reports what would go and deletes nothing', async () => {
    const f = await fixture();
    try {
      const { garbage, linkedGarbage, bareGarbage } = await populate(f);
      const linked = garbage.filter((d) => d !== bareGarbage).sort();
      f.clock.t += 2 * HOUR;
      const dry = await gc(f, { dryRun: true });
      assert.equal(dry.dryRun, true);
      assert.deepEqual([...dry.deleted].sort(), linked);
      assert.deepEqual(await present(f.storage, garbage), garbage, 'nothing deleted');
      assert.equal(await f.state.isBlobLinked('p/other', linkedGarbage), true, 'no link removed');
      f.clock.t += 2 * HOUR;
      // Had the dry run recorded the never-linked blob, this run would delete it.
      assert.deepEqual([...(await gc(f)).deleted].sort(), linked);
      assert.deepEqual(await present(f.storage, [bareGarbage]), [bareGarbage]);
      f.clock.t += 2 * HOUR;
      assert.deepEqual((await gc(f, { dryRun: true })).deleted, [bareGarbage]);
      assert.deepEqual(await present(f.storage, [bareGarbage]), [bareGarbage]);
      assert.deepEqual((await gc(f)).deleted, [bareGarbage]);
    } finally {
      await f.close();
    }
  });

  it('removes uploads abandoned for longer than the maximum age, on both sides', async () => {
    const f = await fixture();
    try {
      const abandoned = await f.storage.startUpload();
      await f.state.startUpload(abandoned.id, 'p/app');
      const orphan = await f.storage.startUpload(); // the process died before the state row was written
      f.clock.t += 25 * HOUR;
      const active = await f.storage.startUpload();
      await f.state.startUpload(active.id, 'p/app');
      const dry = await gc(f, { dryRun: true });
      assert.equal(dry.uploadsRemoved, 2);
      assert.ok(await f.storage.getUpload(abandoned.id));
      const r = await gc(f);
      assert.equal(r.uploadsRemoved, 2);
      assert.equal(await f.storage.getUpload(abandoned.id), undefined);
      assert.equal(await f.state.getUpload(abandoned.id), undefined);
      assert.equal(await f.storage.getUpload(orphan.id), undefined);
      assert.ok(await f.storage.getUpload(active.id), 'an upload touched recently stays');
      assert.ok(await f.state.getUpload(active.id));
    } finally {
      await f.close();
    }
  });

  it('rescues a doomed blob that a manifest written during the run references, and puts its link back', async () => {
    const f = await fixture();
    try {
      const layer = await blob(f, 'orphan layer reused by a late push', 'p/late');
      f.clock.t += 2 * HOUR;
      // The manifest lands after the first mark, right before the sweep unlinks the blob.
      let pushed: string | undefined;
      const racing = Object.create(f.state) as StateStore;
      racing.unlinkBlobEverywhere = async (digest, before) => {
        if (digest === layer && pushed === undefined) {
          pushed = (await image(f, 'p/late', ['orphan layer reused by a late push'], { tag: 'v1' })).digest;
        }
        return f.state.unlinkBlobEverywhere(digest, before);
      };
      const r = await collectGarbage({ storage: f.storage, state: racing, now: f.clock.now });
      assert.ok(pushed);
      assert.equal(r.blobsRescued, 1);
      assert.equal(r.blobsDeleted, 0);
      assert.ok(await intact(f.storage, layer));
      assert.equal(await f.state.isBlobLinked('p/late', layer), true, 'the link was put back');
    } finally {
      await f.close();
    }
  });

  it('puts back links a run fenced before it died, once the blob is referenced', async () => {
    const f = await fixture();
    try {
      const layer = await blob(f, 'fenced by a run that then died', 'p/late');
      f.clock.t += 2 * HOUR;
      const dying = Object.create(f.state) as StateStore;
      dying.unlinkBlobEverywhere = async (digest, before) => {
        await image(f, 'p/late', ['fenced by a run that then died'], { tag: 'v1' });
        await f.state.unlinkBlobEverywhere(digest, before);
        throw new Error('process died');
      };
      await assert.rejects(
        collectGarbage({ storage: f.storage, state: dying, now: f.clock.now }),
        /process died/,
      );
      assert.equal(await f.state.isBlobLinked('p/late', layer), false, 'the dead run had unlinked it');
      const r = await gc(f);
      assert.equal(r.blobsDeleted, 0);
      assert.equal(await f.state.isBlobLinked('p/late', layer), true, 'the next run put the link back');
      assert.ok(await intact(f.storage, layer));
    } finally {
      await f.close();
    }
  });

  it('keeps a doomed blob linked again between the fence and the delete', async () => {
    const f = await fixture();
    try {
      const layer = await blob(f, 'uploaded again during the sweep');
      f.clock.t += 2 * HOUR;
      await gc(f);
      f.clock.t += 2 * HOUR;
      const racing = Object.create(f.state) as StateStore;
      let relinked = false;
      racing.unlinkBlobEverywhere = async (digest, before) => {
        const n = await f.state.unlinkBlobEverywhere(digest, before);
        if (digest === layer && !relinked) {
          relinked = await f.state.linkBlob('p/again', { digest, size: 1 });
        }
        return n;
      };
      const r = await collectGarbage({ storage: f.storage, state: racing, now: f.clock.now });
      assert.ok(relinked);
      assert.equal(r.blobsDeleted, 0);
      assert.ok(await intact(f.storage, layer));
    } finally {
      await f.close();
    }
  });

  it('stops when aborted and a later run finishes', async () => {
    const f = await fixture(clock());
    try {
      const { garbage, bareGarbage } = await populate(f);
      f.clock.t += 2 * HOUR;
      const ac = new AbortController();
      ac.abort(new Error('stop'));
      await assert.rejects(gc(f, { signal: ac.signal }), /stop/);
      assert.deepEqual(await present(f.storage, garbage), garbage);
      assert.equal((await gc(f)).blobsDeleted, garbage.length - 1);
      assert.deepEqual(await present(f.storage, garbage), [bareGarbage]);
    } finally {
      await f.close();
    }
  });

  it('refuses bad options', async () => {
    const f = await fixture();
    try {
      await assert.rejects(gc(f, { gracePeriodMs: -1 }), /gracePeriodMs/);
      await assert.rejects(gc(f, { uploadMaxAgeMs: 1.5 }), /uploadMaxAgeMs/);
      await assert.rejects(gc(f, { storage: {} as never }), /BlobStore/);
      await assert.rejects(gc(f, { state: null as never }), /StateStore/);
      await assert.rejects(collectGarbage(null as never), /options/);
    } finally {
      await f.close();
    }
  });
});
