/**
 * OCI Distribution Spec requirements of the "Push" workflow that the
 * reference conformance suite (ginkgo version, commit
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
import { createClient, expectStatus, pushBlob, pushManifest, relativeLocation } from './client.js';
import type { RegistryClient } from './client.js';
import { MANIFEST_TYPE, sha256 } from './fixtures.js';
import { blob, desc, expectErrorBody, image, octet, pushImage } from './extras.js';

describe('spec requirements beyond the reference suite: Push', () => {
  let reg: TestRegistry;
  const repo = (name: string): RegistryClient => createClient(reg.url, name);

  before(async () => {
    reg = await startTestRegistry();
  });
  after(async () => {
    await reg.close();
  });

  describe('Push', () => {
    let client: RegistryClient;
    before(() => {
      client = repo('extras/push');
    });

    it('POST for a session answers 202 with a Location naming the session (Pushing a blob monolithically)', async () => {
      const res = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST' });
      expectStatus(res, 202);
      const loc = relativeLocation(res);
      assert.match(loc, /^\/v2\/extras\/push\/blobs\/uploads\/[^/?]+/);
    });

    it('single POST with a digest answers 201 with a pullable Location (Single POST)', async () => {
      const b = blob(randomBytes(100));
      const res = await client.send('/v2/<name>/blobs/uploads/', {
        method: 'POST',
        query: { digest: b.digest },
        headers: octet,
        body: b.content,
      });
      expectStatus(res, 201);
      const got = await client.send(relativeLocation(res));
      expectStatus(got, 200);
      assert.deepEqual(got.body, b.content);
    });

    it('POST then PUT answers 201 with a pullable Location (POST then PUT)', async () => {
      const b = blob(randomBytes(100));
      const res = await pushBlob(client, b);
      expectStatus(res, 201);
      const got = await client.send(relativeLocation(res));
      expectStatus(got, 200);
      assert.deepEqual(got.body, b.content);
    });

    it('each PATCH answers 202 with Location and Range 0-<end>, and the final chunk may come with the closing PUT (Pushing a blob in chunks)', async () => {
      const b = blob(randomBytes(90));
      const start = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST', body: Buffer.alloc(0) });
      expectStatus(start, 202);
      let loc = relativeLocation(start);
      for (const [from, to] of [
        [0, 29],
        [30, 59],
      ] as const) {
        const res = await client.send(loc, {
          method: 'PATCH',
          headers: { ...octet, 'content-range': `${from}-${to}` },
          body: b.content.subarray(from, to + 1),
        });
        expectStatus(res, 202);
        assert.equal(res.headers.get('range'), `0-${to}`);
        loc = relativeLocation(res);
        assert.notEqual(loc, '', 'Location header');
      }
      const done = await client.send(loc, {
        method: 'PUT',
        query: { digest: b.digest },
        headers: { ...octet, 'content-range': '60-89' },
        body: b.content.subarray(60),
      });
      expectStatus(done, 201);
      const got = await client.send(relativeLocation(done));
      expectStatus(got, 200);
      assert.deepEqual(got.body, b.content);
    });

    it('a chunk that leaves a gap answers 416, and GET then reports 204 with Location and the Range stored (Pushing a blob in chunks)', async () => {
      const b = randomBytes(40);
      const start = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST', body: Buffer.alloc(0) });
      const first = await client.send(relativeLocation(start), {
        method: 'PATCH',
        headers: { ...octet, 'content-range': '0-19' },
        body: b.subarray(0, 20),
      });
      expectStatus(first, 202);
      const gap = await client.send(relativeLocation(first), {
        method: 'PATCH',
        headers: { ...octet, 'content-range': '25-39' },
        body: b.subarray(25),
      });
      expectStatus(gap, 416);
      const status = await client.send(relativeLocation(first));
      expectStatus(status, 204);
      assert.ok(status.headers.get('location'), 'Location header');
      assert.equal(status.headers.get('range'), '0-19');
    });

    it('closing PUT with a digest that does not match the content answers 400 DIGEST_INVALID (Error Codes code-4)', async () => {
      const start = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST' });
      const res = await client.send(relativeLocation(start), {
        method: 'PUT',
        query: { digest: sha256('something else') },
        headers: octet,
        body: randomBytes(10),
      });
      expectStatus(res, 400);
      expectErrorBody(res, 'DIGEST_INVALID');
    });

    it('DELETE of an upload session answers 204 and ends it (redesigned suite: blob-post-cancel)', async () => {
      const start = await client.send('/v2/<name>/blobs/uploads/', { method: 'POST' });
      expectStatus(start, 202);
      expectStatus(await client.send(relativeLocation(start), { method: 'DELETE' }), 204);
      const gone = await client.send(relativeLocation(start));
      expectStatus(gone, 404);
      expectErrorBody(gone, 'BLOB_UPLOAD_UNKNOWN');
    });

    it('a manifest PUT under a malformed digest answers 400, and GET of it 400 or 404 (redesigned suite: invalid-digest-format)', async () => {
      const img = image();
      expectStatus(await pushBlob(client, img.config), 201);
      expectStatus(await pushBlob(client, img.layer), 201);
      expectStatus(
        await pushManifest(client, 'sha256:baddigeststring', img.manifest.content, MANIFEST_TYPE),
        400,
      );
      expectStatus(await client.send('/v2/<name>/manifests/sha256:baddigeststring'), 400, 404);
    });

    it('a cross-repository mount answers 201 with the Location of the blob in the target repository (Mounting a blob)', async () => {
      const b = blob(randomBytes(50));
      expectStatus(await pushBlob(client, b), 201);
      const target = repo('extras/mount-target');
      const res = await target.send('/v2/<name>/blobs/uploads/', {
        method: 'POST',
        query: { mount: b.digest, from: client.name },
      });
      expectStatus(res, 201);
      assert.equal(relativeLocation(res), `/v2/extras/mount-target/blobs/${b.digest}`);
      const got = await target.send(relativeLocation(res));
      expectStatus(got, 200);
      assert.deepEqual(got.body, b.content);
    });

    it('a mount the registry cannot do answers 202 with an upload Location (Mounting a blob)', async () => {
      const res = await repo('extras/mount-target').send('/v2/<name>/blobs/uploads/', {
        method: 'POST',
        query: { mount: sha256('not stored'), from: client.name },
      });
      expectStatus(res, 202);
      assert.ok(relativeLocation(res).startsWith('/v2/extras/mount-target/blobs/uploads/'));
    });

    it('a manifest PUT by digest answers 201 with a pullable Location and that digest in Docker-Content-Digest (Pushing Manifests)', async () => {
      const img = image();
      const res = await pushImage(client, img);
      assert.equal(res.headers.get('docker-content-digest'), img.manifest.digest);
      const got = await client.send(relativeLocation(res), { headers: { accept: MANIFEST_TYPE } });
      expectStatus(got, 200);
      assert.deepEqual(got.body, img.manifest.content);
    });

    it('a manifest with a subject answers OCI-Subject, also before the subject exists (Pushing Manifests with Subject)', async () => {
      const subject = image();
      const referrer = image({
        artifactType: 'application/vnd.example.extras',
        subject: desc(MANIFEST_TYPE, subject.manifest),
      });
      const res = await pushImage(client, referrer);
      assert.equal(res.headers.get('oci-subject'), subject.manifest.digest);
    });

    it('a manifest naming a blob the repository lacks is accepted or refused with MANIFEST_BLOB_UNKNOWN (Push)', async () => {
      const img = image();
      const res = await pushManifest(client, 'lacking', img.manifest.content, MANIFEST_TYPE);
      if (res.status !== 201) {
        expectStatus(res, 400, 404);
        expectErrorBody(res, 'MANIFEST_BLOB_UNKNOWN');
      }
    });

    it('a manifest of 4 MiB is accepted (Pushing Manifests: SHOULD support at least 4 megabytes)', async () => {
      const img = image();
      expectStatus(await pushBlob(client, img.config), 201);
      expectStatus(await pushBlob(client, img.layer), 201);
      const base = JSON.parse(img.manifest.content.toString('utf8')) as Record<string, unknown>;
      // The size comes from a field unknown to the image spec, which implementations ignore.
      const shell = Buffer.from(JSON.stringify({ ...base, padding: '' }));
      const padded = Buffer.from(
        JSON.stringify({ ...base, padding: 'x'.repeat(4 * 1024 * 1024 - shell.length) }),
      );
      assert.equal(padded.length, 4 * 1024 * 1024);
      expectStatus(await pushManifest(client, 'big', padded, MANIFEST_TYPE), 201);
    });
  });
});
