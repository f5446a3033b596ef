// Pushes over real HTTP while garbage collection runs in a loop, with the
// clock jumping past the grace period before every run so that each run
// treats everything written before it as old: the harshest setting for the
// sweep. A push may be refused (MANIFEST_BLOB_UNKNOWN) and is then retried;
// every push that was accepted must stay readable, byte for byte, once the
// runs are over. (While a run re-marks, a blob whose old link a manifest
// reused right before the sweep fenced it can answer 404 for a moment; see
// collect.ts. With the clock jumping, every link is old, so this test does
// not read during the runs.)
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createRegistryApp } from '../http/index.js';
import { collectGarbage } from './index.js';
import { fixture, HOUR } from './testdata/fixture.js';
import { ociImageManifest } from '../http/testing.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const WORKERS = 3;
const IMAGES = 4;
const GRACE = 1000;
const SHARED = Buffer.from('a layer every image shares');

interface Accepted {
  readonly repository: string;
  readonly digest: string;
  readonly blobs: string[];
}

describe('garbage collection during pushes', () => {
  it('never deletes a blob of an accepted push', async () => {
    // Wall-clock time moved forward by `offset`, shared by the state store and the collector.
    let offset = 0;
    const f = await fixture({ t: 0, now: () => Date.now() + offset });
    const app = createRegistryApp({ storage: f.storage, state: f.state });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    const base = `http://127.0.0.1:${address.port}`;
    const req = (path: string, init?: RequestInit): Promise<Response> => fetch(base + path, init);

    async function pushBlob(name: string, data: Buffer, chunked: boolean): Promise<void> {
      const d = sha(data);
      if (!chunked) {
        const res = await req(`/v2/${name}/blobs/uploads/?digest=${d}`, { method: 'POST', body: data });
        assert.equal(res.status, 201, await res.text());
        return;
      }
      const start = await req(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
      assert.equal(start.status, 202);
      const patch = await req(start.headers.get('location') ?? '', { method: 'PATCH', body: data });
      assert.equal(patch.status, 202);
      const loc = patch.headers.get('location') ?? '';
      const put = await req(`${loc}${loc.includes('?') ? '&' : '?'}digest=${d}`, { method: 'PUT' });
      assert.equal(put.status, 201, await put.text());
    }

    /** Pushes an image, retrying with fresh content when the registry refuses the manifest. */
    async function pushImage(name: string, tag: string, chunked: boolean): Promise<Accepted> {
      for (let attempt = 0; attempt < 50; attempt++) {
        const config = Buffer.from(JSON.stringify({ tag, attempt, nonce: randomBytes(8).toString('hex') }));
        const own = randomBytes(1024 + attempt);
        for (const b of [config, own, SHARED]) await pushBlob(name, b, chunked);
        const manifest = ociImageManifest(config, [own, SHARED]);
        const res = await req(`/v2/${name}/manifests/${tag}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
          body: manifest,
        });
        const text = await res.text();
        if (res.status === 201) {
          return { repository: name, digest: sha(manifest), blobs: [sha(config), sha(own), sha(SHARED)] };
        }
        assert.equal(res.status, 400, text);
        assert.match(text, /MANIFEST_BLOB_UNKNOWN/);
      }
      throw new Error(`push of ${name}:${tag} refused 50 times`);
    }

    async function readable(a: Accepted): Promise<void> {
      const m = await req(`/v2/${a.repository}/manifests/${a.digest}`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      assert.equal(m.status, 200, `${a.repository}@${a.digest}`);
      assert.equal(sha(Buffer.from(await m.arrayBuffer())), a.digest);
      for (const d of a.blobs) {
        const b = await req(`/v2/${a.repository}/blobs/${d}`);
        assert.equal(b.status, 200, `${a.repository} blob ${d}`);
        assert.equal(sha(Buffer.from(await b.arrayBuffer())), d);
      }
    }

    const gcOptions = { storage: f.storage, state: f.state, now: f.clock.now, gracePeriodMs: GRACE };
    let pushing = true;
    let runs = 0;
    let deleted = 0;
    const loop = (async () => {
      do {
        offset += GRACE + 1;
        const r = await collectGarbage({ ...gcOptions, batchSize: 5, uploadMaxAgeMs: 24 * HOUR });
        runs++;
        deleted += r.blobsDeleted;
        await new Promise((resolve) => setImmediate(resolve));
      } while (pushing);
    })();

    try {
      const accepted: Accepted[] = [];
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          const name = `conc/w${w}`;
          for (let i = 0; i < IMAGES; i++) {
            accepted.push(await pushImage(name, `t${i}`, (w + i) % 2 === 0));
            // A throwaway image, deleted at once: garbage for the collector.
            const junk = await pushImage(name, `junk${i}`, (w + i) % 2 === 1);
            const del = await req(`/v2/${name}/manifests/${junk.digest}`, { method: 'DELETE' });
            assert.equal(del.status, 202);
          }
        }),
      ).finally(() => {
        pushing = false;
      });
      await loop;
      assert.ok(runs >= 1);
      assert.equal(accepted.length, WORKERS * IMAGES);
      for (const a of accepted) await readable(a);

      // Two more runs with everything old: the junk goes, every accepted image stays.
      offset += 2 * HOUR;
      await collectGarbage(gcOptions);
      offset += 2 * HOUR;
      const last = await collectGarbage(gcOptions);
      deleted += last.blobsDeleted;
      assert.ok(deleted > 0, 'the collector deleted garbage');
      for (const a of accepted) await readable(a);
      const remaining = new Set<string>();
      for await (const d of f.storage.list()) remaining.add(d);
      const wanted = new Set(accepted.flatMap((a) => [a.digest, ...a.blobs]));
      assert.deepEqual([...remaining].sort(), [...wanted].sort(), 'only referenced blobs are left');
    } finally {
      pushing = false;
      await loop.catch(() => undefined);
      await app.close();
      await f.close();
    }
  });
});
