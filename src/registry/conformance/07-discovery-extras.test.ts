/**
 * OCI Distribution Spec requirements of the "Content Discovery" workflow
 * that the reference conformance suite (ginkgo version, commit
 * af32c8c0de81c7e2e7c74709fd98b1c11ac55659) checks only loosely or not at
 * all. Each check names the spec.md section (same commit) whose MUST/SHOULD
 * it holds the registry to. Checks marked "redesigned suite" follow the
 * upstream suite that replaced the ginkgo one (`conformance/run.go` and
 * `api.go`, commit 967efdc079b91785ad18c77cc4f8991a47feefbf).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRegistry } from '../http/testing.js';
import type { TestRegistry } from '../http/testing.js';
import { createClient, expectStatus, pushBlob, pushManifest, relativeLocation, tagList } from './client.js';
import type { RegistryClient } from './client.js';
import { INDEX_TYPE, MANIFEST_TYPE } from './fixtures.js';
import type { TestBlob } from './fixtures.js';
import { blob, desc, image, nextLink, pushImage } from './extras.js';
import type { Image } from './extras.js';

describe('spec requirements beyond the reference suite: Content Discovery', () => {
  let reg: TestRegistry;
  const repo = (name: string): RegistryClient => createClient(reg.url, name);

  before(async () => {
    reg = await startTestRegistry();
  });
  after(async () => {
    await reg.close();
  });

  describe('Content Discovery', () => {
    let client: RegistryClient;
    const all = ['a1', 'a2', 'b1', 'b2', 'c1'];
    let subject: Image;
    before(async () => {
      client = repo('extras/discovery');
      subject = image();
      for (const tag of all) await pushImage(client, subject, tag);
    });

    it('the tag list is {name, tags} with every tag (Listing Tags)', async () => {
      const res = await client.send('/v2/<name>/tags/list');
      expectStatus(res, 200);
      assert.deepEqual(JSON.parse(res.body.toString('utf8')), { name: client.name, tags: all });
    });

    it('n=0 answers an empty list without a Link header (Listing Tags)', async () => {
      const res = await client.send('/v2/<name>/tags/list', { query: { n: '0' } });
      expectStatus(res, 200);
      assert.deepEqual(tagList(res), []);
      assert.equal(res.headers.get('link'), null);
    });

    it('a page holds n tags unless a Link rel="next" is given, and following Link lists every tag once (Listing Tags)', async () => {
      const seen: string[] = [];
      let path: string | undefined = '/v2/<name>/tags/list?n=2';
      for (let pages = 0; path !== undefined; pages++) {
        assert.ok(pages < 10, 'pagination does not end');
        const res = await client.send(path);
        expectStatus(res, 200);
        const page = tagList(res);
        const next = nextLink(res);
        if (next === undefined) assert.equal(page.length, Math.min(2, all.length - seen.length));
        seen.push(...page);
        path =
          next === undefined
            ? undefined
            : relativeLocation({ ...res, headers: new Headers({ location: next }) });
      }
      assert.deepEqual(seen, all);
    });

    it('`last` without `n` lists the tags after it (Listing Tags)', async () => {
      const res = await client.send('/v2/<name>/tags/list', { query: { last: 'b1' } });
      expectStatus(res, 200);
      assert.deepEqual(tagList(res), ['b2', 'c1']);
    });

    describe('referrers', () => {
      const typeA = 'application/vnd.example.extras.a';
      let byArtifactType: Image;
      let byConfig: TestBlob;
      let index: TestBlob;
      let indexWithType: TestBlob;

      before(async () => {
        byArtifactType = image({
          artifactType: typeA,
          subject: desc(MANIFEST_TYPE, subject.manifest),
          annotations: { 'org.example.kind': 'by-artifact-type' },
        });
        await pushImage(client, byArtifactType);
        // artifactType missing: the config media type stands for it.
        const config = blob(Buffer.from('{"kind":"b"}'));
        expectStatus(await pushBlob(client, config), 201);
        byConfig = blob(
          Buffer.from(
            JSON.stringify({
              schemaVersion: 2,
              mediaType: MANIFEST_TYPE,
              config: desc('application/vnd.example.extras.b', config),
              layers: [],
              subject: desc(MANIFEST_TYPE, subject.manifest),
              annotations: { 'org.example.kind': 'by-config' },
            }),
          ),
        );
        expectStatus(await pushManifest(client, byConfig.digest, byConfig.content, MANIFEST_TYPE), 201);
        const indexOf = (extra: Record<string, unknown>): TestBlob =>
          blob(
            Buffer.from(
              JSON.stringify({
                schemaVersion: 2,
                mediaType: INDEX_TYPE,
                ...extra,
                manifests: [desc(MANIFEST_TYPE, subject.manifest)],
                subject: desc(MANIFEST_TYPE, subject.manifest),
              }),
            ),
          );
        index = indexOf({ annotations: { 'org.example.kind': 'index' } });
        indexWithType = indexOf({ artifactType: 'application/vnd.example.extras.index' });
        for (const i of [index, indexWithType]) {
          const res = await pushManifest(client, i.digest, i.content, INDEX_TYPE);
          expectStatus(res, 201);
          assert.equal(res.headers.get('oci-subject'), subject.manifest.digest);
        }
      });

      it('descriptors carry mediaType, size, artifactType (else the config media type; none for an index without one) and annotations (Listing Referrers)', async () => {
        const res = await client.send(`/v2/<name>/referrers/${subject.manifest.digest}`);
        expectStatus(res, 200);
        assert.equal(res.headers.get('content-type'), INDEX_TYPE);
        const body = JSON.parse(res.body.toString('utf8')) as {
          schemaVersion: number;
          mediaType: string;
          manifests: unknown[];
        };
        assert.equal(body.schemaVersion, 2);
        assert.equal(body.mediaType, INDEX_TYPE);
        const byDigest = new Map(body.manifests.map((m) => [(m as { digest: string }).digest, m]));
        assert.equal(byDigest.size, 4);
        assert.deepEqual(byDigest.get(byArtifactType.manifest.digest), {
          mediaType: MANIFEST_TYPE,
          digest: byArtifactType.manifest.digest,
          size: byArtifactType.manifest.length,
          artifactType: typeA,
          annotations: { 'org.example.kind': 'by-artifact-type' },
        });
        assert.deepEqual(byDigest.get(byConfig.digest), {
          mediaType: MANIFEST_TYPE,
          digest: byConfig.digest,
          size: byConfig.length,
          artifactType: 'application/vnd.example.extras.b',
          annotations: { 'org.example.kind': 'by-config' },
        });
        assert.deepEqual(byDigest.get(index.digest), {
          mediaType: INDEX_TYPE,
          digest: index.digest,
          size: index.length,
          annotations: { 'org.example.kind': 'index' },
        });
        assert.deepEqual(byDigest.get(indexWithType.digest), {
          mediaType: INDEX_TYPE,
          digest: indexWithType.digest,
          size: indexWithType.length,
          artifactType: 'application/vnd.example.extras.index',
        });
      });

      it('an artifactType filter lists only matching referrers and answers OCI-Filters-Applied: artifactType (Listing Referrers)', async () => {
        for (const [type, expected] of [
          [typeA, [byArtifactType.manifest.digest]],
          ['application/vnd.example.extras.b', [byConfig.digest]],
          ['application/vnd.example.none', []],
        ] as const) {
          const res = await client.send(`/v2/<name>/referrers/${subject.manifest.digest}`, {
            query: { artifactType: type },
          });
          expectStatus(res, 200);
          assert.equal(res.headers.get('oci-filters-applied'), 'artifactType');
          const manifests = (JSON.parse(res.body.toString('utf8')) as { manifests: { digest: string }[] })
            .manifests;
          assert.deepEqual(
            manifests.map((m) => m.digest),
            expected,
          );
        }
      });

      it('a digest of invalid syntax answers 400 (Listing Referrers)', async () => {
        expectStatus(await client.send('/v2/<name>/referrers/sha256:not-a-digest'), 400);
      });

      it('a repository without referrers answers 200 with an empty index, never 404 (Listing Referrers)', async () => {
        const res = await repo('extras/never-pushed').send(`/v2/<name>/referrers/${subject.manifest.digest}`);
        expectStatus(res, 200);
        assert.deepEqual((JSON.parse(res.body.toString('utf8')) as { manifests: unknown[] }).manifests, []);
      });
    });
  });
});
