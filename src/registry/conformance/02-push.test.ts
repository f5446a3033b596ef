/**
 * OCI Distribution Spec conformance, "Push" workflow.
 *
 * The same requests and expectations as `conformance/02_push_test.go` of
 * github.com/opencontainers/distribution-spec at commit
 * af32c8c0de81c7e2e7c74709fd98b1c11ac55659 (ginkgo suite of spec v1.1.1),
 * against spec.md of the same commit. One `it` per upstream `Specify`, in
 * upstream order and with its name. Checks upstream runs only under a
 * condition (an earlier answer, or the OCI_AUTOMATIC_CROSSMOUNT switch set
 * as in SUITE_OPTIONS) are skipped with the reason when it does not hold.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestRegistry } from '../http/testing.js';
import type { TestRegistry } from '../http/testing.js';
import { createClient, expectStatus, relativeLocation } from './client.js';
import type { RegistryClient, Response } from './client.js';
import {
  EMPTY_LAYER_TAG,
  MANIFEST_TYPE,
  NAMESPACE,
  NONEXISTENT_MANIFEST,
  SUITE_OPTIONS,
  conformanceData,
  sha256,
} from './fixtures.js';
import type { ConformanceData } from './fixtures.js';

/** The blob pushed in two chunks (rebuilt larger if the registry asks for a minimum chunk length). */
interface ChunkedBlob {
  readonly digest: string;
  readonly length: number;
  readonly chunk1: Buffer;
  readonly chunk2: Buffer;
  readonly chunk1Range: string;
  readonly chunk2Range: string;
}

function chunkedBlob(content: Buffer): ChunkedBlob {
  const cut = Math.floor(content.length / 2) + 1;
  return {
    digest: sha256(content),
    length: content.length,
    chunk1: content.subarray(0, cut),
    chunk2: content.subarray(cut),
    chunk1Range: `0-${cut - 1}`,
    chunk2Range: `${cut}-${content.length - 1}`,
  };
}

const octet = { 'content-type': 'application/octet-stream' };

describe('Push', () => {
  let reg: TestRegistry;
  let client: RegistryClient;
  let d: ConformanceData;
  let chunked: ChunkedBlob;
  let lastResponse: Response | undefined;
  let prevResponse: Response | undefined;
  let emptyLayerManifestRef = '';

  before(async () => {
    reg = await startTestRegistry();
    client = createClient(reg.url, NAMESPACE);
    d = await conformanceData();
    chunked = chunkedBlob(d.blobB.content);
  });
  after(async () => {
    await reg.close();
  });

  const last = (): Response => {
    assert.ok(lastResponse, 'the previous check left no response');
    return lastResponse;
  };

  describe('Blob Upload Streamed', () => {
    it('PATCH request with blob in body should yield 202 response', async () => {
      const start = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST' });
      assert.ok(start.headers.get('location'), 'Location header');
      const res = await client.send(relativeLocation(start), {
        method: 'PATCH',
        headers: octet,
        body: d.blobA.content,
      });
      expectStatus(res, 202);
      lastResponse = res;
    });

    it('PUT request to session URL with digest should yield 201 response', async () => {
      const res = await client.send(relativeLocation(last()), {
        method: 'PUT',
        query: { digest: d.blobA.digest },
        headers: octet,
      });
      expectStatus(res, 201);
      assert.ok(res.headers.get('location'), 'Location header');
    });
  });

  describe('Blob Upload Monolithic', () => {
    it('GET nonexistent blob should result in 404 response', async () => {
      expectStatus(await client.send(`/v2/<name>/blobs/${d.dummyDigest}`), 404);
    });

    it('POST request with digest and blob should yield a 201 or 202', async () => {
      const config = d.configs[1]!;
      const res = await client.send('/v2/<name>/blobs/uploads/', {
        method: 'POST',
        query: { digest: config.digest },
        headers: octet,
        body: config.content,
      });
      assert.ok(res.headers.get('location'), 'Location header');
      expectStatus(res, 201, 202);
      lastResponse = res;
    });

    it('GET request to blob URL from prior request should yield 200 or 404 based on response code', async () => {
      const prior = last();
      const res = await client.send(`/v2/<name>/blobs/${d.configs[1]!.digest}`);
      expectStatus(res, prior.status === 202 ? 404 : 200);
    });

    it('POST request should yield a session ID', async () => {
      const res = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST' });
      expectStatus(res, 202);
      lastResponse = res;
    });

    it('PUT upload of a blob should yield a 201 Response', async () => {
      const config = d.configs[1]!;
      const res = await client.send(relativeLocation(last()), {
        method: 'PUT',
        query: { digest: config.digest },
        headers: octet,
        body: config.content,
      });
      assert.ok(res.headers.get('location'), 'Location header');
      expectStatus(res, 201);
    });

    it('GET request to existing blob should yield 200 response', async () => {
      expectStatus(await client.send(`/v2/<name>/blobs/${d.configs[1]!.digest}`), 200);
    });

    it('PUT upload of a layer blob should yield a 201 Response', async () => {
      const start = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST' });
      const res = await client.send(relativeLocation(start), {
        method: 'PUT',
        query: { digest: d.layer.digest },
        headers: octet,
        body: d.layer.content,
      });
      assert.ok(res.headers.get('location'), 'Location header');
      expectStatus(res, 201);
    });

    it('GET request to existing layer should yield 200 response', async () => {
      expectStatus(await client.send(`/v2/<name>/blobs/${d.layer.digest}`), 200);
    });
  });

  describe('Blob Upload Chunked', () => {
    it('Out-of-order blob upload should return 416', async () => {
      const start = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST', body: Buffer.alloc(0) });
      assert.ok(start.headers.get('location'), 'Location header');
      const minimum = start.headers.get('oci-chunk-min-length');
      if (minimum) {
        const size = Number(minimum);
        assert.ok(Number.isSafeInteger(size) && size >= 0, `OCI-Chunk-Min-Length ${minimum}`);
        if (size > chunked.chunk1.length) chunked = chunkedBlob(randomBytes(size * 2 - 2));
      }
      const res = await client.send(relativeLocation(start), {
        method: 'PATCH',
        headers: { ...octet, 'content-range': chunked.chunk2Range },
        body: chunked.chunk2,
      });
      expectStatus(res, 416);
    });

    it('PATCH request with first chunk should return 202', async () => {
      const start = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST', body: Buffer.alloc(0) });
      assert.ok(start.headers.get('location'), 'Location header');
      prevResponse = start;
      const res = await client.send(relativeLocation(start), {
        method: 'PATCH',
        headers: { ...octet, 'content-range': chunked.chunk1Range },
        body: chunked.chunk1,
      });
      expectStatus(res, 202);
      assert.equal(res.headers.get('range'), chunked.chunk1Range);
      lastResponse = res;
    });

    it('Retry previous blob chunk should return 416', async () => {
      assert.ok(prevResponse);
      const res = await client.send(relativeLocation(prevResponse), {
        method: 'PATCH',
        headers: { ...octet, 'content-range': chunked.chunk1Range },
        body: chunked.chunk1,
      });
      expectStatus(res, 416);
    });

    it('Get on stale blob upload should return 204 with a range and location', async () => {
      assert.ok(prevResponse);
      const res = await client.send(relativeLocation(prevResponse));
      expectStatus(res, 204);
      assert.ok(res.headers.get('location'), 'Location header');
      assert.equal(res.headers.get('range'), chunked.chunk1Range);
      lastResponse = res;
    });

    it('PATCH request with second chunk should return 202', async () => {
      const res = await client.send(relativeLocation(last()), {
        method: 'PATCH',
        headers: { ...octet, 'content-range': chunked.chunk2Range },
        body: chunked.chunk2,
      });
      expectStatus(res, 202);
      assert.equal(res.headers.get('range'), `0-${chunked.length - 1}`);
      assert.ok(res.headers.get('location'), 'Location header');
      lastResponse = res;
    });

    it('PUT request with digest should return 201', async () => {
      const res = await client.send(relativeLocation(last()), {
        method: 'PUT',
        query: { digest: chunked.digest },
        headers: octet,
      });
      expectStatus(res, 201);
      assert.ok(res.headers.get('location'), 'Location header');
    });
  });

  describe('Cross-Repository Blob Mount', () => {
    const uploads = (): string => `/v2/${d.crossmountNamespace}/blobs/uploads/`;

    it('Cross-mounting of a blob without the from argument should yield session id', async () => {
      const res = await client.send(uploads(), { method: 'POST', query: { mount: d.dummyDigest } });
      expectStatus(res, 202);
      assert.ok(res.headers.get('location'), 'Location header');
    });

    it("POST request to mount another repository's blob should return 201 or 202", async () => {
      const res = await client.send(uploads(), {
        method: 'POST',
        query: { mount: d.blobA.digest, from: client.name },
      });
      expectStatus(res, 201, 202);
      lastResponse = res;
    });

    it('GET request to test digest within cross-mount namespace should return 200', async (t) => {
      if (last().status !== 201) return t.skip('runs only when the mount answered 201');
      assert.equal(relativeLocation(last()), `/v2/${d.crossmountNamespace}/blobs/${d.blobA.digest}`);
      expectStatus(await client.send(relativeLocation(last())), 200);
    });

    it('Cross-mounting of nonexistent blob should yield session id', (t) => {
      if (last().status !== 202) return t.skip('runs only when the mount answered 202');
      assert.ok(relativeLocation(last()).startsWith(`/v2/${d.crossmountNamespace}/blobs/uploads/`));
    });

    it('Cross-mounting without from, and automatic content discovery enabled should return a 201', async (t) => {
      if (!SUITE_OPTIONS.runAutomaticCrossmountTest || last().status !== 201) {
        return t.skip('runs only with OCI_AUTOMATIC_CROSSMOUNT set and after a 201 mount');
      }
      if (!SUITE_OPTIONS.automaticCrossmountEnabled) return t.skip('OCI_AUTOMATIC_CROSSMOUNT=false');
      const res = await client.send(uploads(), { method: 'POST', query: { mount: d.blobA.digest } });
      expectStatus(res, 201);
    });

    it('Cross-mounting without from, and automatic content discovery disabled should return a 202', async (t) => {
      if (!SUITE_OPTIONS.runAutomaticCrossmountTest || last().status !== 201) {
        return t.skip('runs only with OCI_AUTOMATIC_CROSSMOUNT set and after a 201 mount');
      }
      if (SUITE_OPTIONS.automaticCrossmountEnabled) return t.skip('OCI_AUTOMATIC_CROSSMOUNT=true');
      const res = await client.send(uploads(), { method: 'POST', query: { mount: d.blobA.digest } });
      expectStatus(res, 202);
    });
  });

  describe('Manifest Upload', () => {
    it('GET nonexistent manifest should return 404', async () => {
      expectStatus(await client.send(`/v2/<name>/manifests/${NONEXISTENT_MANIFEST}`), 404);
    });

    it('PUT should accept a manifest upload', async () => {
      for (let i = 0; i < 4; i++) {
        const res = await client.send(`/v2/<name>/manifests/test${i}`, {
          method: 'PUT',
          headers: { 'content-type': MANIFEST_TYPE },
          body: d.manifests[1]!.content,
        });
        assert.ok(res.headers.get('location'), 'Location header');
        expectStatus(res, 201);
      }
    });

    it('Registry should accept a manifest upload with no layers', async (t) => {
      const res = await client.send(`/v2/<name>/manifests/${EMPTY_LAYER_TAG}`, {
        method: 'PUT',
        headers: { 'content-type': MANIFEST_TYPE },
        body: d.emptyLayerManifest.content,
      });
      if (res.status === 201) {
        emptyLayerManifestRef = res.headers.get('location') ?? '';
        assert.notEqual(emptyLayerManifestRef, '', 'Location header');
      } else {
        t.diagnostic(`WARNING: image manifest with no layers is not supported (status ${res.status})`);
      }
    });

    it('GET request to manifest URL (digest) should yield 200 response', async () => {
      const res = await client.send(`/v2/<name>/manifests/${d.manifests[1]!.digest}`, {
        headers: { accept: MANIFEST_TYPE },
      });
      expectStatus(res, 200);
    });
  });

  describe('Teardown', () => {
    it('Delete manifest created in tests', async () => {
      assert.ok(SUITE_OPTIONS.deleteManifestBeforeBlobs);
      const res = await client.send(`/v2/<name>/manifests/${d.manifests[1]!.digest}`, { method: 'DELETE' });
      expectStatus(res, '2xx', 405);
      if (emptyLayerManifestRef !== '') {
        const empty = await client.send(`/v2/<name>/manifests/${d.emptyLayerManifest.digest}`, {
          method: 'DELETE',
        });
        expectStatus(empty, '2xx', 405);
      }
    });

    it('Delete config blob created in tests', async () => {
      const res = await client.send(`/v2/<name>/blobs/${d.configs[1]!.digest}`, { method: 'DELETE' });
      expectStatus(res, '2xx', 404, 405);
    });

    it('Delete layer blob created in setup', async () => {
      const res = await client.send(`/v2/<name>/blobs/${d.layer.digest}`, { method: 'DELETE' });
      expectStatus(res, '2xx', 404, 405);
    });
  });
});
