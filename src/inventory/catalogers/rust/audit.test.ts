/**
 * cargo-auditable is not packaged in Debian, so the binaries here are real
 * ELF files (a C program built with gcc, and Go binaries for big-endian
 * targets) given a `.dep-v0` section with `objcopy --add-section`, holding
 * zlib-compressed JSON in the layout cargo-auditable writes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { isMamoriError } from '../../../core/index.js';
import type { ErrorCode } from '../../../core/index.js';
import { BufferSource } from '../../bytesource.js';
import { ElfFile } from '../../elf/index.js';
import { runCataloger } from '../../testing.js';
import { goFixtures } from '../go/testdata/fixtures.js';
import { MAX_DECOMPRESSED_BYTES, parseAuditJson, readCargoAuditable, rustAuditCataloger } from './index.js';

const execFileAsync = promisify(execFile);

const AUDIT = {
  format: 1,
  packages: [
    { name: 'adler', version: '1.0.2', source: 'crates.io' },
    { name: 'cc', version: '1.0.79', source: 'crates.io', kind: 'build' },
    { name: 'hello', version: '0.1.0', source: 'local', dependencies: [0, 1, 3, 4], root: true },
    { name: 'libc', version: '0.2.147', source: 'crates.io', kind: 'runtime' },
    { name: 'mytool', version: '2.0.0-rc.1', source: 'git', dependencies: [3] },
  ],
};
const AUDIT_INFO = {
  format: 1,
  packages: [
    { name: 'adler', version: '1.0.2', source: 'crates.io', kind: 'runtime', root: false, dependencies: [] },
    { name: 'cc', version: '1.0.79', source: 'crates.io', kind: 'build', root: false, dependencies: [] },
    {
      name: 'hello',
      version: '0.1.0',
      source: 'local',
      kind: 'runtime',
      root: true,
      dependencies: [0, 1, 3, 4],
    },
    { name: 'libc', version: '0.2.147', source: 'crates.io', kind: 'runtime', root: false, dependencies: [] },
    { name: 'mytool', version: '2.0.0-rc.1', source: 'git', kind: 'runtime', root: false, dependencies: [3] },
  ],
};

let work: string;
let hello: string;

/** A copy of `input` with `section` added from `data`. */
async function withSection(input: string, section: string, data: Buffer, target?: string): Promise<Buffer> {
  const id = Math.random().toString(36).slice(2);
  const dataFile = join(work, `${id}.sec`);
  const out = join(work, `${id}.out`);
  await writeFile(dataFile, data);
  const fmt = target === undefined ? [] : ['-I', target, '-O', target];
  await execFileAsync('objcopy', [
    ...fmt,
    '--add-section',
    `${section}=${dataFile}`,
    '--set-section-flags',
    `${section}=noload,readonly`,
    input,
    out,
  ]);
  return readFile(out);
}

async function expectError(p: Promise<unknown>, code: ErrorCode, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isMamoriError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mamori-rustaudit-'));
  await writeFile(join(work, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
  hello = join(work, 'hello');
  await execFileAsync('gcc', ['-O1', '-o', hello, join(work, 'hello.c')]);
});
after(() => rm(work, { recursive: true, force: true }));

describe('readCargoAuditable', () => {
  it('reads the .dep-v0 section of a real ELF binary', async () => {
    const bin = await withSection(hello, '.dep-v0', deflateSync(JSON.stringify(AUDIT)));
    assert.deepEqual(await readCargoAuditable(new BufferSource(bin)), AUDIT_INFO);
  });

  it('reads the rust-audit 0.1 section name', async () => {
    const bin = await withSection(hello, '.rust-deps-v0', deflateSync(JSON.stringify(AUDIT)));
    assert.deepEqual(await readCargoAuditable(new BufferSource(bin)), AUDIT_INFO);
  });

  it('reads big-endian ELF32 and ELF64 binaries', async () => {
    const fx = await goFixtures();
    for (const [name, target] of [
      ['app-mips', 'elf32-big'],
      ['app-s390x', 'elf64-big'],
      ['app-386', 'elf32-little'],
    ] as const) {
      const bin = await withSection(fx[name], '.dep-v0', deflateSync(JSON.stringify(AUDIT)), target);
      const elf = await ElfFile.open(new BufferSource(bin));
      assert.equal(elf.header.littleEndian, name === 'app-386', name);
      assert.deepEqual(await readCargoAuditable(new BufferSource(bin)), AUDIT_INFO, name);
    }
  });

  it('returns undefined for binaries without audit data', async () => {
    assert.equal(await readCargoAuditable(new BufferSource(await readFile(hello))), undefined);
    assert.equal(await readCargoAuditable(new BufferSource(await readFile('/bin/true'))), undefined);
  });

  it('stops a zlib bomb at the decompression limit', async () => {
    const bomb = deflateSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES * 4, 0x20), { level: 9 });
    assert.ok(bomb.length < 200_000);
    const bin = await withSection(hello, '.dep-v0', bomb);
    await expectError(
      readCargoAuditable(new BufferSource(bin)),
      'LIMIT_EXCEEDED',
      /decompresses to more than/,
    );
  });

  it('gives clear errors for corrupt, non-JSON or schema-less data', async () => {
    const corrupt = await withSection(hello, '.dep-v0', Buffer.from('not zlib at all'));
    await expectError(readCargoAuditable(new BufferSource(corrupt)), 'INVALID_ARGUMENT', /not valid zlib/);
    const notJson = await withSection(hello, '.dep-v0', deflateSync('{"packages": ['));
    await expectError(readCargoAuditable(new BufferSource(notJson)), 'INVALID_ARGUMENT', /not valid JSON/);
    const noList = await withSection(hello, '.dep-v0', deflateSync('{"crates": []}'));
    await expectError(readCargoAuditable(new BufferSource(noList)), 'INVALID_ARGUMENT', /no "packages" list/);
  });

  it('rejects a section that lies past the end of the file, or is too large', async () => {
    const bin = await withSection(hello, '.dep-v0', deflateSync(JSON.stringify(AUDIT)));
    const elf = await ElfFile.open(new BufferSource(bin));
    const sec = await elf.section('.dep-v0');
    assert.ok(sec !== undefined);
    const shoff = Number(bin.readBigUInt64LE(40));
    const entry = shoff + sec.index * 64;
    const past = Buffer.from(bin);
    past.writeBigUInt64LE(BigInt(bin.length + 1), entry + 24); // sh_offset
    await expectError(
      readCargoAuditable(new BufferSource(past)),
      'INVALID_ARGUMENT',
      /\.dep-v0 .* past the end/,
    );
    const huge = Buffer.from(bin);
    huge.writeBigUInt64LE(1n << 40n, entry + 32); // sh_size
    await expectError(readCargoAuditable(new BufferSource(huge)), 'LIMIT_EXCEEDED', /\.dep-v0 is \d+ bytes/);
  });
});

describe('parseAuditJson', () => {
  it('drops entries that do not fit the schema and renumbers dependencies', () => {
    const info = parseAuditJson({
      packages: [
        { name: 'a', version: '1.0.0', source: 'crates.io', dependencies: [1, 2, 3, 99, -1, 'x', 1.5] },
        { name: '', version: '1.0.0', source: 'crates.io' },
        { name: 'c', version: '1.0.0', source: { Other: 'sparse+https://example.invalid/' }, kind: 'build' },
        { name: 'd', version: '1.0.0', source: 'crates.io', kind: 'dev' },
        'not an object',
        { name: 'f', version: 1, source: 'crates.io' },
        { name: 'g', version: '0.1.0', source: 'registry', root: 'yes' },
      ],
      format: -1,
    });
    assert.deepEqual(info, {
      packages: [
        { name: 'a', version: '1.0.0', source: 'crates.io', kind: 'runtime', root: false, dependencies: [1] },
        {
          name: 'c',
          version: '1.0.0',
          source: 'sparse+https://example.invalid/',
          kind: 'build',
          root: false,
          dependencies: [],
        },
        { name: 'g', version: '0.1.0', source: 'registry', kind: 'runtime', root: false, dependencies: [] },
      ],
    });
    assert.equal(parseAuditJson([]), undefined);
    assert.equal(parseAuditJson({ packages: {} }), undefined);
    assert.deepEqual(parseAuditJson({ packages: [] }), { packages: [] });
  });
});

describe('rustAuditCataloger', () => {
  it('reports the runtime crates of a binary, with their source', async () => {
    const bin = await withSection(hello, '.dep-v0', deflateSync(JSON.stringify(AUDIT)));
    const pkgs = await runCataloger(rustAuditCataloger, [
      { path: '/usr/local/bin/hello', data: bin, mode: 0o755, layer: 3 },
      { path: '/usr/local/bin/plain', data: await readFile(hello), mode: 0o755, layer: 3 },
      { path: '/usr/share/doc/hello.bin', data: bin, mode: 0o644 },
    ]);
    const layer = { index: 3, diffId: `sha256:${'3'.padStart(64, '0')}` };
    assert.deepEqual(
      pkgs.map((p) => [p.name, p.version, p.purl, p.metadata]),
      [
        [
          'adler',
          '1.0.2',
          'pkg:cargo/adler@1.0.2',
          { kind: 'rust-cargo-audit', source: 'crates.io', dependencyKind: 'runtime' },
        ],
        [
          'hello',
          '0.1.0',
          'pkg:cargo/hello@0.1.0',
          { kind: 'rust-cargo-audit', source: 'local', dependencyKind: 'runtime' },
        ],
        [
          'libc',
          '0.2.147',
          'pkg:cargo/libc@0.2.147',
          { kind: 'rust-cargo-audit', source: 'crates.io', dependencyKind: 'runtime' },
        ],
        [
          'mytool',
          '2.0.0-rc.1',
          'pkg:cargo/mytool@2.0.0-rc.1',
          { kind: 'rust-cargo-audit', source: 'git', dependencyKind: 'runtime' },
        ],
      ],
    );
    for (const p of pkgs) {
      assert.equal(p.type, 'rust-crate');
      assert.equal(p.foundBy, 'rust-cargo-auditable');
      assert.deepEqual(p.locations, [{ path: '/usr/local/bin/hello', layer }]);
      assert.deepEqual(p.layer, layer);
    }
  });
});
