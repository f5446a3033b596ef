// The BlobStore expectations of the fs driver's store tests, run against a
// real S3-compatible server (s3rver in a child process, see testdata/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { isStorageError, StorageError } from '../storage/index.js';
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

test('put, stat, open, list and delete round trip through the bucket', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, s3, { stagingDir });
  const data = randomBytes(300_000);
  const digest = sha256(data);

  assert.equal(await store.stat(digest), undefined);
  assert.equal(await store.open(digest), undefined);
  assert.equal(await store.delete(digest), false);
  assert.deepEqual(await store.put(digest, Readable.from(pieces(data, 7_000)), data.length), {
    digest,
    size: data.length,
  });
  assert.deepEqual(await store.stat(digest), { digest, size: data.length });
  assert.deepEqual(await bucketKeys(s3), [`registry/blobs/sha256/${digest.slice(7)}`]);

  const opened = await store.open(digest);
  assert.ok(opened);
  assert.equal(opened.size, data.length);
  assert.equal(opened.range, undefined);
  assert.deepEqual(await readAllStream(opened.stream), data);

  const empty = sha256('');
  assert.deepEqual(await store.put(empty, pieces(Buffer.alloc(0), 1)), { digest: empty, size: 0 });
  assert.deepEqual(await store.stat(empty), { digest: empty, size: 0 });
  const openedEmpty = await store.open(empty);
  assert.ok(openedEmpty);
  assert.equal((await readAllStream(openedEmpty.stream)).length, 0);

  assert.deepEqual((await collect(store.list())).sort(), [digest, empty].sort());
  assert.equal(await store.delete(digest), true);
  assert.equal(await store.delete(digest), false);
  assert.equal(await store.stat(digest), undefined);
  assert.equal(await store.open(digest), undefined);
  assert.deepEqual(await collect(store.list()), [empty]);
  assert.deepEqual(await stagingLeftovers(stagingDir), [], 'nothing stays in staging');
});

test('range reads follow HTTP Range semantics', async (t) => {
  const store = await openStore(t, await startS3(t));
  const data = randomBytes(100_000);
  const digest = sha256(data);
  await store.put(digest, pieces(data, 65_536));

  const read = async (
    start: number,
    end: number,
  ): Promise<{ bytes: Buffer; range: unknown; size: number }> => {
    const o = await store.open(digest, { start, end });
    assert.ok(o);
    return { bytes: await readAllStream(o.stream), range: o.range, size: o.size };
  };
  const first = await read(0, 0);
  assert.deepEqual(first.bytes, data.subarray(0, 1));
  assert.deepEqual(first.range, { start: 0, end: 0 });
  assert.equal(first.size, data.length);
  assert.deepEqual((await read(99_999, 99_999)).bytes, data.subarray(99_999));
  assert.deepEqual((await read(1_000, 50_000)).bytes, data.subarray(1_000, 50_001));
  const clamped = await read(99_000, 1_000_000);
  assert.deepEqual(clamped.bytes, data.subarray(99_000));
  assert.deepEqual(clamped.range, { start: 99_000, end: 99_999 });

  for (const range of [
    { start: 100_000, end: 100_000 },
    { start: 200_000, end: 300_000 },
    { start: 10, end: 5 },
    { start: -1, end: 5 },
    { start: 0.5, end: 5 },
    { start: Number.NaN, end: 5 },
  ]) {
    await assert.rejects(
      store.open(digest, range),
      (e: unknown) => isStorageError(e, 'RANGE_INVALID') && e.status === 416 && e.size === data.length,
      JSON.stringify(range),
    );
  }
  assert.equal(await store.open(sha256('absent'), { start: 0, end: 1 }), undefined);
});

test('a second put is deduplicated without an upload, a wrong digest refused and nothing uploaded', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, s3, { stagingDir });
  const data = Buffer.from('layer contents');
  const digest = sha256(data);
  await store.put(digest, pieces(data, 4));
  await s3.requests();
  assert.deepEqual(await store.put(digest, pieces(data, 3), data.length), { digest, size: data.length });
  const calls = await s3.requests();
  assert.deepEqual(
    calls.map((r) => r.method),
    ['HEAD'],
    'only a HEAD, no upload: ' + JSON.stringify(calls),
  );
  // A known digest still needs the right content.
  await assert.rejects(store.put(digest, pieces(Buffer.from('other'), 4)), (e: unknown) =>
    isStorageError(e, 'DIGEST_INVALID'),
  );

  const wrong = sha256('something else');
  await s3.requests();
  await assert.rejects(store.put(wrong, pieces(randomBytes(50_000), 1_000)), (e: unknown) => {
    assert.ok(isStorageError(e, 'DIGEST_INVALID'));
    assert.equal(e.status, 400);
    assert.match(e.message, /not the declared sha256:/);
    return true;
  });
  assert.deepEqual(await s3.requests(), [], 'a mismatching put makes no S3 request');
  assert.equal(await store.stat(wrong), undefined);
  assert.deepEqual(await bucketKeys(s3), [`registry/blobs/sha256/${digest.slice(7)}`]);
  assert.deepEqual(await stagingLeftovers(stagingDir), []);
});

test('put enforces the declared length and the size limit, uploading nothing', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, s3, { stagingDir, maxBlobBytes: 1_000 });
  const data = randomBytes(600);
  const digest = sha256(data);
  await assert.rejects(store.put(digest, pieces(data, 100), 500), (e: unknown) =>
    isStorageError(e, 'SIZE_INVALID'),
  );
  await assert.rejects(store.put(digest, pieces(data, 100), 700), (e: unknown) =>
    isStorageError(e, 'SIZE_INVALID'),
  );
  await assert.rejects(store.put(digest, pieces(data, 100), -1), (e: unknown) =>
    isStorageError(e, 'SIZE_INVALID'),
  );
  const big = randomBytes(1_001);
  await assert.rejects(store.put(sha256(big), pieces(big, 100)), (e: unknown) => {
    assert.ok(isStorageError(e, 'TOO_LARGE'));
    assert.equal(e.status, 413);
    return true;
  });
  await assert.rejects(
    store.put(digest, Readable.from(['text', 'chunks'])),
    (e: unknown) => e instanceof Error && !(e instanceof StorageError) && /stream of bytes/.test(e.message),
  );
  async function* failing(): AsyncGenerator<Buffer> {
    yield randomBytes(500);
    throw new Error('client went away');
  }
  await assert.rejects(store.put(digest, failing()), /client went away/);
  assert.deepEqual(await bucketKeys(s3), []);
  assert.deepEqual(await stagingLeftovers(stagingDir), []);
  assert.deepEqual(await store.put(digest, pieces(data, 100), 600), { digest, size: 600 });
});

test('sha512 digests are stored and verified', async (t) => {
  const s3 = await startS3(t);
  const store = await openStore(t, s3);
  const data = randomBytes(10_000);
  const digest = `sha512:${createHash('sha512').update(data).digest('hex')}`;
  await store.put(digest, pieces(data, 999));
  assert.deepEqual(await store.stat(digest), { digest, size: data.length });
  assert.deepEqual(await collect(store.list()), [digest]);
  assert.deepEqual(await bucketKeys(s3), [`registry/blobs/sha512/${digest.slice(7)}`]);
});

test('concurrent puts and commits of overlapping blobs store each once and all succeed', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, s3, { stagingDir });
  const blobs = Array.from({ length: 5 }, (_, i) => randomBytes(200_000 + i * 1_000));
  async function* slow(data: Buffer): AsyncGenerator<Buffer> {
    for (let i = 0; i < data.length; i += 16_384) {
      await tick();
      yield data.subarray(i, i + 16_384);
    }
  }
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => {
      const data = blobs[i % blobs.length] as Buffer;
      return store.put(sha256(data), slow(data), data.length);
    }),
  );
  results.forEach((r, i) =>
    assert.deepEqual(r, {
      digest: sha256(blobs[i % blobs.length] as Buffer),
      size: (blobs[i % blobs.length] as Buffer).length,
    }),
  );
  assert.deepEqual((await collect(store.list())).sort(), blobs.map((b) => sha256(b)).sort());
  for (const b of blobs) {
    const o = await store.open(sha256(b));
    assert.ok(o);
    assert.deepEqual(await readAllStream(o.stream), b);
  }

  const shared = randomBytes(100_000);
  const sessions = await Promise.all(Array.from({ length: 10 }, () => store.startUpload()));
  const committed = await Promise.all(
    sessions.map(async (s) => {
      await store.append(s.id, 0, slow(shared.subarray(0, 60_000)));
      return store.commit(s.id, sha256(shared), slow(shared.subarray(60_000)));
    }),
  );
  assert.ok(committed.every((c) => c.digest === sha256(shared) && c.size === shared.length));
  assert.equal((await collect(store.list())).length, blobs.length + 1);
  const o = await store.open(sha256(shared));
  assert.ok(o);
  assert.deepEqual(await readAllStream(o.stream), shared);
  assert.deepEqual(await stagingLeftovers(stagingDir), []);
});

test('hostile digests and upload ids are refused before any S3 request', async (t) => {
  const s3 = await startS3(t);
  const store = await openStore(t, s3);
  const hex = 'a'.repeat(64);
  const badDigests = [
    '',
    'sha256:',
    `sha256:../../../${hex.slice(9)}`,
    `sha256:${hex.slice(1)}/`,
    `sha256:${'A'.repeat(64)}`,
    `sha256:${hex.slice(1)}\0`,
    `sha256:${hex}a`,
    `../sha256:${hex}`,
    `sha256/../../x:${hex}`,
    `md5:${'a'.repeat(32)}`,
    `sha384:${'a'.repeat(96)}`,
    `SHA256:${hex}`,
    `sha512:${hex}`,
    `sha256:${hex.slice(2)}?x`,
    `sha256:${hex.slice(3)}%2F`,
    'x'.repeat(10_000),
  ];
  const data = Buffer.from('x');
  const session = await store.startUpload();
  await store.append(session.id, 0, pieces(data, 1));
  await s3.requests();
  for (const d of badDigests) {
    const isBad = (e: unknown): boolean => isStorageError(e, 'DIGEST_INVALID') && e.status === 400;
    await assert.rejects(store.stat(d), isBad, JSON.stringify(d));
    await assert.rejects(store.open(d), isBad, JSON.stringify(d));
    await assert.rejects(store.open(d, { start: 0, end: 0 }), isBad, JSON.stringify(d));
    await assert.rejects(store.delete(d), isBad, JSON.stringify(d));
    await assert.rejects(store.read(d, 10), isBad, JSON.stringify(d));
    await assert.rejects(store.put(d, pieces(data, 1)), isBad, JSON.stringify(d));
    await assert.rejects(store.commit(session.id, d), isBad, JSON.stringify(d));
  }
  assert.equal(
    (await store.getUpload(session.id))?.size,
    1,
    'a malformed digest does not discard the upload',
  );

  const badIds = [
    '',
    '..',
    '../tmp',
    `${session.id}/../x`,
    session.id.toUpperCase(),
    `${session.id}\0`,
    'x'.repeat(5_000),
  ];
  for (const id of badIds) {
    assert.equal(await store.getUpload(id), undefined, JSON.stringify(id));
    const unknown = (e: unknown): boolean => isStorageError(e, 'BLOB_UPLOAD_UNKNOWN') && e.status === 404;
    await assert.rejects(store.append(id, 0, pieces(data, 1)), unknown, JSON.stringify(id));
    await assert.rejects(store.commit(id, sha256(data)), unknown, JSON.stringify(id));
    await assert.rejects(store.cancel(id), unknown, JSON.stringify(id));
  }
  assert.deepEqual(await s3.requests(), [], 'no request reached the server');
  assert.deepEqual(await bucketKeys(s3), []);
});

test('read gives a small blob whole, undefined when absent, TOO_LARGE past the limit', async (t) => {
  const s3 = await startS3(t);
  const store = await openStore(t, s3);
  const data = randomBytes(5000);
  await store.put(sha256(data), Readable.from([data]));
  assert.deepEqual(await store.read(sha256(data), 5000), data);
  assert.equal(await store.read(sha256(Buffer.from('absent')), 5000), undefined);
  await assert.rejects(store.read(sha256(data), 4999), (e: unknown) => isStorageError(e, 'TOO_LARGE'));
  await assert.rejects(store.read('sha256:bad', 10), (e: unknown) => isStorageError(e, 'DIGEST_INVALID'));
  await assert.rejects(store.read(sha256(data), -1), /maxBytes/);
  const empty = sha256('');
  await store.put(empty, pieces(Buffer.alloc(0), 1));
  assert.deepEqual(await store.read(empty, 0), Buffer.alloc(0));
});
