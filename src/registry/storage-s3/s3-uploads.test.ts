// Upload sessions of the S3 driver: staged locally, verified, then published
// to a real S3-compatible server (s3rver in a child process, see testdata/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createFsBlobStore, isStorageError } from '../storage/index.js';
import { startS3 } from './testdata/server.js';
import {
  bucketKeys,
  collect,
  openStore,
  pieces,
  readAllStream,
  sha256,
  stagingLeftovers,
  tempDir,
} from './testdata/helpers.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('a chunked upload resumes in a new store object and commits a verified blob to the bucket', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const first = await openStore(t, s3, { stagingDir });
  const data = randomBytes(3_000_000);
  const s = await first.startUpload();
  assert.match(s.id, UUID_RE);
  assert.equal(s.size, 0);
  assert.notEqual((await first.startUpload()).id, s.id);
  let offset = 0;
  for (const size of [1, 99_999, 400_000, 0, 733_567]) {
    const next = await first.append(s.id, offset, pieces(data.subarray(offset, offset + size), 8_192), size);
    offset += size;
    assert.equal(next.size, offset);
  }
  assert.deepEqual(await bucketKeys(s3), [], 'nothing in the bucket before commit');

  // A restart: a new store object over the same staging directory.
  first.close();
  const second = await openStore(t, s3, { stagingDir });
  const resumed = await second.getUpload(s.id);
  assert.ok(resumed);
  assert.equal(resumed.size, 1_233_567);
  assert.equal(resumed.startedAt.toISOString(), s.startedAt.toISOString());
  await assert.rejects(second.append(s.id, 0, pieces(data, 10)), (e: unknown) => {
    assert.ok(isStorageError(e, 'BLOB_UPLOAD_INVALID'));
    assert.equal(e.size, 1_233_567);
    assert.equal(e.status, 416);
    return true;
  });
  await second.append(s.id, resumed.size, pieces(data.subarray(resumed.size, 2_000_000), 65_536));
  assert.equal(await second.stat(sha256(data)), undefined, 'nothing visible before commit');
  const committed = await second.commit(s.id, sha256(data), Readable.from([data.subarray(2_000_000)]));
  assert.deepEqual(committed, { digest: sha256(data), size: data.length });
  assert.deepEqual(await bucketKeys(s3), [`registry/blobs/sha256/${sha256(data).slice(7)}`]);
  const o = await second.open(sha256(data));
  assert.ok(o);
  assert.deepEqual(await readAllStream(o.stream), data);
  assert.equal(await second.getUpload(s.id), undefined, 'a committed session is gone');
  await assert.rejects(second.append(s.id, data.length, pieces(data, 10)), (e: unknown) =>
    isStorageError(e, 'BLOB_UPLOAD_UNKNOWN'),
  );

  // sha512 after a restart is verified by rehashing the staged data.
  const u = await second.startUpload();
  await second.append(u.id, 0, pieces(data, 100_000));
  const third = await openStore(t, s3, { stagingDir });
  const d512 = `sha512:${createHash('sha512').update(data).digest('hex')}`;
  assert.deepEqual(await third.commit(u.id, d512), { digest: d512, size: data.length });
  assert.deepEqual((await collect(third.list())).sort(), [sha256(data), d512].sort());
  const left = await stagingLeftovers(stagingDir);
  assert.deepEqual(
    left.filter((f) => !f.endsWith('startedat') && !f.endsWith('/data')),
    [],
  );
});

test('a failed chunk is rolled back and the session stays usable', async (t) => {
  const s3 = await startS3(t);
  const store = await openStore(t, s3, { maxBlobBytes: 100_000 });
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
  async function* failing(): AsyncGenerator<Buffer> {
    yield data.subarray(30_000, 35_000);
    throw new Error('connection reset');
  }
  await assert.rejects(store.append(s.id, 30_000, failing()), /connection reset/);
  assert.equal((await store.getUpload(s.id))?.size, 30_000);
  // Two appends racing for the same offset: exactly one wins.
  const race = await Promise.allSettled([
    store.append(s.id, 30_000, pieces(data.subarray(30_000, 31_000), 100)),
    store.append(s.id, 30_000, pieces(data.subarray(30_000, 31_000), 100)),
  ]);
  assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
  await store.append(s.id, 31_000, pieces(data.subarray(31_000), 7_000), 59_000);
  assert.deepEqual(await store.commit(s.id, sha256(data)), { digest: sha256(data), size: data.length });
  assert.deepEqual(await bucketKeys(s3), [`registry/blobs/sha256/${sha256(data).slice(7)}`]);
});

test('committing with the wrong digest uploads nothing and discards the upload', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, s3, { stagingDir });
  const data = randomBytes(200_000);
  const wrong = sha256('not this');
  for (const restart of [false, true]) {
    const s = await store.startUpload();
    await store.append(s.id, 0, pieces(data, 10_000));
    const committer = restart ? await openStore(t, s3, { stagingDir }) : store;
    await s3.requests();
    await assert.rejects(committer.commit(s.id, wrong), (e: unknown) => {
      assert.ok(isStorageError(e, 'DIGEST_INVALID'));
      assert.equal(e.status, 400);
      assert.match(e.message, new RegExp(sha256(data).slice(7)));
      return true;
    });
    assert.deepEqual(await s3.requests(), [], 'no S3 request for a mismatching commit');
    assert.equal(await store.getUpload(s.id), undefined);
  }
  assert.equal(await store.stat(wrong), undefined);
  assert.equal(await store.stat(sha256(data)), undefined);
  assert.deepEqual(await bucketKeys(s3), []);
  assert.deepEqual(await stagingLeftovers(stagingDir), []);
});

test('commit of a blob already in the bucket deduplicates without uploading', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, s3, { stagingDir });
  const data = randomBytes(50_000);
  await store.put(sha256(data), pieces(data, 5_000));
  // Another replica (another staging directory) uploads the same blob.
  const other = await openStore(t, s3);
  const s = await other.startUpload();
  await other.append(s.id, 0, pieces(data, 5_000));
  await s3.requests();
  assert.deepEqual(await other.commit(s.id, sha256(data)), { digest: sha256(data), size: data.length });
  const calls = await s3.requests();
  assert.deepEqual(
    calls.map((r) => r.method),
    ['HEAD'],
    JSON.stringify(calls),
  );
  assert.equal(await other.getUpload(s.id), undefined);
  assert.deepEqual(await collect(store.list()), [sha256(data)]);
  assert.deepEqual(await stagingLeftovers(stagingDir), []);
});

test('cancel removes an upload; stale uploads are listed by last activity', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, s3, { stagingDir });
  const a = await store.startUpload();
  const b = await store.startUpload();
  await store.append(a.id, 0, pieces(Buffer.from('abc'), 1));
  await store.cancel(a.id);
  assert.equal(await store.getUpload(a.id), undefined);
  await assert.rejects(store.cancel(a.id), (e: unknown) => isStorageError(e, 'BLOB_UPLOAD_UNKNOWN'));
  await assert.rejects(store.commit(a.id, sha256('abc')), (e: unknown) =>
    isStorageError(e, 'BLOB_UPLOAD_UNKNOWN'),
  );
  const old = new Date(Date.now() - 2 * 3600_000);
  await utimes(join(stagingDir, 'uploads', b.id, 'data'), old, old);
  assert.deepEqual(await collect(store.staleUploads(new Date(Date.now() - 3600_000))), [b.id]);
  assert.deepEqual(await bucketKeys(s3), []);
});

test('recover() uploads verified blobs an interrupted commit left in staging', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const data = randomBytes(70_000);
  // What a crash after local verification, before the S3 upload, leaves behind.
  const staged = await createFsBlobStore(stagingDir, { fsync: false });
  await staged.put(sha256(data), pieces(data, 7_000));
  const store = await openStore(t, s3, { stagingDir });
  assert.equal(await store.stat(sha256(data)), undefined);
  const report = await store.recover();
  assert.deepEqual(report, { tempRemoved: 0, brokenUploadsRemoved: 0, blobsPushed: 1 });
  const o = await store.open(sha256(data));
  assert.ok(o);
  assert.deepEqual(await readAllStream(o.stream), data);
  assert.deepEqual(await stagingLeftovers(stagingDir), []);
  assert.deepEqual(await store.recover(), { tempRemoved: 0, brokenUploadsRemoved: 0, blobsPushed: 0 });
});
