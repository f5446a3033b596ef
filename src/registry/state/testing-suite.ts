/**
 * Test support (not part of the build): the operation tests every engine
 * must pass, defined once and run against SQLite (store.test.ts) and
 * PostgreSQL (postgres.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import type { StateStore } from './store.js';

export type OpenStore = (now?: () => number) => Promise<StateStore>;

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export const dg = (s: string | number): string => `sha256:${String(s).padStart(64, '0')}`;

export function invalid(e: unknown): boolean {
  return isMamoriError(e, 'INVALID_ARGUMENT');
}

async function withStore(
  open: OpenStore,
  fn: (s: StateStore) => Promise<void>,
  now?: () => number,
): Promise<void> {
  const s = await open(now);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** Pushes an image manifest whose blobs are linked first; asserts it was stored. */
export async function push(
  s: StateStore,
  repo: string,
  digest: string,
  blobs: string[],
  extra: { tag?: string; subject?: string; artifactType?: string; annotations?: Record<string, string> } = {},
): Promise<void> {
  for (const b of blobs) await s.linkBlob(repo, { digest: b, size: 10 });
  const r = await s.putManifest(
    repo,
    {
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 500,
      blobs,
      ...(blobs[0] !== undefined ? { configDigest: blobs[0] } : {}),
      ...(extra.subject !== undefined ? { subjectDigest: extra.subject } : {}),
      ...(extra.artifactType !== undefined ? { artifactType: extra.artifactType } : {}),
      ...(extra.annotations !== undefined ? { annotations: extra.annotations } : {}),
    },
    extra.tag !== undefined ? { tag: extra.tag } : {},
  );
  assert.equal(r.status, 'stored');
}

/** Names containing `-`, `.`, `_`, digits and upper case, whose binary order differs from dictionary order. */
export const AWKWARD_NAMES = ['a_b', 'a-b', 'a.b', 'A', 'b', 'a0', 'Z', '_x', '9', 'a', 'ab', 'a-a', 'B-1'];

export function defineStoreTests(label: string, open: OpenStore): void {
  describe(`${label}: repositories and blob links`, () => {
    it('creates repositories implicitly, with the first path segment as project', async () => {
      const clock = manualClock();
      await withStore(
        open,
        async (s) => {
          assert.equal(await s.getRepository('team/app/api'), undefined);
          assert.equal(await s.linkBlob('team/app/api', { digest: dg(1), size: 3 }), true);
          assert.deepEqual(await s.getRepository('team/app/api'), {
            name: 'team/app/api',
            project: 'team',
            createdAt: new Date(clock.now()),
          });
          await s.linkBlob('alpine', { digest: dg(1), size: 3 });
          assert.equal((await s.getRepository('alpine'))?.project, 'alpine');
        },
        clock.now,
      );
    });

    it('links a blob per repository: readable from the repository it was pushed to only', async () => {
      const clock = manualClock();
      await withStore(
        open,
        async (s) => {
          assert.equal(
            await s.linkBlob('p/a', { digest: dg(1), size: 2 ** 40, mediaType: 'application/x-tar' }),
            true,
          );
          assert.equal(
            await s.linkBlob('p/a', { digest: dg(1), size: 2 ** 40 }),
            false,
            'a second link is no new link',
          );
          await s.linkBlob('p/b', { digest: dg(9), size: 1 });
          assert.equal(await s.isBlobLinked('p/a', dg(1)), true);
          assert.equal(await s.isBlobLinked('p/b', dg(1)), false);
          assert.equal(await s.isBlobLinked('p/none', dg(1)), false);
          assert.deepEqual(await s.blobLink('p/a', dg(1)), {
            repository: 'p/a',
            digest: dg(1),
            size: 2 ** 40,
            mediaType: 'application/x-tar',
            createdAt: new Date(clock.now()),
          });
          assert.equal((await s.blobLink('p/b', dg(9)))?.mediaType, undefined);
          assert.deepEqual(await s.repositoriesOfBlob(dg(1)), ['p/a']);
        },
        clock.now,
      );
    });

    it('mounts across repositories only what the source has, atomically', async () => {
      await withStore(open, async (s) => {
        await s.linkBlob('p/src', { digest: dg(1), size: 7, mediaType: 'm/t' });
        assert.equal(await s.mountBlob('p/src', 'p/dst', dg(1)), true);
        assert.equal((await s.blobLink('p/dst', dg(1)))?.size, 7);
        assert.equal((await s.blobLink('p/dst', dg(1)))?.mediaType, 'm/t');
        assert.equal(await s.mountBlob('p/src', 'p/dst', dg(1)), true, 'mounting again is fine');
        assert.equal(await s.mountBlob('p/src', 'p/other', dg(2)), false, 'the source lacks it');
        assert.equal(await s.mountBlob('p/none', 'p/other', dg(1)), false, 'no such source');
        assert.equal(await s.getRepository('p/other'), undefined, 'a failed mount creates nothing');
        assert.deepEqual(await s.repositoriesOfBlob(dg(1)), ['p/dst', 'p/src']);
      });
    });

    it('unlinks from one repository, and everywhere for links older than the GC mark', async () => {
      const clock = manualClock();
      await withStore(
        open,
        async (s) => {
          await s.linkBlob('p/a', { digest: dg(1), size: 1 });
          await s.linkBlob('p/b', { digest: dg(1), size: 1 });
          clock.advance(1000);
          const mark = new Date(clock.now());
          await s.linkBlob('p/c', { digest: dg(1), size: 1 });
          assert.equal(await s.unlinkBlob('p/a', dg(1)), true);
          assert.equal(await s.unlinkBlob('p/a', dg(1)), false);
          assert.equal(await s.unlinkBlob('p/none', dg(1)), false);
          assert.equal(await s.unlinkBlobEverywhere(dg(1), mark), 1, 'only p/b was linked before the mark');
          assert.deepEqual(await s.repositoriesOfBlob(dg(1)), ['p/c']);
        },
        clock.now,
      );
    });
  });

  describe(`${label}: manifests`, () => {
    it('refuses a manifest whose blobs are not linked in the repository, writing nothing', async () => {
      await withStore(open, async (s) => {
        await s.linkBlob('p/elsewhere', { digest: dg(2), size: 1 });
        const r = await s.putManifest(
          'p/new',
          {
            digest: dg('m'),
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            size: 10,
            blobs: [dg(2), dg(1)],
          },
          { tag: 'v1' },
        );
        assert.deepEqual(r, { status: 'missing', blobs: [dg(1), dg(2)], manifests: [] });
        // The repository row was inserted inside the transaction; the rollback removed it again.
        assert.equal(await s.getRepository('p/new'), undefined);
        assert.equal(await s.getManifest('p/new', dg('m')), undefined);
        assert.deepEqual((await s.listRepositories()).items, ['p/elsewhere']);
      });
    });

    it('stores a manifest with its references, idempotently', async () => {
      const clock = manualClock();
      await withStore(
        open,
        async (s) => {
          await push(s, 'p/app', dg('m1'), [dg(3), dg(1), dg(2)], {
            annotations: { 'org.opencontainers.image.created': '2024-01-01', empty: '' },
            artifactType: 'application/vnd.example',
          });
          const m = await s.getManifest('p/app', dg('m1'));
          assert.deepEqual(m, {
            repository: 'p/app',
            digest: dg('m1'),
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            size: 500,
            artifactType: 'application/vnd.example',
            configDigest: dg(3),
            annotations: { 'org.opencontainers.image.created': '2024-01-01', empty: '' },
            createdAt: new Date(clock.now()),
          });
          assert.deepEqual(await s.manifestBlobs('p/app', dg('m1')), [dg(1), dg(2), dg(3)]);
          clock.advance(5000);
          const again = await s.putManifest('p/app', {
            digest: dg('m1'),
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            size: 500,
            blobs: [dg(1), dg(1), dg(2), dg(3)],
          });
          assert.deepEqual(again, { status: 'stored', created: false });
          assert.deepEqual(await s.manifestBlobs('p/app', dg('m1')), [dg(1), dg(2), dg(3)]);
          assert.equal((await s.getManifest('p/app', dg('m1')))?.createdAt.getTime(), clock.now() - 5000);
          assert.equal(await s.getManifest('p/other', dg('m1')), undefined);
        },
        clock.now,
      );
    });

    it('stores an index only when its children are manifests of the repository, and guards them on delete', async () => {
      await withStore(open, async (s) => {
        await push(s, 'p/multi', dg('amd64'), [dg(1)]);
        const index = {
          digest: dg('idx'),
          mediaType: 'application/vnd.oci.image.index.v1+json',
          size: 300,
          children: [dg('amd64'), dg('arm64')],
        };
        assert.deepEqual(await s.putManifest('p/multi', index, { tag: 'latest' }), {
          status: 'missing',
          blobs: [],
          manifests: [dg('arm64')],
        });
        assert.equal(await s.resolveTag('p/multi', 'latest'), undefined, 'the tag was not written either');
        await push(s, 'p/multi', dg('arm64'), [dg(2)]);
        assert.equal((await s.putManifest('p/multi', index, { tag: 'latest' })).status, 'stored');
        assert.deepEqual(await s.manifestParents('p/multi', dg('arm64')), [dg('idx')]);

        assert.deepEqual(await s.deleteManifest('p/multi', dg('arm64')), {
          status: 'referenced',
          parents: [dg('idx')],
        });
        assert.notEqual(
          await s.getManifest('p/multi', dg('arm64')),
          undefined,
          'a refused delete deletes nothing',
        );
        assert.deepEqual(await s.deleteManifest('p/multi', dg('idx')), {
          status: 'deleted',
          tags: ['latest'],
        });
        assert.equal(await s.resolveTag('p/multi', 'latest'), undefined);
        assert.deepEqual(await s.manifestParents('p/multi', dg('arm64')), []);
        assert.deepEqual(await s.deleteManifest('p/multi', dg('arm64')), { status: 'deleted', tags: [] });
        assert.deepEqual(await s.manifestBlobs('p/multi', dg('arm64')), []);
        assert.deepEqual(await s.deleteManifest('p/multi', dg('arm64')), { status: 'not-found' });
        assert.deepEqual(await s.deleteManifest('p/none', dg('arm64')), { status: 'not-found' });
      });
    });

    it('force-deletes a child an index still lists', async () => {
      await withStore(open, async (s) => {
        await push(s, 'p/multi', dg('c'), [dg(1)], { tag: 'child' });
        await s.putManifest('p/multi', {
          digest: dg('i'),
          mediaType: 'x/index',
          size: 1,
          children: [dg('c')],
        });
        assert.deepEqual(await s.deleteManifest('p/multi', dg('c'), { force: true }), {
          status: 'deleted',
          tags: ['child'],
        });
        assert.equal(await s.getManifest('p/multi', dg('c')), undefined);
      });
    });
  });

  describe(`${label}: tags`, () => {
    it('puts, moves, resolves and deletes tags', async () => {
      const clock = manualClock();
      await withStore(
        open,
        async (s) => {
          await push(s, 'p/app', dg('m1'), [dg(1)], { tag: 'v1' });
          assert.deepEqual(await s.resolveTag('p/app', 'v1'), {
            name: 'v1',
            digest: dg('m1'),
            updatedAt: new Date(clock.now()),
          });
          await push(s, 'p/app', dg('m2'), [dg(1)]);
          clock.advance(10);
          assert.deepEqual(await s.putTag('p/app', 'v1', dg('m2')), { previous: dg('m1') });
          assert.deepEqual(await s.putTag('p/app', 'v1', dg('m2')), {}, 'unchanged');
          assert.deepEqual(await s.putTag('p/app', 'latest', dg('m2')), {});
          assert.equal((await s.resolveTag('p/app', 'v1'))?.updatedAt.getTime(), clock.now());
          assert.deepEqual(await s.tagsOf('p/app', dg('m2')), ['latest', 'v1']);
          assert.deepEqual(await s.tagsOf('p/app', dg('m1')), []);
          const moved = await s.putManifest(
            'p/app',
            { digest: dg('m1'), mediaType: 'x', size: 1 },
            { tag: 'latest' },
          );
          assert.deepEqual(moved, { status: 'stored', created: false, previousTagTarget: dg('m2') });

          await assert.rejects(s.putTag('p/app', 'v2', dg('nope')), (e) => isMamoriErrorNotFound(e));
          await assert.rejects(s.putTag('p/none', 'v2', dg('m1')), (e) => isMamoriErrorNotFound(e));
          assert.equal(await s.deleteTag('p/app', 'v1'), true);
          assert.equal(await s.deleteTag('p/app', 'v1'), false);
          assert.equal(await s.deleteTag('p/none', 'v1'), false);
          assert.notEqual(
            await s.getManifest('p/app', dg('m2')),
            undefined,
            'deleting a tag keeps the manifest',
          );
        },
        clock.now,
      );
    });

    it('lists tags in binary order with n/last pagination', async () => {
      await withStore(open, async (s) => {
        await push(s, 'p/app', dg('m'), [dg(1)]);
        for (const t of AWKWARD_NAMES) await s.putTag('p/app', t, dg('m'));
        const all = [...AWKWARD_NAMES].sort();
        assert.deepEqual(all.slice(0, 5), ['9', 'A', 'B-1', 'Z', '_x'], 'binary order, not dictionary order');
        assert.deepEqual(await s.listTags('p/app'), { items: all, more: false });
        assert.deepEqual(await s.listTags('p/app', { n: 0 }), { items: [], more: true });
        assert.deepEqual(await s.listTags('p/app', { n: all.length }), { items: all, more: false });
        assert.deepEqual(await s.listTags('p/app', { n: all.length - 1 }), {
          items: all.slice(0, -1),
          more: true,
        });
        assert.deepEqual(
          await s.listTags('p/app', { last: 'zzz' }),
          { items: [], more: false },
          'last past the end',
        );
        assert.deepEqual(await s.listTags('p/app', { n: 0, last: 'zzz' }), { items: [], more: false });
        assert.deepEqual(await s.listTags('p/app', { last: 'a-' }), {
          items: all.slice(all.indexOf('a-a')),
          more: false,
        });
        assert.deepEqual(
          await s.listTags('p/app', { last: '' }),
          { items: all, more: false },
          'empty last: the start',
        );
        const paged: string[] = [];
        let last: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const page = await s.listTags('p/app', { n: 3, ...(last !== undefined ? { last } : {}) });
          assert.ok(page && page.items.length <= 3);
          paged.push(...page.items);
          if (!page.more) break;
          last = page.items[page.items.length - 1];
        }
        assert.deepEqual(paged, all);
        assert.equal(await s.listTags('p/none'), undefined, 'unknown repository');
        await s.linkBlob('p/empty', { digest: dg(1), size: 1 });
        assert.deepEqual(await s.listTags('p/empty', { n: 0 }), { items: [], more: false });
        for (const n of [-1, 1.5, Number.NaN, 1e9]) {
          await assert.rejects(s.listTags('p/app', { n }), invalid);
        }
      });
    });
  });

  describe(`${label}: referrers`, () => {
    it('lists the manifests whose subject is a digest, with and without an artifactType filter', async () => {
      await withStore(open, async (s) => {
        await push(s, 'p/app', dg('img'), [dg(1)], { tag: 'v1' });
        await push(s, 'p/app', dg('sig'), [dg(2)], {
          subject: dg('img'),
          artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
          annotations: { 'dev.sigstore.cosign/signature': 'MEUCIQ…' },
        });
        await push(s, 'p/app', dg('sbom'), [dg(3)], {
          subject: dg('img'),
          artifactType: 'application/spdx+json',
        });
        await push(s, 'p/app', dg('sbom2'), [dg(4)], {
          subject: dg('img'),
          artifactType: 'application/spdx+json',
        });
        await push(s, 'p/app', dg('other'), [dg(5)], {
          subject: dg('else'),
          artifactType: 'application/spdx+json',
        });
        await push(s, 'p/mirror', dg('sbom3'), [dg(6)], {
          subject: dg('img'),
          artifactType: 'application/spdx+json',
        });

        const all = await s.referrers('p/app', dg('img'));
        assert.deepEqual(
          all.items.map((m) => m.digest),
          [dg('sbom'), dg('sbom2'), dg('sig')].sort(),
        );
        assert.equal(all.more, false);
        const sig = all.items.find((m) => m.digest === dg('sig'));
        assert.deepEqual(sig?.annotations, { 'dev.sigstore.cosign/signature': 'MEUCIQ…' });
        assert.equal(sig?.subjectDigest, dg('img'));

        const sboms = await s.referrers('p/app', dg('img'), { artifactType: 'application/spdx+json' });
        assert.deepEqual(
          sboms.items.map((m) => m.digest),
          [dg('sbom'), dg('sbom2')].sort(),
        );
        assert.deepEqual((await s.referrers('p/app', dg('img'), { artifactType: 'text/none' })).items, []);
        const first = await s.referrers('p/app', dg('img'), { n: 1 });
        assert.equal(first.items.length, 1);
        assert.equal(first.more, true);
        const rest = await s.referrers('p/app', dg('img'), { last: first.items[0]?.digest });
        assert.equal(rest.items.length, 2);
        assert.deepEqual(await s.referrers('p/none', dg('img')), { items: [], more: false });
        assert.deepEqual((await s.referrers('p/app', dg('unknown'))).items, []);

        const every = await s.listManifests('p/app');
        assert.deepEqual(
          every.items.map((m) => m.digest),
          [dg('img'), dg('sig'), dg('sbom'), dg('sbom2'), dg('other')].sort(),
        );
        const own = await s.listManifests('p/app', { withoutSubject: true });
        assert.deepEqual(
          own.items.map((m) => m.digest),
          [dg('img')],
        );
        const page1 = await s.listManifests('p/app', { n: 2 });
        assert.equal(page1.more, true);
        const page2 = await s.listManifests('p/app', { n: 10, last: page1.items[1]?.digest });
        assert.deepEqual(
          [...page1.items, ...page2.items].map((m) => m.digest),
          every.items.map((m) => m.digest),
        );
        assert.deepEqual(
          (await s.listManifests('p/app', { untagged: true })).items.map((m) => m.digest),
          [dg('sig'), dg('sbom'), dg('sbom2'), dg('other')].sort(),
          'img is tagged v1',
        );
        assert.deepEqual(await s.listManifests('p/none'), { items: [], more: false });
      });
    });
  });

  describe(`${label}: catalog`, () => {
    it('pages repository names in binary order', async () => {
      await withStore(open, async (s) => {
        const names = AWKWARD_NAMES.map((n) => `p/${n}`).concat(['q/x', 'p', 'p-q/r']);
        for (const n of names) await s.linkBlob(n, { digest: dg(1), size: 1 });
        const all = [...names].sort();
        assert.deepEqual(await s.listRepositories(), { items: all, more: false });
        assert.deepEqual(await s.listRepositories({ n: 0 }), { items: [], more: true });
        assert.deepEqual(await s.listRepositories({ n: 4 }), { items: all.slice(0, 4), more: true });
        assert.deepEqual(await s.listRepositories({ n: 4, last: all[3] }), {
          items: all.slice(4, 8),
          more: true,
        });
        assert.deepEqual(await s.listRepositories({ last: all[all.length - 1] }), { items: [], more: false });
        assert.deepEqual(await s.listRepositories({ last: '~' }), { items: [], more: false });
      });
    });

    it('shows only visible projects and what a predicate accepts, with full pages', async () => {
      await withStore(open, async (s) => {
        // More repositories than one scan batch (500), few of them visible.
        const names: string[] = [];
        for (let i = 0; i < 620; i++)
          names.push(`${i % 2 === 0 ? 'pub' : 'priv'}/r${String(i).padStart(4, '0')}`);
        for (const n of names) await s.linkBlob(n, { digest: dg(1), size: 1 });
        const pub = names.filter((n) => n.startsWith('pub/')).sort();

        assert.deepEqual(await s.listRepositories({ projects: ['pub'] }), { items: pub, more: false });
        assert.deepEqual(await s.listRepositories({ projects: [] }), { items: [], more: false });
        const p1 = await s.listRepositories({ projects: ['pub', 'nothing'], n: 10 });
        assert.deepEqual(p1, { items: pub.slice(0, 10), more: true });
        // Over 500 projects: filtered while scanning instead of in SQL; same answer.
        const many = ['pub', ...Array.from({ length: 600 }, (_, i) => `x${i}`)];
        assert.deepEqual(await s.listRepositories({ projects: many, n: 10, last: pub[9] }), {
          items: pub.slice(10, 20),
          more: true,
        });

        const every7 = (name: string): boolean => Number(name.slice(-4)) % 7 === 0;
        const seen = names.filter(every7).sort();
        assert.deepEqual(await s.listRepositories({ visible: every7 }), { items: seen, more: false });
        const paged: string[] = [];
        let last: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const page = await s.listRepositories({ visible: every7, n: 25, ...(last ? { last } : {}) });
          paged.push(...page.items);
          if (!page.more) break;
          assert.equal(page.items.length, 25, 'a page is full while more follow');
          last = page.items[page.items.length - 1];
        }
        assert.deepEqual(paged, seen);
        assert.deepEqual(await s.listRepositories({ visible: () => false, n: 0 }), {
          items: [],
          more: false,
        });
        assert.deepEqual(
          await s.listRepositories({ visible: (_n, project) => project === 'priv', projects: ['pub'] }),
          {
            items: [],
            more: false,
          },
        );
      });
    });
  });

  describe(`${label}: garbage collection support and uploads`, () => {
    it('streams every referenced digest once, in order, across pages', async () => {
      await withStore(open, async (s) => {
        const blobs = Array.from({ length: 1100 }, (_, i) => dg(`b${i}`));
        await push(s, 'p/a', dg('m1'), blobs.slice(0, 700));
        await push(s, 'p/b', dg('m2'), blobs.slice(600));
        await push(s, 'p/b', dg('m3'), [blobs[0] ?? '']);
        await s.putManifest('p/b', {
          digest: dg('idx'),
          mediaType: 'x/index',
          size: 1,
          children: [dg('m2'), dg('m3')],
        });
        await s.linkBlob('p/a', { digest: dg('unreferenced'), size: 1 });
        await s.putManifest('p/a', { digest: dg('ref'), mediaType: 'x', size: 1, subjectDigest: dg('weak') });
        const got: string[] = [];
        for await (const d of s.allReferencedBlobDigests()) got.push(d);
        const want = [...new Set([...blobs, dg('m1'), dg('m2'), dg('m3'), dg('idx'), dg('ref')])].sort();
        assert.deepEqual(got, want);
      });
    });

    it('indexes uploads for sweeping abandoned ones', async () => {
      const clock = manualClock();
      await withStore(
        open,
        async (s) => {
          const u1 = await s.startUpload('u-1', 'p/app');
          assert.deepEqual(u1, {
            id: 'u-1',
            repository: 'p/app',
            startedAt: new Date(clock.now()),
            lastTouched: new Date(clock.now()),
          });
          await assert.rejects(s.startUpload('u-1', 'p/other'), invalid);
          clock.advance(1000);
          await s.startUpload('u-2', 'p/app');
          clock.advance(1000);
          await s.startUpload('u-3', 'p/app');
          assert.equal(await s.touchUpload('u-1'), true);
          assert.equal(await s.touchUpload('nope'), false);
          assert.equal((await s.getUpload('u-1'))?.lastTouched.getTime(), clock.now());
          assert.equal((await s.getUpload('u-1'))?.startedAt.getTime(), clock.now() - 2000);
          assert.deepEqual(
            (await s.staleUploads(new Date(clock.now()))).map((u) => u.id),
            ['u-2'],
          );
          clock.advance(1);
          assert.deepEqual(
            (await s.staleUploads(new Date(clock.now()))).map((u) => u.id),
            ['u-2', 'u-1', 'u-3'],
            'oldest touch first, then by id',
          );
          assert.deepEqual(
            (await s.staleUploads(new Date(clock.now()), 1)).map((u) => u.id),
            ['u-2'],
          );
          assert.equal(await s.getRepository('p/app'), undefined, 'an upload creates no repository');
          assert.equal(await s.endUpload('u-2'), true);
          assert.equal(await s.endUpload('u-2'), false);
          assert.equal(await s.getUpload('u-2'), undefined);
          await assert.rejects(s.staleUploads(new Date(Number.NaN)), invalid);
        },
        clock.now,
      );
    });
  });

  describe(`${label}: hostile input`, () => {
    it('stores awkward strings verbatim', async () => {
      await withStore(open, async (s) => {
        const names = [
          "p/'; drop table repositories; --",
          'p/%_\\',
          'p/ünïcödé/😀',
          'p/\u202eevil',
          `p/${'x'.repeat(253)}`,
        ];
        for (const n of names) {
          await push(s, n, dg('m'), [dg(1)], { tag: '%_\'"' });
          assert.equal((await s.getRepository(n))?.name, n);
          assert.deepEqual((await s.listTags(n))?.items, ['%_\'"']);
        }
        assert.equal(names[4]?.length, 255);
        assert.deepEqual((await s.listRepositories()).items, [...names].sort());
        const ann = { nul: 'a\u0000b', lone: '\uD800', long: 'y'.repeat(10_000), quote: '"\\' };
        await push(s, 'p/ann', dg('a'), [dg(1)], { annotations: ann });
        assert.deepEqual((await s.getManifest('p/ann', dg('a')))?.annotations, ann);
      });
    });

    it('refuses NUL, lone surrogates, overlong and wrongly typed values with a clear error', async () => {
      await withStore(open, async (s) => {
        const cases: (() => Promise<unknown>)[] = [
          () => s.linkBlob('p/a\u0000b', { digest: dg(1), size: 1 }),
          () => s.linkBlob('x'.repeat(10_000), { digest: dg(1), size: 1 }),
          () => s.linkBlob('x'.repeat(256), { digest: dg(1), size: 1 }),
          () => s.linkBlob('p/\uD800', { digest: dg(1), size: 1 }),
          () => s.linkBlob('', { digest: dg(1), size: 1 }),
          () => s.linkBlob(42 as unknown as string, { digest: dg(1), size: 1 }),
          () => s.linkBlob('p/a', null as unknown as { digest: string; size: number }),
          () => s.linkBlob('p/a', { digest: `sha256:${'a'.repeat(10_000)}`, size: 1 }),
          () => s.linkBlob('p/a', { digest: dg(1), size: -1 }),
          () => s.linkBlob('p/a', { digest: dg(1), size: 2 ** 53 }),
          () => s.linkBlob('p/a', { digest: dg(1), size: 1, mediaType: 'm\u0000' }),
          () => s.putTag('p/a', 't'.repeat(129), dg(1)),
          () =>
            s.putManifest('p/a', {
              digest: dg(1),
              mediaType: 'x',
              size: 1,
              blobs: 'nope' as unknown as string[],
            }),
          () =>
            s.putManifest('p/a', { digest: dg(1), mediaType: 'x', size: 1, annotations: { k: 1 } as never }),
          () =>
            s.putManifest('p/a', {
              digest: dg(1),
              mediaType: 'x',
              size: 1,
              annotations: { k: 'v'.repeat(70_000) },
            }),
          () => s.putManifest('p/a', { digest: dg(1), mediaType: 'x', size: 1 }, { tag: 'a\u0000' }),
          () => s.listTags('p/a', { last: 'l'.repeat(5000) }),
          () => s.listRepositories({ projects: ['ok', 'b\u0000d'] }),
          () => s.startUpload('u'.repeat(129), 'p/a'),
          () => s.unlinkBlobEverywhere(dg(1), new Date(Number.NaN)),
        ];
        for (const [i, c] of cases.entries()) await assert.rejects(c(), invalid, `case ${i}`);
        assert.deepEqual((await s.listRepositories()).items, [], 'nothing was written');
      });
    });
  });

  describe(`${label}: lifecycle`, () => {
    it('finishes the operations under way before closing, and refuses new ones after', async () => {
      const s = await open();
      const writes = Array.from({ length: 20 }, (_, i) => s.linkBlob(`p/r${i}`, { digest: dg(i), size: 1 }));
      const closed = s.close();
      assert.deepEqual(await Promise.all(writes), Array(20).fill(true));
      await closed;
      await s.close();
      await assert.rejects(s.getRepository('p/r1'), invalid);
      await assert.rejects(s.allReferencedBlobDigests().next(), invalid);
    });
  });
}

function isMamoriErrorNotFound(e: unknown): boolean {
  return isMamoriError(e, 'NOT_FOUND');
}
