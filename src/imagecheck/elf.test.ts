/**
 * The linking analyser against readelf (binutils) on real binaries: a static
 * Go binary, this Node.js and coreutils' true; and on damaged ELF files,
 * which give no fact and never an exception.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { BufferSource } from '../inventory/index.js';
import { elfAnalyzer, readElfFact } from './index.js';
import { staticBinary } from './testing.js';

const run = promisify(execFile);

/** What readelf says: the interpreter and the NEEDED entries. */
async function readelf(path: string): Promise<{ interpreter?: string; needed: string[] }> {
  const { stdout: l } = await run('readelf', ['-lW', path], { maxBuffer: 16 << 20 });
  const { stdout: d } = await run('readelf', ['-dW', path], { maxBuffer: 16 << 20 });
  const interp = /Requesting program interpreter: ([^\]]+)\]/.exec(l)?.[1];
  const needed = [...d.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1] ?? '');
  return { ...(interp !== undefined ? { interpreter: interp } : {}), needed };
}

test('static Go binary: no interpreter, no needed libraries (as readelf says)', async () => {
  const bin = await staticBinary();
  const fact = await readElfFact(new BufferSource(bin));
  assert.deepEqual(fact, { needed: [] });
  const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'mamori-elf-'));
  try {
    await writeFile(join(dir, 'server'), bin);
    assert.deepEqual(await readelf(join(dir, 'server')), { needed: [] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('dynamic binaries: interpreter and NEEDED equal readelf', async () => {
  for (const path of ['/usr/bin/true', process.execPath, '/usr/bin/readelf']) {
    const fact = await readElfFact(new BufferSource(await readFile(path)));
    const want = await readelf(path);
    assert.ok(want.needed.length > 0, `${path} is dynamic`);
    assert.deepEqual(fact, want, path);
  }
});

test('selects executables outside the library directories, by ELF magic', () => {
  const sel = (path: string, mode = 0o755) => elfAnalyzer.select({ path, type: 'file', mode, size: 100 });
  assert.equal(sel('/app/server'), true);
  assert.equal(sel('/usr/local/bin/x'), true);
  assert.equal(sel('/usr/bin/true'), true);
  assert.equal(sel('/app/data.bin', 0o644), false);
  assert.equal(sel('/usr/lib/x86_64-linux-gnu/libc.so.6'), false);
  assert.equal(sel('/lib64/ld-linux-x86-64.so.2'), false);
  assert.equal(sel('/usr/share/doc/x'), false);
});

/** Streams a file through the analyser's sink in chunks of `size`, stopping when it says it is done. */
async function streamed(path: string, size: number): Promise<{ fact: unknown; fed: number }> {
  const buf = await readFile(path);
  const sink = elfAnalyzer.open({ path, type: 'file', mode: 0o755, size: buf.length });
  let fed = 0;
  for (let i = 0; i < buf.length && !sink.done; i += size) {
    const chunk = buf.subarray(i, i + size);
    sink.write(chunk);
    fed += chunk.length;
  }
  return { fact: await sink.end(), fed };
}

test('streamed, an executable gives the fact the whole file gives, from its head and dynamic segment only', async () => {
  // /usr/bin/true keeps its dynamic segment in the first megabyte; python3.11 and skopeo (cgo) far past it.
  for (const path of ['/usr/bin/true', '/usr/bin/python3.11', '/usr/bin/skopeo']) {
    const whole = await readElfFact(new BufferSource(await readFile(path)));
    assert.ok(whole && whole.needed.includes('libc.so.6'), path);
    for (const size of [4096, 65536, 1 << 20]) {
      const { fact, fed } = await streamed(path, size);
      assert.deepEqual(fact, whole, `${path} in chunks of ${size}`);
      // Fed up to the end of its dynamic segment (plus one chunk), never the whole of a large file.
      if (path !== '/usr/bin/true')
        assert.ok(fed < (await readFile(path)).length, `${path}: ${fed} bytes fed`);
    }
  }
  // Not an ELF file: done after the first bytes, no fact.
  const script = await streamed('/usr/bin/zdiff', 2);
  assert.equal(script.fact, undefined);
  assert.ok(script.fed <= 4);
});

test('damaged ELF files give no fact and never throw', async () => {
  const good = await readFile('/usr/bin/true');
  const cases = [
    good.subarray(0, 16),
    good.subarray(0, 64),
    good.subarray(0, 1000),
    Buffer.concat([good.subarray(0, 4), randomBytes(4096)]),
    Buffer.from('\x7fELF'),
  ];
  for (const c of cases) {
    const fact = await readElfFact(new BufferSource(c));
    if (fact !== undefined) assert.ok(Array.isArray(fact.needed));
  }
  // A header claiming a dynamic segment far past the end of the file.
  const lie = Buffer.from(good);
  const phoff = Number(lie.readBigUInt64LE(32));
  for (let i = 0; i < lie.readUInt16LE(56); i++) {
    const o = phoff + i * 56;
    if (lie.readUInt32LE(o) === 2) lie.writeBigUInt64LE(0xffffffffn, o + 8);
  }
  assert.deepEqual(await readElfFact(new BufferSource(lie)), {
    interpreter: '/lib64/ld-linux-x86-64.so.2',
    needed: [],
  });
});

test('any bytes after the ELF magic: a well-formed fact or none (property)', async () => {
  const head = (await readFile('/usr/bin/true')).subarray(0, 64);
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 2048 }),
      fc.integer({ min: 4, max: 64 }),
      async (tail, keep) => {
        const buf = Buffer.concat([head.subarray(0, keep), Buffer.from(tail)]);
        const fact = await readElfFact(new BufferSource(buf));
        if (fact === undefined) return;
        assert.ok(fact.needed.length <= 128);
        for (const n of fact.needed) assert.ok(n.length <= 256 && !/[^\x20-\x7e]/.test(n));
      },
    ),
    { numRuns: 300 },
  );
});
