/**
 * Hostile images: each gets a clear MamoriError, nothing is written outside
 * the scan's own temporary directory, and memory stays bounded.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { isMamoriError, type ErrorCode } from '../core/index.js';
import { tarEntries } from '../image/index.js';
import { Readable } from 'node:stream';
import { tarBytes, writeOciImage, type LayerSpec } from '../testing/oci-writer.js';
import { inventory } from './inventory.js';

let dir: string;
let scratch: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-hostile-'));
  scratch = join(dir, 'scratch');
  await mkdir(scratch);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectError(
  name: string,
  layers: LayerSpec[],
  code: ErrorCode,
  pattern: RegExp,
  maxLayerBytes?: number,
) {
  const img = await writeOciImage(join(dir, name), 't', layers);
  await assert.rejects(
    inventory(`oci:${img.dir}:t`, {
      cacheDir: false,
      tmpDir: scratch,
      ...(maxLayerBytes ? { maxLayerBytes } : {}),
    }),
    (e: unknown) => {
      assert.ok(isMamoriError(e), `expected a MamoriError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      assert.match(e.message, pattern);
      return true;
    },
  );
  // The per-scan sandbox is always removed, and nothing else appears beside it.
  assert.deepEqual(await readdir(scratch), []);
}

const pkg = JSON.stringify({ name: 'p', version: '1.0.0' });

test('tar members that climb out of the root are refused', async () => {
  const escapee = join(dir, 'escaped.json');
  await expectError(
    'dotdot',
    [{ members: [{ name: `../../../../../../..${escapee}`, content: pkg }] }],
    'UNSAFE_PATH',
    /climbs out of the image root/,
  );
  assert.equal(existsSync(escapee), false);
});

test('absolute member names are refused', async () => {
  await expectError(
    'abs',
    [{ members: [{ name: '/etc/passwd', content: 'root:x:0:0' }] }],
    'UNSAFE_PATH',
    /absolute path/,
  );
});

test('hard links pointing outside the root are refused', async () => {
  await expectError(
    'hardlink-out',
    [
      {
        members: [{ name: 'app/node_modules/a/package.json', type: 'link', linkname: '../../../etc/passwd' }],
      },
    ],
    'UNSAFE_PATH',
    /climbs out/,
  );
});

test('symlinks pointing outside the root are resolved inside it and never followed on the host', async () => {
  // A host file that looks like a package database, reachable only by escaping the root.
  const host = join(dir, 'host-status');
  await writeFile(host, 'Package: host-only\nStatus: install ok installed\nVersion: 1\n');
  const img = await writeOciImage(join(dir, 'symlink-out'), 't', [
    {
      members: [
        { name: 'var/lib/dpkg/status', type: 'symlink', linkname: `../../../../../../../..${host}` },
        { name: 'app/node_modules', type: 'symlink', linkname: '/../../../../usr/lib/node_modules' },
        {
          name: 'usr/lib/node_modules/ok/package.json',
          content: JSON.stringify({ name: 'ok', version: '1.0.0' }),
        },
      ],
    },
  ]);
  const inv = await inventory(`oci:${img.dir}:t`, { cacheDir: false, tmpDir: scratch });
  assert.deepEqual(
    inv.packages.map((p) => p.name),
    ['ok'],
  );

  // The same through dir: — a root filesystem on disk with escaping symlinks.
  const rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'var/lib/dpkg'), { recursive: true });
  await symlink(host, join(rootfs, 'var/lib/dpkg/status'));
  await mkdir(join(rootfs, 'app'), { recursive: true });
  await symlink('../../../../../../..', join(rootfs, 'app/node_modules'));
  const viaDir = await inventory(`dir:${rootfs}`, { cacheDir: false, tmpDir: scratch });
  assert.deepEqual(viaDir.packages, []);
  assert.deepEqual(await readdir(scratch), []);
});

test('a gzip bomb stops at the layer size limit with bounded memory', async () => {
  // 512 MiB of zeros in one file compress to about 0.5 MiB.
  const big = { name: 'zeros', content: Buffer.alloc(512 * 1024 * 1024) };
  const before = process.memoryUsage().rss;
  await expectError(
    'bomb',
    [{ members: [big] }],
    'LIMIT_EXCEEDED',
    /larger than the limit/,
    64 * 1024 * 1024,
  );
  global.gc?.();
  const grown = process.memoryUsage().rss - before;
  // The writer above held the 512 MiB buffer itself; the scan must not add another copy.
  assert.ok(grown < 700 * 1024 * 1024, `RSS grew by ${grown} bytes`);
});

test('a truncated layer is refused', async () => {
  const tarball = await tarBytes([{ name: 'a', content: 'x'.repeat(100_000) }]);
  const gz = gzipSync(tarball);
  const img = await writeOciImage(join(dir, 'trunc'), 't', [{ raw: tarball }]);
  // Replace the layer blob by its first half, and make the manifest agree on size and digest.
  const blobs = join(img.dir, 'blobs', 'sha256');
  const manifestPath = join(blobs, img.manifestDigest.slice(7));
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    layers: Array<{ digest: string; size: number }>;
  };
  const half = gz.subarray(0, gz.length >> 1);
  const { createHash } = await import('node:crypto');
  const d = `sha256:${createHash('sha256').update(half).digest('hex')}`;
  await writeFile(join(blobs, d.slice(7)), half);
  const layer = manifest.layers[0];
  assert.ok(layer);
  layer.digest = d;
  layer.size = half.length;
  const m = Buffer.from(JSON.stringify(manifest));
  const md = `sha256:${createHash('sha256').update(m).digest('hex')}`;
  await writeFile(join(blobs, md.slice(7)), m);
  await writeFile(
    join(img.dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: md,
          size: m.length,
          annotations: { 'org.opencontainers.image.ref.name': 't' },
        },
      ],
    }),
  );
  await assert.rejects(inventory(`oci:${img.dir}:t`, { cacheDir: false, tmpDir: scratch }), (e: unknown) => {
    assert.ok(isMamoriError(e), String(e));
    assert.equal(e.code, 'INVALID_LAYER');
    assert.match(e.message, /gzip|unexpected end|truncated/i);
    return true;
  });
});

test('a blob whose content does not match its digest is refused', async () => {
  const img = await writeOciImage(join(dir, 'digest'), 't', [{ members: [{ name: 'a', content: 'good' }] }]);
  const manifest = JSON.parse(
    await readFile(join(img.dir, 'blobs/sha256', img.manifestDigest.slice(7)), 'utf8'),
  ) as {
    layers: Array<{ digest: string }>;
  };
  const layerPath = join(img.dir, 'blobs/sha256', (manifest.layers[0]?.digest ?? '').slice(7));
  const other = gzipSync(await tarBytes([{ name: 'a', content: 'evil' }]));
  const original = await readFile(layerPath);
  // Same length, other bytes: only the digest can tell.
  await writeFile(
    layerPath,
    Buffer.concat([other, Buffer.alloc(Math.max(0, original.length - other.length))]).subarray(
      0,
      original.length,
    ),
  );
  await assert.rejects(
    inventory(`oci:${img.dir}:t`, { cacheDir: false, tmpDir: scratch }),
    (e: unknown) => isMamoriError(e, 'DIGEST_MISMATCH') || isMamoriError(e, 'INVALID_LAYER'),
  );
});

test('a diff-id that does not match the uncompressed layer is refused', async () => {
  await expectError(
    'diffid',
    [{ members: [{ name: 'a', content: 'x' }], declaredDiffId: `sha256:${'0'.repeat(64)}` }],
    'DIGEST_MISMATCH',
    /uncompressed/,
  );
});

test('a manifest that lies about a layer size is refused', async () => {
  await expectError(
    'small',
    [{ members: [{ name: 'a', content: 'x'.repeat(5000) }], declaredSize: 10 }],
    'SIZE_MISMATCH',
    /\b10 its descriptor declares/,
  );
  await expectError(
    'large',
    [{ members: [{ name: 'a', content: 'x' }], declaredSize: 1_000_000 }],
    'SIZE_MISMATCH',
    /declares 1000000/,
  );
});

test('fuzz: the tar walker throws nothing but MamoriError on mutated layers', async () => {
  const valid = await tarBytes([
    { name: 'dir/', type: 'directory' },
    { name: 'dir/file', content: 'hello'.repeat(100) },
    { name: 'dir/link', type: 'symlink', linkname: '../x' },
    { name: 'dir/.wh.gone', content: '' },
  ]);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 24 }),
      fc.nat(valid.length),
      async (flips, cut) => {
        const b = Buffer.from(valid.subarray(0, cut === 0 ? valid.length : cut));
        for (const [i, v] of flips) if (i < b.length) b[i] = v;
        try {
          for await (const e of tarEntries(Readable.from([b]), 'fuzz')) {
            if (e.stream) for await (const _ of e.stream) void _;
          }
        } catch (e) {
          if (!isMamoriError(e)) throw e;
        }
      },
    ),
    { numRuns: 400 },
  );
});
