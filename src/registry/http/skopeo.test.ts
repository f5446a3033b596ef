import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestRegistry } from './testing.js';
import type { TestRegistry } from './testing.js';

const run = promisify(execFile);

async function sh(cmd: string, args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

interface IndexJson {
  manifests: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[];
}

async function layoutEntry(layout: string, ref: string): Promise<IndexJson['manifests'][number]> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as IndexJson;
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref);
  assert.ok(entry, `no ${ref} in ${layout}`);
  return entry;
}

/** Builds a two-layer image `ref` in the OCI layout with umoci. */
async function buildImage(work: string, ref: string, arch: string): Promise<void> {
  const image = `${join(work, 'layout')}:${ref}`;
  await sh('umoci', ['new', '--image', image]);
  await sh('umoci', ['config', '--image', image, '--architecture', arch, '--os', 'linux']);
  for (const [i, file] of [`${ref}-one.txt`, `${ref}-two.txt`].entries()) {
    const bundle = join(work, `bundle-${ref}-${i}`);
    await sh('umoci', ['unpack', '--rootless', '--image', image, bundle]);
    await writeFile(join(bundle, 'rootfs', file), `${file} for ${arch}\n`);
    await sh('umoci', ['repack', '--image', image, bundle]);
    await rm(bundle, { recursive: true, force: true });
  }
}

let reg: TestRegistry;
let work: string;
before(async () => {
  reg = await startTestRegistry();
  work = await mkdtemp(join(tmpdir(), 'mamori-registry-skopeo-'));
  await sh('umoci', ['init', '--layout', join(work, 'layout')]);
  await buildImage(work, 'amd', 'amd64');
  await buildImage(work, 'arm', 'arm64');
  // A multi-arch index over both images, tagged "multi" in the layout.
  const layout = join(work, 'layout');
  const amd = await layoutEntry(layout, 'amd');
  const arm = await layoutEntry(layout, 'arm');
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: amd.mediaType,
          digest: amd.digest,
          size: amd.size,
          platform: { architecture: 'amd64', os: 'linux' },
        },
        {
          mediaType: arm.mediaType,
          digest: arm.digest,
          size: arm.size,
          platform: { architecture: 'arm64', os: 'linux' },
        },
      ],
    }),
  );
  const hex = createHash('sha256').update(index).digest('hex');
  await writeFile(join(layout, 'blobs', 'sha256', hex), index);
  const top = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as IndexJson;
  top.manifests.push({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: index.length,
    annotations: { 'org.opencontainers.image.ref.name': 'multi' },
  });
  await writeFile(join(layout, 'index.json'), JSON.stringify(top));
});
after(async () => {
  await reg.close();
  await rm(work, { recursive: true, force: true });
});

describe('skopeo against the registry', () => {
  it('pushes a multi-layer image, pulls it back with the same digest, inspects, lists tags and deletes', async () => {
    const layout = join(work, 'layout');
    const src = await layoutEntry(layout, 'amd');
    const dest = `docker://${reg.host}/lib/app:v1`;
    await sh('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:amd`, dest]);
    await sh('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      `oci:${layout}:amd`,
      `docker://${reg.host}/lib/app:v2`,
    ]);

    const out = join(work, 'out');
    await sh('skopeo', ['copy', '--src-tls-verify=false', dest, `oci:${out}:v1`]);
    assert.equal((await layoutEntry(out, 'v1')).digest, src.digest);

    const inspect = JSON.parse(await sh('skopeo', ['inspect', '--tls-verify=false', dest])) as {
      Digest: string;
      Layers: string[];
      Architecture: string;
    };
    assert.equal(inspect.Digest, src.digest);
    assert.equal(inspect.Layers.length, 2);
    assert.equal(inspect.Architecture, 'amd64');

    const tags = JSON.parse(
      await sh('skopeo', ['list-tags', '--tls-verify=false', `docker://${reg.host}/lib/app`]),
    ) as { Tags: string[] };
    assert.deepEqual(tags.Tags, ['v1', 'v2']);

    await sh('skopeo', ['delete', '--tls-verify=false', dest]);
    await assert.rejects(sh('skopeo', ['inspect', '--tls-verify=false', dest]));
    const res = await fetch(`${reg.url}/v2/lib/app/manifests/v2`);
    assert.equal(res.status, 404, 'deleting by digest removes every tag of the manifest');
  });

  it('pushes and pulls Docker schema 2 manifests', async () => {
    const layout = join(work, 'layout');
    const dest = `docker://${reg.host}/docker/app:v1`;
    await sh('skopeo', ['copy', '--format', 'v2s2', '--dest-tls-verify=false', `oci:${layout}:arm`, dest]);
    const raw = await sh('skopeo', ['inspect', '--raw', '--tls-verify=false', dest]);
    assert.equal(
      (JSON.parse(raw) as { mediaType: string }).mediaType,
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    const pushed = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const inspect = JSON.parse(await sh('skopeo', ['inspect', '--tls-verify=false', dest])) as {
      Digest: string;
    };
    assert.equal(inspect.Digest, pushed);
    const out = join(work, 'out-docker');
    await sh('skopeo', ['copy', '--src-tls-verify=false', dest, `dir:${out}`]);
    assert.equal(await readFile(join(out, 'manifest.json'), 'utf8'), raw);
  });

  it('copies a multi-arch index in and out with --all, digests identical', async () => {
    const layout = join(work, 'layout');
    const src = await layoutEntry(layout, 'multi');
    const dest = `docker://${reg.host}/lib/multi:v1`;
    await sh('skopeo', ['copy', '--all', '--dest-tls-verify=false', `oci:${layout}:multi`, dest]);
    const out = join(work, 'out-multi');
    await sh('skopeo', ['copy', '--all', '--src-tls-verify=false', dest, `oci:${out}:m`]);
    const back = await layoutEntry(out, 'm');
    assert.equal(back.digest, src.digest);
    assert.equal(back.mediaType, 'application/vnd.oci.image.index.v1+json');
    const raw = JSON.parse(await sh('skopeo', ['inspect', '--raw', '--tls-verify=false', dest])) as {
      manifests: unknown[];
    };
    assert.equal(raw.manifests.length, 2);
  });
});
