import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeOciImage } from '../testing/oci-writer.js';
import { main } from './main.js';
import { capture } from './testing.js';

const run = promisify(execFile);
let dir: string;
let image: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-cli-'));
  const img = await writeOciImage(join(dir, 'img'), 'v1', [
    {
      members: [
        { name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
        {
          name: 'srv/node_modules/left-pad/package.json',
          content: JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
        },
      ],
    },
  ]);
  image = `oci:${img.dir}:v1`;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('sbom prints a table by default and JSON on request', async () => {
  const c = capture();
  assert.equal(await main(['sbom', image, '--no-cache'], c.io), 0);
  assert.match(c.text().stdout, /left-pad\s+1\.3\.0\s+npm/);
  const j = capture();
  assert.equal(await main(['sbom', image, '--no-cache', '-f', 'json'], j.io), 0);
  const inv = JSON.parse(j.text().stdout) as { packages: Array<{ name: string; purl: string }> };
  assert.deepEqual(
    inv.packages.map((p) => p.purl),
    ['pkg:npm/left-pad@1.3.0'],
  );
});

test('sbom -f cyclonedx -o FILE writes a CycloneDX 1.6 document', async () => {
  const out = join(dir, 'sbom.cdx.json');
  const c = capture();
  assert.equal(await main(['sbom', image, '--no-cache', '-f', 'cyclonedx', '-o', out], c.io), 0);
  const bom = JSON.parse(await readFile(out, 'utf8')) as {
    bomFormat: string;
    specVersion: string;
    components: unknown[];
  };
  assert.equal(bom.bomFormat, 'CycloneDX');
  assert.equal(bom.specVersion, '1.6');
  assert.equal(c.text().stdout, '');
});

test('errors are one clear line with exit code 2, never a stack trace', async () => {
  for (const args of [
    ['sbom', `oci:${join(dir, 'missing')}`],
    ['sbom', 'ocii:/x'],
    ['sbom', image, '--platform', 'linux'],
    ['sbom', image, '--catalogers', 'no-such-cataloger'],
    ['sbom', image, '-f', 'xml'],
  ]) {
    const c = capture();
    assert.equal(await main([...args, '--no-cache'], c.io), 2, args.join(' '));
    const { stderr } = c.text();
    assert.match(stderr, /error/i, args.join(' '));
    assert.doesNotMatch(stderr, /^\s+at /m, args.join(' '));
  }
});

test('--help explains formats, catalogers and references', async () => {
  const c = capture();
  assert.equal(await main(['sbom', '--help'], c.io), 0);
  const { stdout } = c.text();
  for (const s of ['cyclonedx', 'spdx', 'dpkg', 'go-binary', 'oci-archive:FILE', '--platform', '--creds']) {
    assert.ok(stdout.includes(s), s);
  }
});

test('the mamori executable exits with the code main returns', async () => {
  const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
  const ok = await run(process.execPath, ['--import', 'tsx', bin, 'sbom', image, '--no-cache', '-f', 'json']);
  assert.match(ok.stdout, /left-pad/);
  await assert.rejects(
    run(process.execPath, ['--import', 'tsx', bin, 'sbom', 'oci:/nonexistent/x']),
    (e: { code?: number; stderr?: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr ?? '', /mamori: error: .*not an OCI image layout/);
      return true;
    },
  );
});

test('-o into a device writes into it and never replaces it', async () => {
  const { lstatSync } = await import('node:fs');
  const c = capture();
  assert.equal(await main(['sbom', image, '--no-cache', '-q', '-f', 'json', '-o', '/dev/null'], c.io), 0);
  assert.ok(lstatSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
  const d = capture();
  assert.equal(await main(['sbom', image, '--no-cache', '-o', dir], d.io), 2);
  assert.match(d.text().stderr, /is a directory/);
});
