import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isMamoriError } from '../../../core/index.js';
import { BufferSource, FileSource } from '../../bytesource.js';
import { readGoBuildInfo } from './index.js';
import type { GoBuildInfo } from './index.js';
import { FIXTURES, goFixtures, goVersionM, goVersionMAll } from './testdata/fixtures.js';
import type { FixtureName } from './testdata/fixtures.js';
import { framed, inlineFormatElf, pointerFormatElf } from './testdata/synthgo.js';

const execFileAsync = promisify(execFile);

async function readFileInfo(path: string): Promise<GoBuildInfo | undefined> {
  const src = await FileSource.open(path);
  try {
    return await readGoBuildInfo(src);
  } finally {
    await src.close();
  }
}

const MODTEXT = [
  'path\texample.com/old/cmd/tool',
  'mod\texample.com/old\tv1.4.0\th1:main=',
  'dep\tgithub.com/pkg/errors\tv0.9.1\th1:errs=',
  'dep\tgolang.org/x/sys\tv0.0.0-20210615035016-665e8c7367d1',
  '=>\tgithub.com/fork/sys\tv0.0.1\th1:fork=',
  '',
].join('\n');
const MODTEXT_INFO = {
  path: 'example.com/old/cmd/tool',
  main: { path: 'example.com/old', version: 'v1.4.0', sum: 'h1:main=' },
  deps: [
    { path: 'github.com/pkg/errors', version: 'v0.9.1', sum: 'h1:errs=' },
    {
      path: 'golang.org/x/sys',
      version: 'v0.0.0-20210615035016-665e8c7367d1',
      replace: { path: 'github.com/fork/sys', version: 'v0.0.1', sum: 'h1:fork=' },
    },
  ],
  settings: [],
};

describe('readGoBuildInfo on real Go binaries equals `go version -m`', () => {
  let fx: Record<FixtureName, string>;
  before(async () => {
    fx = await goFixtures();
  });

  it('binaries built here: plain, PIE, stripped, C shared library, 386, mips, s390x, arm64', async () => {
    for (const name of FIXTURES) {
      const want = await goVersionM(fx[name]);
      assert.equal(want.deps.length, name === 'libapp.so' ? 1 : 4, name);
      assert.deepEqual(await readFileInfo(fx[name]), want, name);
    }
    // What the fixture is meant to show, so the comparison above covers it.
    const app = await goVersionM(fx.app);
    assert.equal(app.main?.path, 'example.com/app');
    assert.ok(
      app.deps.some((d) => d.replace?.path === 'example.com/betafork' && d.replace.sum?.startsWith('h1:')),
    );
    assert.ok(app.deps.some((d) => d.replace?.path === '../local'));
    assert.ok(app.settings.some((s) => s.key === '-ldflags' && s.value === '-X main.version=1.2.3'));
  });

  it("Debian's skopeo, and every other Go binary installed on this machine", async () => {
    const all = await goVersionMAll(['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/lib/go-1.19']);
    assert.ok(all.has('/usr/bin/skopeo'), 'skopeo is installed (Debian package skopeo)');
    for (const [path, want] of all) assert.deepEqual(await readFileInfo(path), want, path);
  });

  it('finds the blob by scanning the data segment when the section headers are gone', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mamori-gobin-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    for (const name of ['app', 'app-386', 'app-s390x'] as const) {
      const b = await readFile(fx[name]);
      const le = b[5] === 1;
      const is64 = b[4] === 2;
      // Zero e_shoff, e_shnum and e_shstrndx, as sstrip does.
      const shoffAt = is64 ? 40 : 32;
      if (is64) b.writeBigUInt64LE(0n, shoffAt);
      else b.writeUInt32LE(0, shoffAt);
      const shnumAt = is64 ? 60 : 48;
      for (const at of [shnumAt, shnumAt + 2]) {
        if (le) b.writeUInt16LE(0, at);
        else b.writeUInt16BE(0, at);
      }
      const out = join(dir, name);
      await writeFile(out, b);
      await chmod(out, 0o755);
      const want = await goVersionM(out);
      assert.deepEqual(want, await goVersionM(fx[name]), name);
      assert.deepEqual(await readGoBuildInfo(new BufferSource(b)), want, name);
    }
  });

  it('still finds the blob through the program headers when the section table is damaged', async () => {
    const b = await readFile(fx.app);
    b.writeBigUInt64LE(BigInt(b.length + 1), 40); // e_shoff past the end of the file
    assert.deepEqual(await readGoBuildInfo(new BufferSource(b)), await goVersionM(fx.app));
  });

  it('returns undefined for ELF files that are not Go binaries', async (t) => {
    assert.equal(await readFileInfo('/bin/true'), undefined);
    const dir = await mkdtemp(join(tmpdir(), 'mamori-gobin-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'hello.c'), 'int main(void) { return 0; }\n');
    await execFileAsync('gcc', ['-O0', '-o', join(dir, 'hello'), join(dir, 'hello.c')]);
    assert.equal(await readFileInfo(join(dir, 'hello')), undefined);
  });
});

describe('readGoBuildInfo on synthetic layouts', () => {
  const layouts = [
    { bits: 64, littleEndian: true },
    { bits: 64, littleEndian: false },
    { bits: 32, littleEndian: true },
    { bits: 32, littleEndian: false },
  ] as const;

  it('reads the pre-1.18 pointer format, resolving pointers through the program headers', async () => {
    for (const l of layouts) {
      for (const section of [true, false]) {
        const elf = pointerFormatElf({ ...l, version: 'go1.16.15', mod: framed(MODTEXT), section });
        assert.deepEqual(
          await readGoBuildInfo(new BufferSource(elf)),
          { goVersion: 'go1.16.15', ...MODTEXT_INFO },
          JSON.stringify({ ...l, section }),
        );
      }
    }
  });

  it('finds nothing in a pointer-format PIE whose pointers are left to relocations (as go version does)', async () => {
    const elf = pointerFormatElf({
      bits: 64,
      littleEndian: true,
      version: 'go1.15',
      mod: framed(MODTEXT),
      zeroPointers: true,
    });
    assert.equal(await readGoBuildInfo(new BufferSource(elf)), undefined);
  });

  it('reads the inline format in every class and byte order, with or without the section', async () => {
    for (const l of layouts) {
      for (const section of [true, false]) {
        const elf = inlineFormatElf({
          ...l,
          version: 'go1.21.0 X:boringcrypto',
          mod: framed(MODTEXT),
          section,
          lead: 48,
        });
        assert.deepEqual(await readGoBuildInfo(new BufferSource(elf)), {
          goVersion: 'go1.21.0 X:boringcrypto',
          ...MODTEXT_INFO,
        });
      }
    }
  });

  it('reports no modules when the module text is not framed by sentinels (a GOPATH build)', async () => {
    const elf = inlineFormatElf({
      bits: 64,
      littleEndian: true,
      version: 'go1.20',
      mod: Buffer.from(MODTEXT),
    });
    assert.deepEqual(await readGoBuildInfo(new BufferSource(elf)), {
      goVersion: 'go1.20',
      deps: [],
      settings: [],
    });
    const empty = inlineFormatElf({ bits: 64, littleEndian: true, version: 'go1.20', mod: Buffer.alloc(0) });
    assert.deepEqual(await readGoBuildInfo(new BufferSource(empty)), {
      goVersion: 'go1.20',
      deps: [],
      settings: [],
    });
  });

  it('ignores a magic that is not 16-byte aligned', async () => {
    const elf = inlineFormatElf({
      bits: 64,
      littleEndian: true,
      version: 'go1.20',
      mod: framed(MODTEXT),
      section: false,
      lead: 8,
    });
    assert.equal(await readGoBuildInfo(new BufferSource(elf)), undefined);
  });

  it('returns undefined for an empty version, and for strings cut short by the end of the segment', async () => {
    const noVersion = inlineFormatElf({ bits: 64, littleEndian: true, version: '', mod: framed(MODTEXT) });
    assert.equal(await readGoBuildInfo(new BufferSource(noVersion)), undefined);
    const elf = inlineFormatElf({ bits: 64, littleEndian: true, version: 'go1.20', mod: framed(MODTEXT) });
    const at = elf.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    const cut = Buffer.from(elf);
    Buffer.from([0xff, 0x7f]).copy(cut, at + 32); // version length 16383: past the end of the segment
    assert.equal(await readGoBuildInfo(new BufferSource(cut)), undefined);
  });

  it('rejects a string length over the limit with LIMIT_EXCEEDED, without reading it', async () => {
    const elf = inlineFormatElf({ bits: 64, littleEndian: true, version: 'go1.20', mod: framed(MODTEXT) });
    const at = elf.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]).copy(elf, at + 32); // 4 GiB
    await assert.rejects(readGoBuildInfo(new BufferSource(elf)), (e: unknown) =>
      isMamoriError(e, 'LIMIT_EXCEEDED'),
    );
    const p = pointerFormatElf({ bits: 64, littleEndian: true, version: 'go1.16', mod: framed(MODTEXT) });
    const rw = p.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    p.writeBigUInt64LE(1n << 40n, rw + 32 + 8); // version length 1 TiB
    await assert.rejects(readGoBuildInfo(new BufferSource(p)), (e: unknown) =>
      isMamoriError(e, 'LIMIT_EXCEEDED'),
    );
  });

  it('rejects a pointer size other than 4 or 8', async () => {
    const p = pointerFormatElf({ bits: 64, littleEndian: true, version: 'go1.16', mod: framed(MODTEXT) });
    const rw = p.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    p[rw + 14] = 16;
    assert.equal(await readGoBuildInfo(new BufferSource(p)), undefined);
  });

  it('rejects input that is not ELF with a clear error', async () => {
    await assert.rejects(readGoBuildInfo(new BufferSource(Buffer.from('MZ\x90\x00'))), (e: unknown) =>
      isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });
});
