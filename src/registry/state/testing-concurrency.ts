/**
 * Test support (not part of the build): many writers interleaving on one
 * store, run against each engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dg, type OpenStore } from './testing-suite.js';

const WRITERS = 50;

export function defineConcurrencyTests(label: string, open: OpenStore): void {
  describe(`${label}: concurrency`, () => {
    it(`${WRITERS} concurrent writers push, tag, move and delete without losing or corrupting a row`, async () => {
      const s = await open();
      try {
        const ids = Array.from({ length: WRITERS }, (_, i) => i);
        // Phase 1: every writer creates the same new repositories, links a shared
        // and an own blob, pushes a manifest referencing both with its own tag,
        // then moves the shared tag `latest` to it.
        await Promise.all(
          ids.map(async (i) => {
            await s.linkBlob('p/busy', { digest: dg('shared'), size: 1 });
            await s.linkBlob(`p/fresh${i % 3}`, { digest: dg('shared'), size: 1 });
            await s.linkBlob('p/busy', { digest: dg(`own${i}`), size: 1 });
            const r = await s.putManifest(
              'p/busy',
              { digest: dg(`m${i}`), mediaType: 'x', size: 1, blobs: [dg(`own${i}`), dg('shared')] },
              { tag: `t${i}` },
            );
            assert.equal(r.status, 'stored');
            await s.putTag('p/busy', 'latest', dg(`m${i}`));
            await s.startUpload(`u${i}`, 'p/busy');
          }),
        );
        assert.deepEqual((await s.listRepositories()).items, ['p/busy', 'p/fresh0', 'p/fresh1', 'p/fresh2']);
        const tags = await s.listTags('p/busy');
        assert.equal(tags?.items.length, WRITERS + 1);
        const latest = await s.resolveTag('p/busy', 'latest');
        assert.ok(latest && ids.some((i) => dg(`m${i}`) === latest.digest));
        for (const i of ids) {
          assert.deepEqual(
            await s.manifestBlobs('p/busy', dg(`m${i}`)),
            [dg(`own${i}`), dg('shared')].sort(),
          );
          assert.equal((await s.resolveTag('p/busy', `t${i}`))?.digest, dg(`m${i}`));
        }
        // Phase 2: the odd writers delete their manifest while the even ones
        // push an index over their own manifest and re-point their tag at it.
        await Promise.all(
          ids.map(async (i) => {
            if (i % 2 === 1) {
              const r = await s.deleteManifest('p/busy', dg(`m${i}`));
              assert.equal(r.status, 'deleted');
              await s.endUpload(`u${i}`);
            } else {
              const r = await s.putManifest('p/busy', {
                digest: dg(`i${i}`),
                mediaType: 'x/index',
                size: 1,
                children: [dg(`m${i}`)],
              });
              assert.equal(r.status, 'stored');
              assert.deepEqual(await s.putTag('p/busy', `t${i}`, dg(`i${i}`)), { previous: dg(`m${i}`) });
            }
          }),
        );
        const even = ids.filter((i) => i % 2 === 0);
        const after = await s.listTags('p/busy');
        const latestAfter = await s.resolveTag('p/busy', 'latest');
        const expectTags = even.map((i) => `t${i}`).concat(latestAfter ? ['latest'] : []);
        assert.deepEqual(after?.items, expectTags.sort());
        if (latestAfter) assert.ok(even.some((i) => dg(`m${i}`) === latestAfter.digest));
        const referenced: string[] = [];
        for await (const d of s.allReferencedBlobDigests()) referenced.push(d);
        const want = even.flatMap((i) => [dg(`m${i}`), dg(`i${i}`), dg(`own${i}`)]).concat(dg('shared'));
        assert.deepEqual(referenced, want.sort());
        assert.deepEqual(
          (await s.staleUploads(new Date(8.64e15))).map((u) => u.id).sort(),
          even.map((i) => `u${i}`).sort(),
        );
      } finally {
        await s.close();
      }
    });
  });
}
