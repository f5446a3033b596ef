// Small helpers shared by the S3 storage tests.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createS3BlobStore, type S3BlobStore, type S3BlobStoreOptions } from '../index.js';
import type { TestS3 } from './server.js';

export const ACCESS_KEY = 'S3RVER';
export const SECRET_KEY = 'S3RVER';

interface Ctx {
  after(fn: () => Promise<void> | void): void;
}

export async function tempDir(t: Ctx): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-s3store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A store on the test server; closed after the test. */
export async function openStore(
  t: Ctx,
  s3: Pick<TestS3, 'endpoint' | 'bucket'>,
  overrides: Partial<S3BlobStoreOptions> = {},
): Promise<S3BlobStore> {
  const store = await createS3BlobStore({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    prefix: 'registry/',
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    forcePathStyle: true,
    stagingDir: overrides.stagingDir ?? (await tempDir(t)),
    fsync: false,
    ...overrides,
  });
  t.after(() => store.close());
  return store;
}





/** Files left in the staging store's tmp/ and uploads/ and blobs (nothing after a finished write). */
export async function stagingLeftovers(stagingDir: string): Promise<string[]> {
  const entries = await readdir(stagingDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(stagingDir.length + 1))
    .sort();
}

/** Every key in the test bucket, listed by a client of its own (not through the store). */
export async function bucketKeys(s3: TestS3): Promise<string[]> {
  const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  } finally {
    client.destroy();
  }
}

export { collect, pieces, readAllStream, sha256 } from '../../storage/testdata/helpers.js';
