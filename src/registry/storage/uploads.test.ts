import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createFsBlobStore, isStorageError } from './index.js';
import { collect, pieces, readAllStream, sha256, tempDir } from './testdata/helpers.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('a chunked upload across several appends commits a verified blob', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root);
  const data = randomBytes(1_000_000);
  const s = await store.startUpload();
  assert.match(s.id, UUID_RE);
  assert.equal(s.size, 0);
  assert.notEqual((await store.startUpload()).id, s.id);

  let offset = 0;
  for (const size of [1, 99_999, 400_000, 0, 300_000]) {
    const next = await store.append(s.id, offset, pieces(data.subarray(offset, offset + size), 8_192), size);
    offset += size;
    assert.equal(next.size, offset);
    assert.equal((await store.getUpload(s.id))?.size, offset);
  }
  assert.equal(await store.stat(sha256(data)), undefined, 'nothing visible before commit');
  const committed = await store.commit(s.id, sha256(data), Readable.from([data.subarray(offset)]));
  assert.deepEqual(committed, { digest: sha256(data), size: data.length });
  const o = await store.open(sha256(data));
  assert.ok(o);
  assert.deepEqual(await readAllStream(o.stream), data);
  assert.equal(await store.getUpload(s.id), undefined, 'a committed session is gone');
  await assert.rejects(store.append(s.id, data.length, pieces(data, 10)), (e: unknown) =>
    isStorageError(e, 'BLOB_UPLOAD_UNKNOWN'),
  );
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('an append at the wrong offset is refused with the current size', async (t) => {
  const store = await createFsBlobStore(await tempDir(t));
  const s = await store.startUpload();
  await store.append(s.id, 0, pieces(Buffer.from('hello '), 3));
  for (const offset of [0, 5, 7, 1e9, -1, 2.5]) {
    await assert.rejects(store.append(s.id, offset, pieces(Buffer.from('world'), 5)), (e: unknown) => {
      assert.ok(isStorageError(e, 'BLOB_UPLOAD_INVALID'), String(offset));
      assert.equal(e.size, 6);
      assert.equal(e.status, 416);
      return true;
    });
  }
  assert.equal((await store.getUpload(s.id))?.size, 6);
  // Two appends racing for the same offset: exactly one wins.
  const race = await Promise.allSettled([
    store.append(s.id, 6, pieces(Buffer.from('world'), 1)),
    store.append(s.id, 6, pieces(Buffer.from('WORLD'), 1)),
  ]);
  assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
  const rejected = race.find((r) => r.status === 'rejected');
  assert.ok(
    rejected && isStorageError(rejected.reason, 'BLOB_UPLOAD_INVALID') && rejected.reason.size === 11,
  );
});

test('a failed chunk is rolled back and the session stays usable', async (t) => {
  const store = await createFsBlobStore(await tempDir(t), { maxBlobBytes: 100_000 });
  const data = randomBytes(90_000);
  const s = await store.startUpload();
  await store.append(s.id, 0, pieces(data.subarray(0, 30_000), 1_000));
  await assert.rejects(
    store.append(s.id, 30_000, pieces(data.subarray(30_000, 40_000), 1_000), 20_000),
    (e: unknown) => isStorageError(e, 'SIZE_INVALID'),
  );
  await assert.rejects(store.append(s.id, 30_000, pieces(randomBytes(80_000), 1_000)), (e: unknown) =>
    isStorageError(e, 'TOO_LARGE'),
  );
  await assert.rejects(store.append(s.id, 30_000, pieces(randomBytes(80_000), 1_000), 80_000), (e: unknown) =>
    isStorageError(e, 'TOO_LARGE'),
  );
  async function* failing(): AsyncGenerator<Buffer> {
    yield data.subarray(30_000, 35_000);
    throw new Error('connection reset');
  }
  await assert.rejects(store.append(s.id, 30_000, failing()), /connection reset/);
  assert.equal((await store.getUpload(s.id))?.size, 30_000);
  await store.append(s.id, 30_000, pieces(data.subarray(30_000), 7_000), 60_000);
  assert.deepEqual(await store.commit(s.id, sha256(data)), { digest: sha256(data), size: data.length });
});

test('an upload resumes in a new store object over the same root, hash recomputed from disk', async (t) => {
  const root = await tempDir(t);
  const data = randomBytes(3_000_000);
  const first = await createFsBlobStore(root);
  const s = await first.startUpload();
  await first.append(s.id, 0, pieces(data.subarray(0, 1_234_567), 65_536));

  const second = await createFsBlobStore(root);
  const resumed = await second.getUpload(s.id);
  assert.ok(resumed);
  assert.equal(resumed.size, 1_234_567);
  assert.equal(resumed.startedAt.toISOString(), s.startedAt.toISOString());
  await second.append(s.id, resumed.size, pieces(data.subarray(resumed.size), 65_536));
  assert.deepEqual(await second.commit(s.id, sha256(data)), { digest: sha256(data), size: data.length });

  // sha512 is verified by rehashing the data file.
  const t512 = await second.startUpload();
  await second.append(t512.id, 0, pieces(data, 100_000));
  const d512 = `sha512:${createHash('sha512').update(data).digest('hex')}`;
  assert.deepEqual(await second.commit(t512.id, d512), { digest: d512, size: data.length });
});

test('committing with the wrong digest makes nothing visible and discards the upload', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root);
  const data = randomBytes(200_000);
  const wrong = sha256('not this');
  for (const restart of [false, true]) {
    const s = await store.startUpload();
    await store.append(s.id, 0, pieces(data, 10_000));
    const committer = restart ? await createFsBlobStore(root) : store;
    await assert.rejects(committer.commit(s.id, wrong), (e: unknown) => {
      assert.ok(isStorageError(e, 'DIGEST_INVALID'));
      assert.match(e.message, new RegExp(sha256(data).slice(7)));
      return true;
    });
    assert.equal(await store.stat(wrong), undefined);
    assert.equal(await store.stat(sha256(data)), undefined);
    assert.equal(await store.getUpload(s.id), undefined);
  }
  // Bytes changed on disk under a session are caught by the rehash after a restart.
  const s = await store.startUpload();
  await store.append(s.id, 0, pieces(data, 10_000));
  const fh = await open(join(root, 'uploads', s.id, 'data'), 'r+');
  await fh.write(Buffer.from([data[100]! ^ 0xff]), 0, 1, 100);
  await fh.close();
  await assert.rejects((await createFsBlobStore(root)).commit(s.id, sha256(data)), (e: unknown) =>
    isStorageError(e, 'DIGEST_INVALID'),
  );
  assert.deepEqual(await collect(store.list()), []);
  assert.deepEqual(await readdir(join(root, 'uploads')), []);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('commit of an already stored blob deduplicates and discards the upload', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root);
  const data = randomBytes(50_000);
  await store.put(sha256(data), pieces(data, 5_000));
  const s = await store.startUpload();
  await store.append(s.id, 0, pieces(data, 5_000));
  assert.deepEqual(await store.commit(s.id, sha256(data)), { digest: sha256(data), size: data.length });
  assert.deepEqual(await readdir(join(root, 'uploads')), []);
  assert.deepEqual(await collect(store.list()), [sha256(data)]);
});

test('cancel removes an upload; stale uploads are listed by last activity', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root);
  const a = await store.startUpload();
  const b = await store.startUpload();
  const c = await store.startUpload();
  await store.append(a.id, 0, pieces(Buffer.from('abc'), 1));
  await store.cancel(a.id);
  assert.equal(await store.getUpload(a.id), undefined);
  await assert.rejects(store.cancel(a.id), (e: unknown) => isStorageError(e, 'BLOB_UPLOAD_UNKNOWN'));
  await assert.rejects(store.commit(a.id, sha256('abc')), (e: unknown) =>
    isStorageError(e, 'BLOB_UPLOAD_UNKNOWN'),
  );

  const old = new Date(Date.now() - 2 * 3600_000);
  await utimes(join(root, 'uploads', b.id, 'data'), old, old);
  const cutoff = new Date(Date.now() - 3600_000);
  assert.deepEqual(await collect(store.staleUploads(cutoff)), [b.id]);
  assert.equal((await store.getUpload(b.id))?.updatedAt.getTime(), old.getTime());
  // Appending touches the session, so it is no longer stale.
  await store.append(b.id, 0, pieces(Buffer.alloc(0), 1));
  assert.deepEqual(await collect(store.staleUploads(cutoff)), []);
  assert.deepEqual(
    (await collect(store.staleUploads(new Date(Date.now() + 1000)))).sort(),
    [b.id, c.id].sort(),
  );
  assert.ok((await stat(join(root, 'uploads', c.id))).isDirectory());
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('recover() removes what earlier processes left in tmp/ and data-less sessions, keeps live work', async (t) => {
  const root = await tempDir(t);
  const first = await createFsBlobStore(root);
  const live = await first.startUpload();
  await first.append(live.id, 0, pieces(Buffer.from('keep me'), 2));
  const broken = await first.startUpload();
  await rm(join(root, 'uploads', broken.id, 'data'));
  await writeFile(join(root, 'tmp', 'stray.blob'), 'half a blob');
  await mkdir(join(root, 'tmp', 'stray.upload'));
  const past = new Date(Date.now() - 60_000);
  for (const p of ['tmp/stray.blob', 'tmp/stray.upload', `uploads/${broken.id}`])
    await utimes(join(root, p), past, past);

  const store = await createFsBlobStore(root);
  await writeFile(join(root, 'tmp', 'in-flight.blob'), 'written after this store started');
  assert.deepEqual(await store.recover(), { tempRemoved: 2, brokenUploadsRemoved: 1 });
  assert.deepEqual(await readdir(join(root, 'tmp')), ['in-flight.blob']);
  assert.deepEqual(await readdir(join(root, 'uploads')), [live.id]);
  assert.equal((await store.getUpload(live.id))?.size, 7);
  assert.deepEqual(await store.recover(new Date(Date.now() + 1000)), {
    tempRemoved: 1,
    brokenUploadsRemoved: 0,
  });
});
