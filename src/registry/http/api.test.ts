import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ociImageManifest, startTestRegistry } from './testing.js';
import type { TestRegistry } from './testing.js';

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let reg: TestRegistry;
before(async () => {
  reg = await startTestRegistry();
});
after(async () => {
  await reg.close();
});

const req = (path: string, init?: RequestInit): Promise<Response> => fetch(reg.url + path, init);

async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

async function pushBlob(name: string, data: Buffer): Promise<string> {
  const d = sha(data);
  const res = await req(`/v2/${name}/blobs/uploads/?digest=${d}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: data,
  });
  assert.equal(res.status, 201);
  return d;
}

const imageManifest = ociImageManifest;

async function putManifest(name: string, ref: string, body: Buffer, type?: string): Promise<Response> {
  return req(`/v2/${name}/manifests/${ref}`, {
    method: 'PUT',
    headers: { 'content-type': type ?? 'application/vnd.oci.image.manifest.v1+json' },
    body,
  });
}

describe('registry HTTP API', () => {
  it('answers the version check', async () => {
    const res = await req('/v2/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.deepEqual(await res.json(), {});
  });

  it('uploads in chunks, refuses a misplaced chunk with 416, reports status and commits', async () => {
    const name = 'chunks/app';
    const start = await req(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const location = start.headers.get('location') ?? '';
    assert.ok(location.startsWith(`/v2/${name}/blobs/uploads/`));
    assert.equal(start.headers.get('range'), '0-0');
    assert.ok(start.headers.get('docker-upload-uuid'));
    const a = Buffer.from('hello ');
    const b = Buffer.from('world');
    const p1 = await req(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${a.length - 1}` },
      body: a,
    });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get('range'), `0-${a.length - 1}`);
    const wrong = await req(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': '2-6' },
      body: b,
    });
    assert.equal(wrong.status, 416);
    assert.equal(wrong.headers.get('range'), `0-${a.length - 1}`);
    assert.equal(await errorCode(wrong), 'BLOB_UPLOAD_INVALID');
    const status = await req(location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${a.length - 1}`);
    const whole = Buffer.concat([a, b]);
    const bad = await req(`${location}?digest=${sha('other')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: b,
    });
    assert.equal(bad.status, 400);
    assert.equal(await errorCode(bad), 'DIGEST_INVALID');

    const again = await req(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
    const loc2 = again.headers.get('location') ?? '';
    await req(loc2, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${a.length - 1}` },
      body: a,
    });
    const done = await req(`${loc2}?digest=${sha(whole)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: b,
    });
    assert.equal(done.status, 201);
    assert.equal(done.headers.get('location'), `/v2/${name}/blobs/${sha(whole)}`);
    assert.equal(done.headers.get('docker-content-digest'), sha(whole));
    const got = await req(`/v2/${name}/blobs/${sha(whole)}`);
    assert.equal(got.status, 200);
    assert.equal(Buffer.from(await got.arrayBuffer()).toString(), 'hello world');
    assert.equal((await req(loc2)).status, 404);
  });

  it('streams bodies without a Content-Type and refuses chunks for unknown uploads', async () => {
    const start = await req('/v2/plain/body/blobs/uploads/', { method: 'POST' });
    const location = start.headers.get('location') ?? '';
    const data = Buffer.from('no content type here');
    const patch = await req(location, { method: 'PATCH', body: data });
    assert.equal(patch.status, 202);
    assert.equal(patch.headers.get('range'), `0-${data.length - 1}`);
    const put = await req(`${location}?digest=${sha(data)}`, { method: 'PUT' });
    assert.equal(put.status, 201);
    const unknown = await req('/v2/plain/body/blobs/uploads/not-an-upload', {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(1024 * 1024),
    });
    assert.equal(unknown.status, 404);
    assert.equal(await errorCode(unknown), 'BLOB_UPLOAD_UNKNOWN');
    const elsewhere = await req(`/v2/other/repo/blobs/uploads/${location.split('/').pop() ?? ''}`);
    assert.equal(elsewhere.status, 404);
  });

  it('cancels an upload', async () => {
    const start = await req('/v2/cancel/me/blobs/uploads/', { method: 'POST' });
    const location = start.headers.get('location') ?? '';
    assert.equal((await req(location, { method: 'DELETE' })).status, 204);
    const gone = await req(location);
    assert.equal(gone.status, 404);
    assert.equal(await errorCode(gone), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('serves ranges, HEAD, and only blobs linked in the repository; deletes links', async () => {
    const data = Buffer.from('0123456789abcdef');
    const d = await pushBlob('range/one', data);
    const part = await req(`/v2/range/one/blobs/${d}`, { headers: { range: 'bytes=2-5' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 2-5/${data.length}`);
    assert.equal(Buffer.from(await part.arrayBuffer()).toString(), '2345');
    const head = await req(`/v2/range/one/blobs/${d}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(data.length));
    assert.equal(head.headers.get('docker-content-digest'), d);
    const past = await req(`/v2/range/one/blobs/${d}`, { headers: { range: 'bytes=100-' } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${data.length}`);
    await past.arrayBuffer();
    const suffix = await req(`/v2/range/one/blobs/${d}`, { headers: { range: 'bytes=-3' } });
    assert.equal(suffix.status, 206);
    assert.equal(Buffer.from(await suffix.arrayBuffer()).toString(), 'def');
    const other = await req(`/v2/range/two/blobs/${d}`);
    assert.equal(other.status, 404);
    assert.equal(await errorCode(other), 'BLOB_UNKNOWN');
    assert.equal((await req(`/v2/range/one/blobs/${d}`, { method: 'DELETE' })).status, 202);
    assert.equal((await req(`/v2/range/one/blobs/${d}`, { method: 'HEAD' })).status, 404);
  });

  it('mounts a blob across repositories and falls back to an upload when the source lacks it', async () => {
    const d = await pushBlob('mount/src', Buffer.from('shared layer'));
    const ok = await req(`/v2/mount/dst/blobs/uploads/?mount=${d}&from=mount/src`, { method: 'POST' });
    assert.equal(ok.status, 201);
    assert.equal(ok.headers.get('location'), `/v2/mount/dst/blobs/${d}`);
    assert.equal((await req(`/v2/mount/dst/blobs/${d}`, { method: 'HEAD' })).status, 200);
    const fallback = await req(`/v2/mount/dst2/blobs/uploads/?mount=${d}&from=mount/none`, {
      method: 'POST',
    });
    assert.equal(fallback.status, 202);
    assert.ok(fallback.headers.get('location')?.includes('/blobs/uploads/'));
  });

  it('stores manifests, checks references, lists tags with Link pagination, and deletes', async () => {
    const name = 'lib/img';
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer = Buffer.from('layer bytes');
    const manifest = imageManifest(config, [layer]);
    const missing = await putManifest(name, 'v1', manifest);
    assert.equal(missing.status, 400);
    assert.equal(await errorCode(missing), 'MANIFEST_BLOB_UNKNOWN');
    await pushBlob(name, config);
    await pushBlob(name, layer);
    for (const tag of ['v1', 'v2', 'v3']) {
      const res = await putManifest(name, tag, manifest);
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('docker-content-digest'), sha(manifest));
      assert.equal(res.headers.get('location'), `/v2/${name}/manifests/${sha(manifest)}`);
    }
    const got = await req(`/v2/${name}/manifests/v2`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(got.headers.get('docker-content-digest'), sha(manifest));
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), manifest);
    const head = await req(`/v2/${name}/manifests/${sha(manifest)}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(manifest.length));

    const p1 = await req(`/v2/${name}/tags/list?n=2`);
    assert.deepEqual(await p1.json(), { name, tags: ['v1', 'v2'] });
    assert.equal(p1.headers.get('link'), `</v2/${name}/tags/list?n=2&last=v2>; rel="next"`);
    const p2 = await req(`/v2/${name}/tags/list?n=2&last=v2`);
    assert.deepEqual(await p2.json(), { name, tags: ['v3'] });
    assert.equal(p2.headers.get('link'), null);
    const unknown = await req('/v2/lib/nothing/tags/list');
    assert.equal(unknown.status, 404);
    assert.equal(await errorCode(unknown), 'NAME_UNKNOWN');

    const catalog = await req('/v2/_catalog?n=1');
    assert.equal(catalog.status, 200);
    assert.equal(((await catalog.json()) as { repositories: string[] }).repositories.length, 1);
    assert.match(catalog.headers.get('link') ?? '', /^<\/v2\/_catalog\?n=1&last=[^>]+>; rel="next"$/);

    assert.equal((await req(`/v2/${name}/manifests/v3`, { method: 'DELETE' })).status, 202);
    assert.equal((await req(`/v2/${name}/manifests/v3`)).status, 404);
    assert.equal((await req(`/v2/${name}/manifests/${sha(manifest)}`, { method: 'DELETE' })).status, 202);
    const gone = await req(`/v2/${name}/manifests/v1`);
    assert.equal(gone.status, 404);
    assert.equal(await errorCode(gone), 'MANIFEST_UNKNOWN');
  });

  it('lists referrers of a subject, with the artifactType filter and OCI-Subject', async () => {
    const name = 'ref/app';
    const config = Buffer.from('{}');
    const layer = Buffer.from('image layer');
    await pushBlob(name, config);
    await pushBlob(name, layer);
    const subject = imageManifest(config, [layer]);
    assert.equal((await putManifest(name, 'latest', subject)).status, 201);
    const sbom = Buffer.from('{"sbom":true}');
    await pushBlob(name, sbom);
    const artifact = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/spdx+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/spdx+json', digest: sha(sbom), size: sbom.length }],
        subject: {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha(subject),
          size: subject.length,
        },
        annotations: { 'org.example.kind': 'sbom' },
      }),
    );
    const put = await putManifest(name, sha(artifact), artifact);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('oci-subject'), sha(subject));
    const list = await req(`/v2/${name}/referrers/${sha(subject)}`);
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('content-type'), 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(await list.json(), {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha(artifact),
          size: artifact.length,
          artifactType: 'application/spdx+json',
          annotations: { 'org.example.kind': 'sbom' },
        },
      ],
    });
    const filtered = await req(`/v2/${name}/referrers/${sha(subject)}?artifactType=application/other`);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);
    const none = await req(`/v2/${name}/referrers/${sha('nothing')}`);
    assert.equal(none.status, 200);
    assert.deepEqual(((await none.json()) as { manifests: unknown[] }).manifests, []);
  });

  it('refuses bad names, digests, manifests and oversized bodies with spec errors', async () => {
    for (const path of [
      '/v2/Upper/tags/list',
      '/v2/a..b/tags/list',
      '/v2/a//b/tags/list',
      `/v2/${'a'.repeat(300)}/tags/list`,
    ]) {
      const res = await req(path);
      assert.equal(res.status, 400, path);
      assert.equal(await errorCode(res), 'NAME_INVALID');
    }
    const badDigest = await req('/v2/x/blobs/sha256:abc');
    assert.equal(badDigest.status, 400);
    assert.equal(await errorCode(badDigest), 'DIGEST_INVALID');
    const malformed = await putManifest('x/y', 'v1', Buffer.from('{not json'));
    assert.equal(malformed.status, 400);
    assert.equal(await errorCode(malformed), 'MANIFEST_INVALID');
    const body = (await (await putManifest('x/y', 'v1', Buffer.from('[1]'))).json()) as object;
    assert.ok(!JSON.stringify(body).includes('    at '), 'no stack trace in error bodies');
    const big = await putManifest('x/y', 'v1', Buffer.alloc(5 * 1024 * 1024, 0x20));
    assert.equal(big.status, 413);
    assert.equal(await errorCode(big), 'MANIFEST_INVALID');
    const wrongDigest = await putManifest('x/y', sha('x'), imageManifest(Buffer.from('{}'), []));
    assert.equal(wrongDigest.status, 400);
    assert.equal(await errorCode(wrongDigest), 'DIGEST_INVALID');
    const unknownPath = await req('/v2/x/y/nothing');
    assert.equal(unknownPath.status, 404);
    const method = await req('/v2/x/y/tags/list', { method: 'DELETE' });
    assert.equal(method.status, 405);
    assert.equal(await errorCode(method), 'UNSUPPORTED');
  });
});
