/**
 * OCI Distribution Spec requirements of the "Content Management" workflow
 * that the reference conformance suite (ginkgo version, commit
 * af32c8c0de81c7e2e7c74709fd98b1c11ac55659) checks only loosely or not at
 * all. Each check names the spec.md section (same commit) whose MUST/SHOULD
 * it holds the registry to. Checks marked "redesigned suite" follow the
 * upstream suite that replaced the ginkgo one (`conformance/run.go` and
 * `api.go`, commit 967efdc079b91785ad18c77cc4f8991a47feefbf).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestRegistry } from '../http/testing.js';
import type { TestRegistry } from '../http/testing.js';
import { createClient, expectStatus, pushBlob, pushManifest, tagList } from './client.js';
import type { RegistryClient } from './client.js';
import { MANIFEST_TYPE, sha256 } from './fixtures.js';
import { blob, image, pushImage } from './extras.js';

describe('spec requirements beyond the reference suite: Content Management', () => {
  let reg: TestRegistry;
  const repo = (name: string): RegistryClient => createClient(reg.url, name);

  before(async () => {
    reg = await startTestRegistry();
  });
  after(async () => {
    await reg.close();
  });

  describe('Content Management', () => {
    let client: RegistryClient;
    before(() => {
      client = repo('extras/management');
    });

    it('DELETE of a tag answers 202, then the tag answers 404 and the manifest stays pullable by digest (Deleting tags)', async () => {
      const img = image();
      await pushImage(client, img, 'gone');
      expectStatus(await pushManifest(client, 'kept', img.manifest.content, MANIFEST_TYPE), 201);
      expectStatus(await client.send('/v2/<name>/manifests/gone', { method: 'DELETE' }), 202);
      expectStatus(await client.send('/v2/<name>/manifests/gone'), 404);
      expectStatus(await client.send(`/v2/<name>/manifests/${img.manifest.digest}`), 200);
      expectStatus(await client.send('/v2/<name>/manifests/kept'), 200);
    });

    it('DELETE of a manifest by digest answers 202, then the digest and every tag on it answer 404 (Deleting Manifests)', async () => {
      const img = image();
      await pushImage(client, img, 'one');
      expectStatus(await pushManifest(client, 'two', img.manifest.content, MANIFEST_TYPE), 201);
      expectStatus(
        await client.send(`/v2/<name>/manifests/${img.manifest.digest}`, { method: 'DELETE' }),
        202,
      );
      for (const ref of [img.manifest.digest, 'one', 'two']) {
        expectStatus(await client.send(`/v2/<name>/manifests/${ref}`), 404);
      }
      assert.ok(!tagList(await client.send('/v2/<name>/tags/list')).includes('one'));
    });

    it('DELETE of a manifest in a repository that does not exist answers 404 (Deleting Manifests)', async () => {
      const res = await repo('extras/never-pushed').send(`/v2/<name>/manifests/${sha256('x')}`, {
        method: 'DELETE',
      });
      expectStatus(res, 404);
    });

    it('DELETE of a blob answers 202, then the blob answers 404 (Deleting Blobs)', async () => {
      const b = blob(randomBytes(30));
      expectStatus(await pushBlob(client, b), 201);
      expectStatus(await client.send(`/v2/<name>/blobs/${b.digest}`, { method: 'DELETE' }), 202);
      expectStatus(await client.send(`/v2/<name>/blobs/${b.digest}`), 404);
      expectStatus(await client.send(`/v2/<name>/blobs/${b.digest}`, { method: 'HEAD' }), 404);
    });

    it('DELETE of a blob the repository does not hold answers 404 (Deleting Blobs)', async () => {
      expectStatus(
        await client.send(`/v2/<name>/blobs/${sha256('never pushed')}`, { method: 'DELETE' }),
        404,
      );
    });
  });
});
