// list() pages through ListObjectsV2 (at most 1000 keys a page) and yields
// only keys of this store's layout, against a real S3-compatible server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3 } from './testdata/server.js';
import { ACCESS_KEY, SECRET_KEY, collect, openStore, pieces, sha256 } from './testdata/helpers.js';

const COUNT = 1_205;

test('list() streams more than a page of blobs and skips keys that are not blobs', async (t) => {
  const s3 = await startS3(t);
  const store = await openStore(t, s3);
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  t.after(() => client.destroy());
  const put = (key: string, body: string): Promise<unknown> =>
    client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));

  // Small objects written straight into the bucket, as a store would lay them out.
  const expected: string[] = [];
  const bodies = Array.from({ length: COUNT }, (_, i) => `blob ${i}`);
  for (let i = 0; i < bodies.length; i += 25) {
    await Promise.all(
      bodies.slice(i, i + 25).map((body) => {
        const digest = sha256(body);
        expected.push(digest);
        return put(`registry/blobs/sha256/${digest.slice(7)}`, body);
      }),
    );
  }
  // Through the store too, both algorithms.
  const own = Buffer.from('through the store');
  await store.put(sha256(own), pieces(own, 5));
  const d512 = `sha512:${createHash('sha512').update(own).digest('hex')}`;
  await store.put(d512, pieces(own, 5));
  expected.push(sha256(own), d512);
  // Keys that are not blobs of this store.
  const hex = 'b'.repeat(64);
  for (const key of [
    `other/blobs/sha256/${hex}`,
    `registry/blobs/sha256/${hex.slice(1)}`,
    `registry/blobs/sha256/${hex.toUpperCase()}`,
    `registry/blobs/sha256/${hex}/extra`,
    `registry/blobs/md5/${'b'.repeat(32)}`,
    `registry/blobs/sha512/${hex}`,
    `registry/uploads/${hex}`,
    'registry/blobs/readme',
  ]) {
    await put(key, 'not a blob');
  }

  await s3.requests();
  const listed = await collect(store.list());
  const listings = (await s3.requests()).filter((r) => r.method === 'GET' && r.url.includes('list-type=2'));
  assert.ok(listings.length >= 2, `${listings.length} listing requests for ${COUNT + 2} blobs`);
  assert.equal(listed.length, expected.length);
  assert.deepEqual([...listed].sort(), [...expected].sort());
});
