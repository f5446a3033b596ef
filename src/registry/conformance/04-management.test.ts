/**
 * OCI Distribution Spec conformance, "Content Management" workflow.
 *
 * The same requests and expectations as `conformance/04_management_test.go`
 * of github.com/opencontainers/distribution-spec at commit
 * af32c8c0de81c7e2e7c74709fd98b1c11ac55659 (ginkgo suite of spec v1.1.1),
 * against spec.md of the same commit. One `it` per upstream `Specify`, in
 * upstream order and with its name (upstream has no teardown checks here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRegistry } from '../http/testing.js';
import type { TestRegistry } from '../http/testing.js';
import { createClient, errorEntries, expectStatus, pushBlob, pushManifest } from './client.js';
import type { RegistryClient } from './client.js';
import { MANIFEST_TYPE, NAMESPACE, TEST_TAG, conformanceData } from './fixtures.js';
import type { ConformanceData } from './fixtures.js';

describe('Content Management', () => {
  let reg: TestRegistry;
  let client: RegistryClient;
  let d: ConformanceData;
  let tagToDelete = '';
  let numTags = 0;
  let blobDeleteAllowed = true;

  before(async () => {
    reg = await startTestRegistry();
    client = createClient(reg.url, NAMESPACE);
    d = await conformanceData();
  });
  after(async () => {
    await reg.close();
  });

  /** The tags of a tag list body, which must parse. */
  const parseTags = (body: Buffer): unknown[] => {
    const parsed = JSON.parse(body.toString('utf8')) as { tags?: unknown };
    return Array.isArray(parsed.tags) ? parsed.tags : [];
  };

  describe('Setup', () => {
    it('Populate registry with test config blob', async () => {
      expectStatus(await pushBlob(client, d.configs[3]!), '2xx');
    });

    it('Populate registry with test layer', async () => {
      expectStatus(await pushBlob(client, d.layer), '2xx');
    });

    it('Populate registry with test tag', async () => {
      tagToDelete = TEST_TAG;
      expectStatus(await pushManifest(client, tagToDelete, d.manifests[3]!.content, MANIFEST_TYPE), '2xx');
    });

    it('Check how many tags there are before anything gets deleted', async () => {
      const res = await client.send('/v2/<name>/tags/list');
      expectStatus(res, 200);
      numTags = parseTags(res.body).length;
    });
  });

  describe('Manifest delete', () => {
    it('DELETE request to manifest tag should return 202, unless tag deletion is disallowed (400/405)', async () => {
      const res = await client.send(`/v2/<name>/manifests/${tagToDelete}`, { method: 'DELETE' });
      expectStatus(res, 400, 202, 405);
      if (res.status === 400) {
        const errors = errorEntries(res);
        assert.ok(errors.length > 0);
        assert.equal(errors[0]!.code, 'UNSUPPORTED');
      }
    });

    it('DELETE request to manifest (digest) should yield 202 response unless already deleted', async () => {
      const res = await client.send(`/v2/<name>/manifests/${d.manifests[3]!.digest}`, { method: 'DELETE' });
      expectStatus(res, 202, 404);
    });

    it('GET request to deleted manifest URL should yield 404 response, unless delete is disallowed', async () => {
      const res = await client.send(`/v2/<name>/manifests/${d.manifests[3]!.digest}`);
      expectStatus(res, 404, 200);
    });

    it('GET request to tags list should reflect manifest deletion', async () => {
      const res = await client.send('/v2/<name>/tags/list');
      expectStatus(res, 404, 200);
      const expectTags = numTags - 1;
      if (res.status === 200) assert.equal(parseTags(res.body).length, expectTags);
      if (res.status === 404) assert.equal(expectTags, 0);
    });
  });

  describe('Blob delete', () => {
    it('DELETE request to blob URL should yield 202 response', async () => {
      const config = await client.send(`/v2/<name>/blobs/${d.configs[3]!.digest}`, { method: 'DELETE' });
      expectStatus(config, 202, 404, 405);
      const layer = await client.send(`/v2/<name>/blobs/${d.layer.digest}`, { method: 'DELETE' });
      expectStatus(layer, 202, 404, 405);
      if (layer.status === 405) blobDeleteAllowed = false;
    });

    it('GET request to deleted blob URL should yield 404 response', async (t) => {
      if (!blobDeleteAllowed) return t.skip('runs only when blob deletion is allowed');
      expectStatus(await client.send(`/v2/<name>/blobs/${d.configs[3]!.digest}`), 404);
    });
  });
});
