// Immutable tags through the registry's HTTP API, with `checkTag` wired as
// the app's hook: pushes and deletes over real HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { fixture } from '../gc/testdata/fixture.js';
import { createRegistryApp } from '../http/index.js';
import { openRetention } from './index.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('immutable tags over HTTP', () => {
  it('refuses to move or delete an immutable tag with 403 DENIED, and allows the rest', async () => {
    const f = await fixture();
    const retention = await openRetention(f.state);
    await retention.addImmutabilityRule({ project: 'library', repository: 'app', tag: 'v*' });
    const app = createRegistryApp({
      storage: f.storage,
      state: f.state,
      hooks: { checkTag: retention.checkTag },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    const base = `http://127.0.0.1:${address.port}/v2/library/app`;
    try {
      const manifest = async (): Promise<Buffer> => {
        const config = randomBytes(32);
        const res = await fetch(`${base}/blobs/uploads/?digest=${sha(config)}`, {
          method: 'POST',
          body: config,
        });
        assert.equal(res.status, 201);
        return Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: 32 },
            layers: [],
          }),
        );
      };
      const put = (ref: string, body: Buffer): Promise<Response> =>
        fetch(`${base}/manifests/${ref}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
          body,
        });
      const one = await manifest();
      const two = await manifest();
      assert.equal((await put('v1', one)).status, 201, 'creating an immutable tag is allowed');
      assert.equal((await put('v1', one)).status, 201, 'pushing the same manifest again is allowed');
      const moved = await put('v1', two);
      assert.equal(moved.status, 403);
      const body = (await moved.json()) as { errors: { code: string; message: string }[] };
      assert.equal(body.errors[0]?.code, 'DENIED');
      assert.match(body.errors[0]?.message ?? '', /immutable/);
      assert.equal((await f.state.resolveTag('library/app', 'v1'))?.digest, sha(one), 'the tag did not move');

      assert.equal((await fetch(`${base}/manifests/v1`, { method: 'DELETE' })).status, 403);
      assert.equal((await fetch(`${base}/manifests/${sha(one)}`, { method: 'DELETE' })).status, 403);
      assert.ok(await f.state.getManifest('library/app', sha(one)));

      assert.equal((await put('latest', one)).status, 201);
      assert.equal((await put('latest', two)).status, 201, 'a tag no rule covers moves freely');
      assert.equal((await fetch(`${base}/manifests/latest`, { method: 'DELETE' })).status, 202);

      await retention.removeImmutabilityRule((await retention.listImmutabilityRules())[0]?.id ?? 0);
      assert.equal((await put('v1', two)).status, 201, 'without the rule the tag moves');
    } finally {
      await app.close();
      await f.close();
    }
  });
});
