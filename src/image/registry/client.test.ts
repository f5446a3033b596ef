/**
 * The registry store against a real CNCF Distribution registry without
 * authentication, holding images pushed by skopeo.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { openRegistryStore, RegistryClient } from './index.js';
import {
  addImageIndex,
  buildTestImage,
  inspectRaw,
  pushImage,
  startDistribution,
  type Distribution,
} from './testing.js';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

interface Desc {
  digest: string;
  size: number;
  mediaType: string;
}

describe('registry store against docker-registry (no auth)', () => {
  let reg: Distribution;
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mamori-regtest-'));
    reg = await startDistribution();
    const image = await buildTestImage(work, {
      '/hello.txt': 'hello from mamori\n',
      '/etc/os-release': 'ID=test\n',
    });
    await pushImage(image.ref, `${reg.host}/test/hello:oci`);
    await pushImage(image.ref, `${reg.host}/test/hello:docker`, { format: 'v2s2' });
    const index = await addImageIndex(image, 'multi');
    await pushImage(index.ref, `${reg.host}/test/hello:multi`, { all: true });
  });

  after(async () => {
    await reg?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const store = () =>
    openRegistryStore({ registry: reg.host, repository: 'test/hello' }, { tlsVerify: false });

  for (const [tag, mediaType] of [
    ['oci', 'application/vnd.oci.image.manifest.v1+json'],
    ['docker', 'application/vnd.docker.distribution.manifest.v2+json'],
  ] as const) {
    test(`fetches the ${tag} manifest and its blobs byte for byte`, async () => {
      const s = store();
      try {
        const raw = await inspectRaw(`${reg.host}/test/hello:${tag}`);
        const m = await s.fetchManifest(tag, 1 << 20);
        assert.equal(m.mediaType, mediaType);
        assert.equal(sha256(m.bytes), sha256(raw));
        assert.equal(m.digest, sha256(raw));
        const doc = JSON.parse(m.bytes.toString('utf8')) as { config: Desc; layers: Desc[] };
        assert.equal(doc.layers.length, 2);
        for (const d of [doc.config, ...doc.layers]) {
          const bytes = await readAll(await s.openBlob(d.digest, d.size));
          assert.equal(bytes.length, d.size);
          assert.equal(sha256(bytes), d.digest);
        }
        // Without a size the stream is passed through as served.
        const layer = doc.layers[0] as Desc;
        assert.equal(sha256(await readAll(await s.openBlob(layer.digest))), layer.digest);
        // By digest, too.
        const byDigest = await s.fetchManifest(sha256(raw), 1 << 20);
        assert.deepEqual(byDigest.bytes, m.bytes);
      } finally {
        await s.close();
      }
    });
  }

  test('fetches an OCI image index pushed with skopeo --all', async () => {
    const s = store();
    try {
      const raw = await inspectRaw(`${reg.host}/test/hello:multi`);
      const m = await s.fetchManifest('multi', 1 << 20);
      assert.equal(m.mediaType, 'application/vnd.oci.image.index.v1+json');
      assert.equal(sha256(m.bytes), sha256(raw));
      const child = (JSON.parse(m.bytes.toString('utf8')) as { manifests: Desc[] }).manifests[0] as Desc;
      const inner = await s.fetchManifest(child.digest, 1 << 20);
      assert.equal(sha256(inner.bytes), child.digest);
    } finally {
      await s.close();
    }
  });

  test('a manifest larger than maxBytes is LIMIT_EXCEEDED', async () => {
    const s = store();
    try {
      await assert.rejects(s.fetchManifest('oci', 100), (e) => isMamoriError(e, 'LIMIT_EXCEEDED'));
    } finally {
      await s.close();
    }
  });

  test('missing tag, repository and blob are NOT_FOUND with the registry message', async () => {
    const s = store();
    const other = openRegistryStore({ registry: reg.host, repository: 'test/absent' }, { tlsVerify: false });
    try {
      await assert.rejects(s.fetchManifest('nope', 1 << 20), (e) => {
        assert.ok(isMamoriError(e, 'NOT_FOUND'));
        assert.match(e.message, /manifest unknown/);
        assert.match(e.message, /test\/hello/);
        return true;
      });
      await assert.rejects(other.fetchManifest('latest', 1 << 20), (e) => isMamoriError(e, 'NOT_FOUND'));
      const missing = `sha256:${'0'.repeat(64)}`;
      await assert.rejects(s.openBlob(missing, 10), (e) => {
        assert.ok(isMamoriError(e, 'NOT_FOUND'));
        assert.match(e.message, /blob unknown/);
        return true;
      });
    } finally {
      await s.close();
      await other.close();
    }
  });

  test('invalid tags and digests are refused before any request', async () => {
    const s = store();
    try {
      await assert.rejects(s.fetchManifest('../../x', 100), (e) => isMamoriError(e, 'INVALID_REFERENCE'));
      await assert.rejects(s.openBlob('sha256:abc'), (e) => isMamoriError(e, 'INVALID_REFERENCE'));
      await assert.rejects(s.openBlob(`md5:${'0'.repeat(32)}`), (e) => isMamoriError(e, 'INVALID_REFERENCE'));
      for (const repository of ['Upper/case', 'a/../b', 'a//b', 'a/b?x=1']) {
        assert.throws(
          () => openRegistryStore({ registry: reg.host, repository }),
          (e) => isMamoriError(e, 'INVALID_REFERENCE'),
          repository,
        );
      }
      assert.throws(
        () => openRegistryStore({ registry: 'bad host', repository: 'a' }),
        (e) => isMamoriError(e, 'INVALID_REFERENCE'),
      );
    } finally {
      await s.close();
    }
  });

  test('a plain-HTTP registry fails with TLS verification on and works when marked insecure', async () => {
    const strict = new RegistryClient({ registry: reg.host, repository: 'test/hello' });
    const insecure = new RegistryClient({ registry: reg.host, repository: 'test/hello' }, { insecure: true });
    try {
      await assert.rejects(strict.fetchManifest('oci', 1 << 20), (e) => {
        assert.ok(isMamoriError(e, 'NETWORK'));
        assert.match(e.message, /tls-verify=false/);
        return true;
      });
      assert.equal((await insecure.ping()).protocol, 'http:');
      assert.ok((await insecure.fetchManifest('oci', 1 << 20)).bytes.length > 0);
    } finally {
      await strict.close();
      await insecure.close();
    }
  });

  test('a schema 1 manifest is refused clearly', async () => {
    // The real registry converts a schema 2 manifest to schema 1 for clients
    // that do not accept schema 2; this proxy drops the Accept header to get
    // that conversion from it.
    const proxy = http.createServer((req, res) => {
      const headers = { ...req.headers };
      delete headers.accept;
      const up = http.request(`${reg.url}${req.url ?? '/'}`, { method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    const s = openRegistryStore(
      { registry: `127.0.0.1:${port}`, repository: 'test/hello' },
      { tlsVerify: false },
    );
    try {
      await assert.rejects(s.fetchManifest('docker', 1 << 20), (e) => {
        assert.ok(isMamoriError(e, 'INVALID_MANIFEST'));
        assert.match(e.message, /schema 1/);
        return true;
      });
    } finally {
      await s.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  test('closing the store stops further use', async () => {
    const s = store();
    await s.close();
    await assert.rejects(s.fetchManifest('oci', 1 << 20), (e) => isMamoriError(e, 'INTERNAL'));
  });
});
