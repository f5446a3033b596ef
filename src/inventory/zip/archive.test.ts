/**
 * The reader against archives written by real tools: Info-ZIP `zip` (deflate,
 * stored, forced ZIP64, a launcher script prepended) and the JDK's `jar`
 * (data descriptors), checked entry by entry against `unzip`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BufferSource, FileSource } from '../bytesource.js';
import { ZipArchive } from './index.js';

const run = promisify(execFile);
const UTF8_ENV = { ...process.env, LC_ALL: 'C.UTF-8' };

/** Runs unzip; exit status 1 is a warning (such as bytes before the archive) with the output complete. */
async function unzip(args: string[]): Promise<Buffer> {
  try {
    return (await run('unzip', args, { encoding: 'buffer', maxBuffer: 1 << 26, env: UTF8_ENV })).stdout;
  } catch (e) {
    const err = e as { code?: unknown; stdout?: Buffer };
    if (err.code === 1 && err.stdout) return err.stdout;
    throw e;
  }
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Opens `file`, checks the names against `unzip -Z1` and every entry against `unzip -p`. */
async function checkAgainstUnzip(file: string): Promise<ZipArchive> {
  const src = await FileSource.open(file);
  try {
    const zip = await ZipArchive.open(src);
    const names = (await unzip(['-Z1', file])).toString('utf8');
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      names.split('\n').filter((l) => l !== ''),
    );
    for (const e of zip.entries) {
      if (e.isDirectory) continue;
      const want = await unzip(['-p', file, e.name.replace(/([[\]*?\\])/g, '\\$1')]);
      assert.deepEqual(await zip.read(e), want, e.name);
      assert.deepEqual(await collect(zip.createReadStream(e)), want, e.name);
    }
    return zip;
  } finally {
    await src.close();
  }
}

describe('ZipArchive on archives from real tools', () => {
  let dir = '';
  let tree = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-zip-'));
    tree = join(dir, 'tree');
    await mkdir(join(tree, 'sub', 'empty'), { recursive: true });
    await writeFile(join(tree, 'hello.txt'), 'hello, zip\n'.repeat(1000));
    await writeFile(join(tree, 'random.bin'), randomBytes(300_000));
    await writeFile(join(tree, 'sub', 'grüße.txt'), 'unicode name\n');
    await writeFile(join(tree, 'sub', 'big.txt'), randomBytes(1_500_000).toString('hex'));
    await writeFile(join(tree, 'empty.txt'), '');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads deflated and stored entries like unzip', async () => {
    await run('zip', ['-q', '-r', '-X', join(dir, 'plain.zip'), '.'], { cwd: tree });
    const zip = await checkAgainstUnzip(join(dir, 'plain.zip'));
    assert.ok(zip.entries.some((e) => e.method === 8));
    assert.ok(zip.get('sub/empty/')?.isDirectory);
    assert.ok(zip.get('sub/grüße.txt'));

    await run('zip', ['-q', '-0', '-r', '-X', join(dir, 'stored.zip'), '.'], { cwd: tree });
    const stored = await checkAgainstUnzip(join(dir, 'stored.zip'));
    assert.ok(stored.entries.every((e) => e.method === 0));
  });

  it('reads a ZIP64 archive (zip -fz)', async () => {
    await run('zip', ['-q', '-fz', '-r', '-X', join(dir, 'z64.zip'), '.'], { cwd: tree });
    const raw = await readFile(join(dir, 'z64.zip'));
    assert.ok(raw.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'zip -fz wrote a ZIP64 end record');
    await checkAgainstUnzip(join(dir, 'z64.zip'));
  });

  it('reads an archive behind a launcher script, with and without adjusted offsets', async () => {
    await run('zip', ['-q', '-r', '-X', join(dir, 'inner.zip'), '.'], { cwd: tree });
    const script = Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n');
    const joined = Buffer.concat([script, await readFile(join(dir, 'inner.zip'))]);
    await writeFile(join(dir, 'sfx.zip'), joined);
    await checkAgainstUnzip(join(dir, 'sfx.zip'));
    await writeFile(join(dir, 'sfx-adjusted.zip'), joined);
    await run('zip', ['-q', '-A', join(dir, 'sfx-adjusted.zip')]);
    await checkAgainstUnzip(join(dir, 'sfx-adjusted.zip'));
  });

  it('reads a jar written by the JDK (data descriptors) and streams a large entry in pieces', async () => {
    // ASCII names only: unzip shows the jar tool's UTF-8 names garbled, so it cannot be the oracle for them.
    const files = ['hello.txt', 'random.bin', 'empty.txt', 'sub/big.txt'];
    await run('jar', ['--create', '--file', join(dir, 'app.jar'), ...files.flatMap((f) => ['-C', tree, f])]);
    const zip = await checkAgainstUnzip(join(dir, 'app.jar'));
    const manifest = zip.get('META-INF/MANIFEST.MF');
    assert.ok(manifest);
    const src = new BufferSource(await readFile(join(dir, 'app.jar')));
    const again = await ZipArchive.open(src);
    const big = again.get('sub/big.txt');
    assert.ok(big);
    let chunks = 0;
    let total = 0;
    for await (const c of again.createReadStream(big)) {
      chunks++;
      total += (c as Buffer).length;
    }
    assert.equal(total, 3_000_000);
    assert.ok(chunks > 1);
  });

  it('refuses a read above the caller bound but allows it below', async () => {
    await run('zip', ['-q', '-r', '-X', join(dir, 'bound.zip'), '.'], { cwd: tree });
    const zip = await ZipArchive.open(new BufferSource(await readFile(join(dir, 'bound.zip'))));
    const big = zip.get('sub/big.txt');
    assert.ok(big);
    await assert.rejects(zip.read(big, { maxBytes: 1000 }), { name: 'MamoriError', code: 'LIMIT_EXCEEDED' });
    await assert.rejects(collect(zip.createReadStream(big, { maxBytes: 1000 })), { code: 'LIMIT_EXCEEDED' });
    assert.equal((await zip.read(big, { maxBytes: 3_000_000 })).length, 3_000_000);
  });
});
