import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { debianImage } from '../testing/index.js';
import { detectLocalTarget } from './index.js';

const run = promisify(execFile);
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-local-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('references with a transport, and names that are not here, are not local', async () => {
  assert.equal(await detectLocalTarget(`oci:${dir}`), undefined);
  assert.equal(await detectLocalTarget('debian:bookworm'), undefined);
  assert.equal(await detectLocalTarget(join(dir, 'missing')), undefined);
  assert.equal(await detectLocalTarget('registry.example.com/app:1.0'), undefined);
});

test('a directory is an OCI layout when it holds oci-layout, else a root filesystem', async () => {
  const rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  assert.deepEqual(await detectLocalTarget(rootfs), { kind: 'dir', path: rootfs, ref: `dir:${rootfs}` });
  const image = await debianImage();
  assert.deepEqual(await detectLocalTarget(image.layout), {
    kind: 'oci',
    path: image.layout,
    ref: `oci:${image.layout}`,
  });
});

test('archives made by skopeo are told apart; other files are left to the caller', async () => {
  const image = await debianImage();
  assert.equal((await detectLocalTarget(image.ociArchive))?.ref, `oci-archive:${image.ociArchive}`);
  assert.equal((await detectLocalTarget(image.dockerArchive))?.ref, `docker-archive:${image.dockerArchive}`);
  const sbom = join(dir, 'bom.json');
  await writeFile(sbom, '{"bomFormat":"CycloneDX"}');
  assert.deepEqual(await detectLocalTarget(sbom), { kind: 'file', path: sbom });
  // A plain tar without either index file is just a file.
  await writeFile(join(dir, 'x.txt'), 'x');
  const tar = join(dir, 'plain.tar');
  await run('tar', ['-C', dir, '-cf', tar, 'x.txt']);
  assert.deepEqual(await detectLocalTarget(tar), { kind: 'file', path: tar });
});
