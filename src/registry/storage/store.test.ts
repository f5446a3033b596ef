import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { createFsBlobStore, isStorageError, StorageError } from './index.js';
import { collect, pieces, readAllStream, sha256, tempDir, tree } from './testdata/helpers.js';

test('put, stat, open, list and delete round trip', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root);
  const data = randomBytes(300_000);
  const digest = sha256(data);

  assert.equal(await store.stat(digest), undefined);
  assert.equal(await store.open(digest), undefined);
  assert.deepEqual(await store.put(digest, Readable.from(pieces(data, 7_000)), data.length), {
    digest,
    size: data.length,
  });
  assert.deepEqual(await store.stat(digest), { digest, size: data.length });
  const hex = digest.slice('sha256:'.length);
  assert.deepEqual(await readFile(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex)), data);

  const opened = await store.open(digest);
  assert.ok(opened);
  assert.equal(opened.size, data.length);
  assert.deepEqual(await readAllStream(opened.stream), data);

  const empty = sha256('');
  await store.put(empty, pieces(Buffer.alloc(0), 1));
  assert.deepEqual(await store.stat(empty), { digest: empty, size: 0 });
  const openedEmpty = await store.open(empty);
  assert.ok(openedEmpty);
  assert.equal((await readAllStream(openedEmpty.stream)).length, 0);

  assert.deepEqual((await collect(store.list())).sort(), [digest, empty].sort());
  assert.equal(await store.delete(digest), true);
  assert.equal(await store.delete(digest), false);
  assert.equal(await store.stat(digest), undefined);
  assert.deepEqual(await collect(store.list()), [empty]);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('range reads follow HTTP Range semantics', async (t) => {
  const store = await createFsBlobStore(await tempDir(t));
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
});

test('a second put of the same digest is deduplicated, a wrong one refused and nothing kept', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root);
  const data = Buffer.from('layer contents');
  const digest = sha256(data);
  await store.put(digest, pieces(data, 4));
  const before = await stat(join(root, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7)));
  assert.deepEqual(await store.put(digest, pieces(data, 3), data.length), { digest, size: data.length });
  const after = await stat(join(root, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7)));
  assert.equal(after.ino, before.ino, 'the stored file was not rewritten');
  // A known digest still needs the right content.
  await assert.rejects(store.put(digest, pieces(Buffer.from('other'), 4)), (e: unknown) =>
    isStorageError(e, 'DIGEST_INVALID'),
  );

  const wrong = sha256('something else');
  await assert.rejects(store.put(wrong, pieces(randomBytes(50_000), 1_000)), (e: unknown) => {
    assert.ok(isStorageError(e, 'DIGEST_INVALID'));
    assert.equal(e.status, 400);
    assert.match(e.message, /not the declared sha256:/);
    return true;
  });
  assert.equal(await store.stat(wrong), undefined);
  assert.deepEqual(await collect(store.list()), [digest]);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('put enforces the declared length and the size limit, keeping nothing', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root, { maxBlobBytes: 1_000 });
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
  await assert.rejects(store.put(sha256(big), pieces(big, 100), 1_001), (e: unknown) =>
    isStorageError(e, 'TOO_LARGE'),
  );
  await assert.rejects(
    store.put(digest, Readable.from(['text', 'chunks'])),
    (e: unknown) => e instanceof Error && !(e instanceof StorageError) && /stream of bytes/.test(e.message),
  );
  assert.deepEqual(await collect(store.list()), []);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
  assert.deepEqual(await store.put(digest, pieces(data, 100), 600), { digest, size: 600 });
});

test('a source that fails mid-stream leaves nothing behind and its error surfaces', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root);
  async function* failing(): AsyncGenerator<Buffer> {
    yield randomBytes(200_000);
    throw new Error('client went away');
  }
  await assert.rejects(store.put(sha256('x'), failing()), /client went away/);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
  assert.deepEqual(await collect(store.list()), []);
});

test('sha512 digests are stored and verified', async (t) => {
  const store = await createFsBlobStore(await tempDir(t));
  const data = randomBytes(10_000);
  const { createHash } = await import('node:crypto');
  const digest = `sha512:${createHash('sha512').update(data).digest('hex')}`;
  await store.put(digest, pieces(data, 999));
  assert.deepEqual(await store.stat(digest), { digest, size: data.length });
  assert.deepEqual(await collect(store.list()), [digest]);
});

test('50 concurrent puts of overlapping blobs store each blob once and all succeed', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root);
  const blobs = Array.from({ length: 10 }, (_, i) => randomBytes(200_000 + i * 1_000));
  async function* slow(data: Buffer): AsyncGenerator<Buffer> {
    for (let i = 0; i < data.length; i += 16_384) {
      await tick();
      yield data.subarray(i, i + 16_384);
    }
  }
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => {
      const data = blobs[i % blobs.length] as Buffer;
      return store.put(sha256(data), slow(data), data.length);
    }),
  );
  assert.equal(results.length, 50);
  results.forEach((r, i) => assert.equal(r.digest, sha256(blobs[i % blobs.length] as Buffer)));
  const listed = (await collect(store.list())).sort();
  assert.deepEqual(listed, blobs.map((b) => sha256(b)).sort());
  for (const b of blobs) {
    const o = await store.open(sha256(b));
    assert.ok(o);
    assert.deepEqual(await readAllStream(o.stream), b);
  }
  assert.deepEqual(await readdir(join(root, 'tmp')), []);

  // The same through upload sessions committing one digest concurrently.
  const shared = randomBytes(100_000);
  const sessions = await Promise.all(Array.from({ length: 20 }, () => store.startUpload()));
  const committed = await Promise.all(
    sessions.map(async (s) => {
      await store.append(s.id, 0, slow(shared.subarray(0, 60_000)));
      return store.commit(s.id, sha256(shared), slow(shared.subarray(60_000)));
    }),
  );
  assert.ok(committed.every((c) => c.digest === sha256(shared) && c.size === shared.length));
  assert.equal((await collect(store.list())).length, blobs.length + 1);
  assert.deepEqual(await readdir(join(root, 'uploads')), []);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('digests and upload ids that could escape the root are refused', async (t) => {
  const parent = await tempDir(t);
  const root = join(parent, 'store');
  const store = await createFsBlobStore(root);
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
    'x'.repeat(10_000),
  ];
  const data = Buffer.from('x');
  for (const d of badDigests) {
    const isBad = (e: unknown): boolean => isStorageError(e, 'DIGEST_INVALID') && e.status === 400;
    await assert.rejects(store.stat(d), isBad, JSON.stringify(d));
    await assert.rejects(store.open(d), isBad, JSON.stringify(d));
    await assert.rejects(store.delete(d), isBad, JSON.stringify(d));
    await assert.rejects(store.put(d, pieces(data, 1)), isBad, JSON.stringify(d));
  }
  const session = await store.startUpload();
  for (const d of badDigests) {
    await assert.rejects(store.commit(session.id, d), (e: unknown) => isStorageError(e, 'DIGEST_INVALID'));
  }
  assert.ok(await store.getUpload(session.id), 'a malformed digest does not discard the upload');

  const badIds = [
    '',
    '..',
    '../tmp',
    `../uploads/${session.id}`,
    `${session.id}/../x`,
    session.id.toUpperCase(),
    `${session.id}\0`,
    `${session.id.slice(0, -1)}/`,
    'x'.repeat(5_000),
  ];
  for (const id of badIds) {
    assert.equal(await store.getUpload(id), undefined, JSON.stringify(id));
    const unknown = (e: unknown): boolean => isStorageError(e, 'BLOB_UPLOAD_UNKNOWN') && e.status === 404;
    await assert.rejects(store.append(id, 0, pieces(data, 1)), unknown, JSON.stringify(id));
    await assert.rejects(store.commit(id, sha256(data)), unknown, JSON.stringify(id));
    await assert.rejects(store.cancel(id), unknown, JSON.stringify(id));
  }
  assert.deepEqual(await readdir(parent), ['store']);
  assert.deepEqual(await tree(root), [
    'blobs',
    'blobs/sha256',
    'blobs/sha512',
    'tmp',
    'uploads',
    `uploads/${session.id}`,
    `uploads/${session.id}/data`,
    `uploads/${session.id}/startedat`,
  ]);
});

test('read gives a small blob whole, undefined when absent, TOO_LARGE past the limit', async (t) => {
  const root = await tempDir(t);
  const store = await createFsBlobStore(root, { fsync: false });
  const data = randomBytes(5000);
  await store.put(sha256(data), Readable.from([data]));
  assert.deepEqual(await store.read(sha256(data), 5000), data);
  assert.equal(await store.read(sha256(Buffer.from('absent')), 5000), undefined);
  await assert.rejects(store.read(sha256(data), 4999), (e: unknown) => isStorageError(e, 'TOO_LARGE'));
  await assert.rejects(store.read('sha256:bad', 10), (e: unknown) => isStorageError(e, 'DIGEST_INVALID'));
});
