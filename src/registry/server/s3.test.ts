// mamori server with its blobs in an S3-compatible bucket: a real image
// pushed and pulled with skopeo through the registry, the blobs in the
// bucket (not on local disk), and everything still there after a restart.
// The bucket is served by s3rver, a standalone S3 implementation over HTTP
// (Debian 12 packages no S3 server that runs without a Ceph cluster); see
// src/registry/storage-s3/testdata/server.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ACCESS_KEY, SECRET_KEY } from '../storage-s3/testdata/helpers.js';
import { startS3 } from '../storage-s3/testdata/server.js';
import { startRegistryServer } from './index.js';

const run = promisify(execFile);
const PASSWORD = 's3-test-admin-password';
const CREDS = `admin:${PASSWORD}`;

test('blobs in an S3 bucket: skopeo push and pull, same digests, kept across a restart', async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'mamori-server-s3-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const s3 = await startS3(t);
  const layout = join(work, 'layout');
  const sh = (cmd: string, args: string[]) =>
    run(cmd, args, { env: { ...process.env, HOME: work }, maxBuffer: 16 * 1024 * 1024 }).then(
      (r) => r.stdout,
    );
  await sh('umoci', ['init', '--layout', layout]);
  await sh('umoci', ['new', '--image', `${layout}:app`]);
  await sh('umoci', ['unpack', '--rootless', '--image', `${layout}:app`, join(work, 'bundle')]);
  await sh('sh', ['-c', `head -c 3000000 /dev/urandom > '${join(work, 'bundle', 'rootfs', 'data.bin')}'`]);
  await sh('umoci', ['repack', '--image', `${layout}:app`, join(work, 'bundle')]);

  const options = {
    listen: '127.0.0.1:0',
    data: join(work, 'data'),
    adminPassword: PASSWORD,
    scanning: { enabled: false },
    gc: { intervalMs: 0 },
    s3: {
      endpoint: s3.endpoint,
      region: 'us-east-1',
      bucket: s3.bucket,
      prefix: 'registry/',
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      forcePathStyle: true,
    },
  };
  let server = await startRegistryServer(options);
  const host = () => new URL(server.url).host;
  try {
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    await sh('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      CREDS,
      `oci:${layout}:app`,
      `docker://${host()}/team/app:1`,
    ]);
  } finally {
    await server.close();
  }
  assert.deepEqual(
    await readdir(join(work, 'data')).then((d) => d.includes('storage')),
    false,
    'no local blob store',
  );
  const inBucket = await readdir(join(s3.dir, s3.bucket), { recursive: true });
  assert.ok(
    inBucket.some((p) => p.includes('blobs')),
    `blobs in the bucket: ${inBucket.slice(0, 5).join(', ')}`,
  );

  server = await startRegistryServer(options);
  try {
    await sh('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      CREDS,
      `docker://${host()}/team/app:1`,
      `oci:${join(work, 'out')}:app`,
    ]);
    const pushed = await sh('skopeo', ['inspect', '--raw', `oci:${layout}:app`]);
    const pulled = await sh('skopeo', ['inspect', '--raw', `oci:${join(work, 'out')}:app`]);
    assert.equal(pulled, pushed);
    const layers = (JSON.parse(pulled) as { layers: { digest: string }[] }).layers;
    for (const l of layers) {
      const hex = l.digest.slice('sha256:'.length);
      const got = await sh('sha256sum', [join(work, 'out', 'blobs', 'sha256', hex)]);
      assert.equal(got.split(' ')[0], hex);
    }
  } finally {
    await server.close();
  }
});
