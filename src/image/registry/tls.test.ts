/** The registry store against a real docker-registry serving HTTPS with a self-signed certificate. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { RegistryClient, type RegistryOptions } from './index.js';
import { buildTestImage, inspectRaw, pushImage, startDistribution, type Distribution } from './testing.js';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('self-signed TLS', () => {
  let reg: Distribution;
  let work: string;
  let raw: Buffer;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mamori-regtls-'));
    reg = await startDistribution({ tls: true });
    const image = await buildTestImage(work, { '/hello.txt': 'tls\n' });
    await pushImage(image.ref, `${reg.host}/secure/app:1`);
    raw = await inspectRaw(`${reg.host}/secure/app:1`);
  });
  after(async () => {
    await reg?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const client = (opts: RegistryOptions) =>
    new RegistryClient({ registry: reg.host, repository: 'secure/app' }, opts);

  test('fails with verification on, naming the certificate problem', async () => {
    for (const opts of [{}, { insecure: true }]) {
      const c = client(opts);
      await assert.rejects(c.fetchManifest('1', 1 << 20), (e) => {
        assert.ok(isMamoriError(e, 'NETWORK'));
        assert.match(e.message, /certificate/);
        assert.match(e.message, /tls-verify=false/);
        return true;
      });
      await c.close();
    }
  });

  test('works with tls-verify=false, still over HTTPS', async () => {
    const c = client({ tlsVerify: false });
    try {
      assert.equal((await c.ping()).protocol, 'https:');
      const m = await c.fetchManifest('1', 1 << 20);
      assert.equal(sha256(m.bytes), sha256(raw));
    } finally {
      await c.close();
    }
  });

  test('works with verification on when the certificate is trusted through ca', async () => {
    const c = client({ ca: reg.certPem as string });
    try {
      const m = await c.fetchManifest('1', 1 << 20);
      assert.equal(sha256(m.bytes), sha256(raw));
    } finally {
      await c.close();
    }
  });
});
