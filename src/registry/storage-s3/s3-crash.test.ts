// The S3 server dies in the middle of a multipart upload: the blob must not
// be visible after it restarts, nothing is left in staging, and a retry
// stores the blob. Against a real S3-compatible server (s3rver in a child
// process, killed with SIGKILL, see testdata/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isStorageError } from '../storage/index.js';
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

const MiB = 1024 * 1024;

test('a server crash during a multipart upload leaves no blob visible', async (t) => {
  const s3 = await startS3(t);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, s3, { stagingDir });
  const data = randomBytes(24 * MiB + 5);
  const digest = sha256(data);

  const firstPart = s3.waitFor((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url));
  const put = store.put(digest, pieces(data, MiB), data.length);
  await firstPart;
  await s3.kill();
  await assert.rejects(put, (e: unknown) => {
    assert.ok(isStorageError(e, 'IO'), String(e));
    t.diagnostic(e.message);
    assert.match(e.message, /S3 endpoint http:\/\/127\.0\.0\.1:\d+ unreachable|S3 error/);
    return true;
  });
  assert.deepEqual(await stagingLeftovers(stagingDir), []);

  // The same data directory served again.
  const again = await startS3(t, s3.bucket, { dir: s3.dir });
  const after = await openStore(t, again, { stagingDir });
  assert.equal(await after.stat(digest), undefined);
  assert.deepEqual(await collect(after.list()), []);
  assert.deepEqual(await bucketKeys(again), []);

  assert.deepEqual(await after.put(digest, pieces(data, MiB), data.length), { digest, size: data.length });
  const o = await after.open(digest);
  assert.ok(o);
  assert.deepEqual(await readAllStream(o.stream), data);
});
