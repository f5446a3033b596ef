/**
 * OCI Distribution Spec requirements of the "Pull" workflow that the
 * reference conformance suite (ginkgo version, commit
 * af32c8c0de81c7e2e7c74709fd98b1c11ac55659) checks only loosely or not at
 * all. Each check names the spec.md section (same commit) whose MUST/SHOULD
 * it holds the registry to. Checks marked "redesigned suite" follow the
 * upstream suite that replaced the ginkgo one (`conformance/run.go` and
 * `api.go`, commit 967efdc079b91785ad18c77cc4f8991a47feefbf). Its Range
 * checks also accept a full 200 answer in place of a partial one.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestRegistry } from '../http/testing.js';
import type { TestRegistry } from '../http/testing.js';
import { createClient, expectStatus, pushBlob } from './client.js';
import type { RegistryClient } from './client.js';
import { MANIFEST_TYPE, sha256 } from './fixtures.js';
import type { TestBlob } from './fixtures.js';
import { blob, expectErrorBody, image, pushImage } from './extras.js';
import type { Image } from './extras.js';

describe('spec requirements beyond the reference suite: Pull', () => {
  let reg: TestRegistry;
  const repo = (name: string): RegistryClient => createClient(reg.url, name);

  before(async () => {
    reg = await startTestRegistry();
  });
  after(async () => {
    await reg.close();
  });

  describe('Pull', () => {
    let client: RegistryClient;
    let img: Image;
    before(async () => {
      client = repo('extras/pull');
      img = image();
      await pushImage(client, img, 'v1');
    });

    it('GET /v2/ answers 200 (Determining Support)', async () => {
      expectStatus(await client.send('/v2/'), 200);
    });

    it('HEAD on a blob answers 200 with Docker-Content-Digest and Content-Length and no body (Checking if content exists)', async () => {
      const res = await client.send(`/v2/<name>/blobs/${img.layer.digest}`, { method: 'HEAD' });
      expectStatus(res, 200);
      assert.equal(res.headers.get('docker-content-digest'), img.layer.digest);
      assert.equal(res.headers.get('content-length'), String(img.layer.length));
      assert.equal(res.body.length, 0);
    });

    it('HEAD on a manifest by tag answers 200 with Docker-Content-Digest and Content-Length (Checking if content exists)', async () => {
      const res = await client.send('/v2/<name>/manifests/v1', {
        method: 'HEAD',
        headers: { accept: MANIFEST_TYPE },
      });
      expectStatus(res, 200);
      assert.equal(res.headers.get('docker-content-digest'), img.manifest.digest);
      assert.equal(res.headers.get('content-length'), String(img.manifest.length));
      assert.equal(res.body.length, 0);
    });

    it('HEAD on a missing blob or manifest answers 404 (Checking if content exists)', async () => {
      expectStatus(await client.send(`/v2/<name>/blobs/${sha256('missing')}`, { method: 'HEAD' }), 404);
      expectStatus(await client.send(`/v2/<name>/manifests/${sha256('missing')}`, { method: 'HEAD' }), 404);
      expectStatus(await client.send('/v2/<name>/manifests/missing', { method: 'HEAD' }), 404);
    });

    it('GET on a blob returns its bytes with a Docker-Content-Digest matching them (Pulling blobs)', async () => {
      const res = await client.send(`/v2/<name>/blobs/${img.layer.digest}`);
      expectStatus(res, 200);
      assert.deepEqual(res.body, img.layer.content);
      const h = res.headers.get('docker-content-digest');
      if (h !== null) assert.equal(h, sha256(res.body));
    });

    it('GET on a manifest by tag returns the exact bytes pushed, their Content-Type and digest (Pulling manifests, Pushing Manifests)', async () => {
      const res = await client.send('/v2/<name>/manifests/v1', { headers: { accept: MANIFEST_TYPE } });
      expectStatus(res, 200);
      assert.deepEqual(res.body, img.manifest.content);
      assert.equal(res.headers.get('content-type'), MANIFEST_TYPE);
      assert.equal(res.headers.get('docker-content-digest'), img.manifest.digest);
    });

    it('pulling from a repository that does not exist answers 404 (Pushing Manifests)', async () => {
      const other = repo('extras/never-pushed');
      expectStatus(await other.send('/v2/<name>/manifests/v1'), 404);
      expectStatus(await other.send(`/v2/<name>/manifests/${img.manifest.digest}`), 404);
      expectStatus(await other.send(`/v2/<name>/blobs/${img.layer.digest}`), 404);
    });

    describe('Range requests on blobs (Pulling blobs: SHOULD support Range per RFC 9110; redesigned suite)', () => {
      let big: TestBlob;
      before(async () => {
        big = blob(randomBytes(2048));
        expectStatus(await pushBlob(client, big), 201);
      });
      const partial = (name: string, range: string, start: number, end: number): void => {
        it(`${name} answers 206 with bytes ${start}-${end} (or the whole blob with 200)`, async () => {
          const res = await client.send(`/v2/<name>/blobs/${big.digest}`, { headers: { range } });
          if (res.status === 200) {
            assert.deepEqual(res.body, big.content);
            return;
          }
          expectStatus(res, 206);
          assert.deepEqual(res.body, big.content.subarray(start, end + 1));
          assert.equal(res.headers.get('content-length'), String(end - start + 1));
          assert.ok(
            [`bytes ${start}-${end}/${big.length}`, `bytes ${start}-${end}/*`].includes(
              res.headers.get('content-range') ?? '',
            ),
            `Content-Range ${res.headers.get('content-range')}`,
          );
        });
      };
      partial('range 500-1499', 'bytes=500-1499', 500, 1499);
      partial('range 500-', 'bytes=500-', 500, 2047);
      partial('range -500', 'bytes=-500', 1548, 2047);
      partial('range 2000-5000', 'bytes=2000-5000', 2000, 2047);
      for (const [name, range] of [
        ['range 500-0', 'bytes=500-0'],
        ['range 5000-10000', 'bytes=5000-10000'],
      ] as const) {
        it(`${name} answers 416 (or the whole blob with 200)`, async () => {
          const res = await client.send(`/v2/<name>/blobs/${big.digest}`, { headers: { range } });
          if (res.status === 200) assert.deepEqual(res.body, big.content);
          else expectStatus(res, 416);
        });
      }
    });

    describe('404 error bodies are {errors:[{code,message,detail}]} (Error Codes)', () => {
      it('unknown blob → BLOB_UNKNOWN', async () => {
        const res = await client.send(`/v2/<name>/blobs/${sha256('missing')}`);
        expectStatus(res, 404);
        expectErrorBody(res, 'BLOB_UNKNOWN');
      });

      it('unknown manifest by digest and by tag → MANIFEST_UNKNOWN', async () => {
        for (const ref of [sha256('missing'), 'missing']) {
          const res = await client.send(`/v2/<name>/manifests/${ref}`);
          expectStatus(res, 404);
          expectErrorBody(res, 'MANIFEST_UNKNOWN');
        }
      });

      it('tag list of an unknown repository → NAME_UNKNOWN', async () => {
        const res = await repo('extras/never-pushed').send('/v2/<name>/tags/list');
        expectStatus(res, 404);
        expectErrorBody(res, 'NAME_UNKNOWN');
      });

      it('unknown upload session → BLOB_UPLOAD_UNKNOWN', async () => {
        const res = await client.send('/v2/<name>/blobs/uploads/no-such-session');
        expectStatus(res, 404);
        expectErrorBody(res, 'BLOB_UPLOAD_UNKNOWN');
      });
    });
  });
});
