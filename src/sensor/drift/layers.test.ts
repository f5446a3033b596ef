/**
 * The index of a small multi-layer image written with the repository's OCI
 * writer: later layers delete (whiteout, opaque directory) and replace
 * executables, hard links share their target's content, and the index
 * cache survives the layers' removal and heals from damage.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { openImageSource, parseReference } from '../../image/index.js';
import { writeOciImage, type WrittenImage } from '../../testing/oci-writer.js';
import { buildExecutableIndex } from './build.js';
import { parseIndex, serializeIndex } from './cache.js';
import { checkDrift } from './check.js';
import type { ExecutableIndex } from './types.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const file = (name: string, content: string, mode = 0o755) => ({ name, content, mode });

let work: string;
let image: WrittenImage;
let layerDigests: string[];
let index: ExecutableIndex;

describe('image layers', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mamori-drift-'));
    image = await writeOciImage(join(work, 'oci'), 'drift', [
      {
        members: [
          { name: 'usr/' },
          { name: 'usr/bin/' },
          file('usr/bin/keep', 'keep'),
          file('usr/bin/gone', 'gone'),
          file('usr/bin/swap', 'old'),
          { name: 'usr/bin/hard', type: 'link', linkname: 'usr/bin/keep', mode: 0o755 },
          file('usr/bin/plain', 'data in a binary directory', 0o644),
          file('etc/motd', 'not an executable', 0o644),
          file('opt/tools/old', 'old tool'),
          { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
          { name: 'loop/a', type: 'symlink', linkname: 'b' },
          { name: 'loop/b', type: 'symlink', linkname: '/loop/a' },
        ],
      },
      {
        compression: 'zstd',
        members: [
          { name: 'usr/bin/.wh.gone', content: '' },
          file('usr/bin/swap', 'new'),
          { name: 'opt/tools/.wh..wh..opq', content: '' },
          file('opt/tools/new', 'new tool'),
          file('usr/local/bin/added', 'added', 0o700),
        ],
      },
    ]);
    const idx = JSON.parse(await readFile(join(image.dir, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    const m = idx.manifests[0]?.digest.slice(7) ?? '';
    const manifest = JSON.parse(await readFile(join(image.dir, 'blobs/sha256', m), 'utf8')) as {
      layers: Array<{ digest: string }>;
    };
    layerDigests = manifest.layers.map((l) => l.digest);
    index = await buildExecutableIndex(image.ref, { cacheDir: false });
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('holds exactly the executables of the final filesystem', () => {
    assert.deepEqual([...index.files.keys()].sort(), [
      '/opt/tools/new',
      '/usr/bin/hard',
      '/usr/bin/keep',
      '/usr/bin/plain',
      '/usr/bin/swap',
      '/usr/local/bin/added',
    ]);
    assert.deepEqual(index.symlinks.get('/bin'), 'usr/bin');
    assert.equal(index.source.kind, 'image');
    assert.match(index.source.configDigest ?? '', /^sha256:[0-9a-f]{64}$/);
  });

  test('a replaced executable has the later layer content; the old content is modified', () => {
    const f = index.files.get('/usr/bin/swap');
    assert.deepEqual(f, { sha256: sha('new'), size: 3, mode: 0o755, layer: 1, layerDigest: layerDigests[1] });
    assert.equal(checkDrift(index, '/bin/swap', sha('new')).status, 'in-image');
    const old = checkDrift(index, '/bin/swap', sha('old'));
    assert.equal(old.status, 'modified');
    assert.equal(old.expected, sha('new'));
    assert.equal(old.layerDigest, layerDigests[1]);
  });

  test('whited-out and opaque-hidden executables are not in the image', () => {
    assert.equal(checkDrift(index, '/usr/bin/gone', sha('gone')).status, 'not-in-image');
    assert.equal(checkDrift(index, '/bin/gone', sha('gone')).status, 'not-in-image');
    assert.equal(checkDrift(index, '/opt/tools/old', sha('old tool')).status, 'not-in-image');
    assert.equal(checkDrift(index, '/opt/tools/new', sha('new tool')).status, 'in-image');
    assert.equal(checkDrift(index, '/etc/motd', sha('not an executable')).status, 'not-in-image');
  });

  test('a hard link carries its target content; loops are bounded', () => {
    assert.equal(index.files.get('/usr/bin/hard')?.sha256, sha('keep'));
    assert.equal(index.files.get('/usr/bin/hard')?.size, 4);
    assert.equal(checkDrift(index, '/bin/hard', sha('keep')).status, 'in-image');
    assert.equal(checkDrift(index, '/loop/a', sha('keep')).status, 'unknown');
    assert.equal(checkDrift(index, '/loop/b/x', sha('keep')).status, 'unknown');
  });

  test('the index survives serialisation; tampered JSON is refused', () => {
    const back = parseIndex(serializeIndex(index));
    assert.deepEqual(back, index);
    const doc = JSON.parse(serializeIndex(index)) as { files: unknown[][] };
    (doc.files[0] as unknown[])[0] = 'relative/path';
    assert.throws(
      () => parseIndex(JSON.stringify(doc)),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => parseIndex('{"format":1}'),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });

  test('an open image source is read too; the member bound holds', async () => {
    const src = await openImageSource(parseReference(image.ref));
    try {
      assert.deepEqual(await buildExecutableIndex(src, { cacheDir: false }), index);
    } finally {
      await src.close();
    }
    await assert.rejects(buildExecutableIndex(image.ref, { cacheDir: false, maxEntries: 5 }), (e) =>
      isMamoriError(e, 'LIMIT_EXCEEDED'),
    );
  });

  test('cache round trip: a damaged entry is rebuilt, a good one serves without the layers', async () => {
    const cacheDir = join(work, 'cache');
    assert.deepEqual(await buildExecutableIndex(image.ref, { cacheDir }), index);
    const entry = join(cacheDir, 'drift', 'v1', `${index.source.configDigest?.replace(':', '-')}.json`);
    assert.deepEqual(parseIndex(await readFile(entry, 'utf8')), index);

    await writeFile(entry, '{"format":"mamori-executable-index","version":1,"files":[');
    assert.deepEqual(await buildExecutableIndex(image.ref, { cacheDir }), index);
    assert.deepEqual(parseIndex(await readFile(entry, 'utf8')), index);

    // With the layer blobs and the per-layer cache gone, only the index cache can answer.
    for (const d of layerDigests) await rm(join(image.dir, 'blobs/sha256', d.slice(7)));
    await rm(join(cacheDir, 'layers'), { recursive: true, force: true });
    assert.deepEqual(await buildExecutableIndex(image.ref, { cacheDir }), index);
    await assert.rejects(buildExecutableIndex(image.ref, { cacheDir: false }), (e) =>
      isMamoriError(e, 'NOT_FOUND'),
    );
    assert.ok((await readdir(join(cacheDir, 'drift', 'v1'))).every((n) => !n.endsWith('.tmp')));
  });
});
