// Failures of the S3 side map to StorageError IO with actionable messages
// and never carry credentials; bad settings are refused up front. Against a
// real S3-compatible server (s3rver in a child process, see testdata/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { MamoriError } from '../../core/index.js';
import { isStorageError } from '../storage/index.js';
import { createS3BlobStore, type S3BlobStore } from './index.js';
import { startS3 } from './testdata/server.js';
import { collect, openStore, pieces, sha256, stagingLeftovers, tempDir } from './testdata/helpers.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const KEY_ID = 'AKIAMAMORITESTKEY0001';
const data = Buffer.from('some layer');
const digest = sha256(data);

/** Runs every bucket-touching operation, returning the errors thrown. */
async function failures(store: S3BlobStore): Promise<unknown[]> {
  const out: unknown[] = [];
  const attempt = async (p: Promise<unknown>): Promise<void> => {
    await p.then(
      () => out.push(new Error('expected a failure')),
      (e: unknown) => out.push(e),
    );
  };
  await attempt(store.check());
  await attempt(store.open(digest));
  await attempt(collect(store.list()));
  await attempt(store.put(digest, pieces(data, 3)));
  const s = await store.startUpload();
  await store.append(s.id, 0, pieces(data, 3));
  await attempt(store.commit(s.id, digest));
  return out;
}

function assertNoSecrets(e: unknown): void {
  for (const text of [String(e), inspect(e, { depth: 10 }), JSON.stringify(e)]) {
    assert.ok(!text.includes(SECRET), `secret in ${text}`);
    assert.ok(!text.includes(KEY_ID), `access key id in ${text}`);
  }
}

test('a missing bucket is reported as such', async (t) => {
  const s3 = await startS3(t, undefined);
  const stagingDir = await tempDir(t);
  const store = await openStore(t, { ...s3, bucket: 'no-such-bucket' }, { stagingDir });
  const errors = await failures(store);
  assert.equal(errors.length, 5);
  for (const e of errors) {
    assert.ok(isStorageError(e, 'IO'), String(e));
    assert.equal(e.status, 500);
    assert.match(e.message, /S3 bucket "no-such-bucket" does not exist/);
  }
  // A failed upload to S3 leaves nothing staged.
  assert.deepEqual(
    (await stagingLeftovers(stagingDir)).filter((f) => !f.startsWith('uploads/')),
    [],
  );
});

test('denied access names the cause and never the credentials', async (t) => {
  const s3 = await startS3(t);
  const store = await openStore(t, s3, { accessKeyId: KEY_ID, secretAccessKey: SECRET });
  const errors = await failures(store);
  for (const e of errors) {
    assert.ok(isStorageError(e, 'IO'), String(e));
    assert.match(e.message, /access to S3 bucket "mamori-test" denied .*\((InvalidAccessKeyId|HTTP 403)\)/);
    assertNoSecrets(e);
  }
  // HEAD has no body: the 403 alone says access was denied.
  await assert.rejects(store.stat(digest), (e: unknown) => {
    assert.ok(isStorageError(e, 'IO'));
    assert.match(e.message, /denied/);
    assertNoSecrets(e);
    return true;
  });
  assert.ok(!inspect(store, { depth: 10 }).includes(SECRET));
  assert.ok(!store.location.includes(KEY_ID));
});

test('an unreachable endpoint is reported with its address', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as { port: number };
      srv.close(() => resolve(p));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const store = await openStore(
    t,
    { endpoint, bucket: 'b' },
    { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  );
  for (const e of await failures(store)) {
    assert.ok(isStorageError(e, 'IO'), String(e));
    assert.match(e.message, new RegExp(`S3 endpoint ${endpoint} unreachable .*ECONNREFUSED`));
    assertNoSecrets(e);
  }
  assert.equal(store.location, `s3://b/registry/ (${endpoint})`);
});

test('bad settings are refused before any request, without echoing secrets', async (t) => {
  const stagingDir = await tempDir(t);
  const base = {
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    bucket: 'b',
    prefix: '',
    accessKeyId: KEY_ID,
    secretAccessKey: SECRET,
    forcePathStyle: true,
    stagingDir,
  };
  const bad = [
    { endpoint: `https://${KEY_ID}:${encodeURIComponent(SECRET)}@s3.example.com` },
    { endpoint: 'ftp://s3.example.com' },
    { endpoint: 'not a url' },
    { endpoint: `https://s3.example.com/?key=${KEY_ID}` },
    { accessKeyId: undefined },
    { secretAccessKey: '' },
    { secretAccessKey: undefined },
    { bucket: '' },
    { bucket: 'a/b' },
    { region: '' },
    { prefix: '/abs/' },
    { prefix: 'no-slash' },
    { prefix: 'x\n/' },
  ];
  for (const override of bad) {
    await assert.rejects(createS3BlobStore({ ...base, ...override }), (e: unknown) => {
      assert.ok(e instanceof MamoriError && e.code === 'INVALID_ARGUMENT', String(e));
      assertNoSecrets(e);
      return true;
    });
  }
  const ok = await createS3BlobStore({ ...base, prefix: 'a/b/' });
  ok.close();
  const noCredentials = await createS3BlobStore({
    ...base,
    accessKeyId: undefined,
    secretAccessKey: undefined,
  });
  noCredentials.close();
});

test('check() resolves for a reachable, existing bucket', async (t) => {
  const store = await openStore(t, await startS3(t));
  await store.check();
});

test('a server answering a range with the wrong bytes is an error, not a wrong blob', async (t) => {
  // Unpatched s3rver 3.7.1 answers `Range: bytes=0-0` with the whole object.
  const store = await openStore(t, await startS3(t, 'mamori-test', { unpatched: true }));
  const blob = Buffer.from('0123456789');
  await store.put(sha256(blob), pieces(blob, 4));
  await assert.rejects(store.open(sha256(blob), { start: 0, end: 0 }), (e: unknown) => {
    assert.ok(isStorageError(e, 'IO'));
    assert.match(e.message, /S3 answered 10 bytes/);
    return true;
  });
  const o = await store.open(sha256(blob), { start: 1, end: 2 });
  assert.ok(o);
  assert.equal((await collect(o.stream)).join(''), '12');
});
