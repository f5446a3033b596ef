/**
 * Stream analysers ride the same single pass over a layer as the
 * catalogers: each sees every byte of the files it selects, whether a
 * cataloger reads the file fully, gives up after its magic bytes, or never
 * wants it — through a real tar stream, so the walker's draining is real.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { tarEntries } from '../image/index.js';
import { tarBytes } from '../testing/oci-writer.js';
import { analyzeLayer } from './analysis.js';
import { layerCacheKey } from './cache.js';
import type { Cataloger, StreamAnalyzer } from './cataloger.js';

interface Digest {
  readonly bytes: number;
  readonly sha256: string;
}

/** Records each selected file's length and hash, and how many chunks it was shown. */
function hasher(select: (path: string) => boolean = () => true, limit = Infinity): StreamAnalyzer<Digest> {
  return {
    name: 'hasher',
    version: 1,
    select: (e) => select(e.path),
    open() {
      const h = createHash('sha256');
      let bytes = 0;
      return {
        write(chunk) {
          h.update(chunk);
          bytes += chunk.length;
        },
        get done() {
          return bytes >= limit;
        },
        end: () => ({ bytes, sha256: h.digest('hex') }),
      };
    },
  };
}

/** Wants every file; parses only ELF ones (so others are dropped after their first bytes). */
const elfOnly: Cataloger<string> = {
  name: 'elf-only',
  version: 1,
  tags: ['image'],
  magic: [Buffer.from('\x7fELF', 'latin1')],
  select: () => true,
  parse: (f) => `elf:${f.size}`,
  assemble: () => [],
};

/** Reads every `.txt` file whole. */
const textReader: Cataloger<number> = {
  name: 'text-reader',
  version: 1,
  tags: ['image'],
  select: (e) => e.path.endsWith('.txt'),
  parse: async (f) => (await f.source.read(0, f.size)).length,
  assemble: () => [],
};

/** The tar as a stream of 64 KiB pieces, as a layer arrives from a decompressor. */
function pieces(b: Buffer): Readable {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += 65536) out.push(b.subarray(i, i + 65536));
  return Readable.from(out);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function withSandbox<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-stream-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a stream analyser sees every byte of every file it selects, whatever the catalogers read', async () => {
  const big = Buffer.alloc(9 * 1024 * 1024 + 17, 'x'); // over the in-memory limit: spilled for the text reader
  const members = {
    '/srv/plain.bin': Buffer.from('no cataloger wants me'),
    '/srv/not-elf': Buffer.from('#!/bin/sh\necho hello, this is not an ELF file at all\n'),
    '/srv/tool': Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(70_000, 1)]),
    '/srv/big.txt': big,
    '/srv/empty': Buffer.alloc(0),
  };
  const tar = await tarBytes(
    Object.entries(members).map(([name, content]) => ({ name: name.slice(1), content })),
  );
  const a = await withSandbox((sandbox) =>
    analyzeLayer(tarEntries(pieces(tar), 'test layer'), {
      catalogers: [elfOnly as Cataloger, textReader as Cataloger],
      streamAnalyzers: [hasher() as StreamAnalyzer],
      sandbox,
      what: 'test layer',
    }),
  );
  const streamed = new Map(a.facts.filter((f) => f.c === 'hasher').map((f) => [f.p, f.f as Digest]));
  for (const [path, content] of Object.entries(members)) {
    assert.deepEqual(streamed.get(path), { bytes: content.length, sha256: sha(content) }, path);
  }
  // The catalogers still got what they asked for, in the same pass.
  assert.deepEqual(
    a.facts.filter((f) => f.c !== 'hasher').map((f) => [f.c, f.p, f.f]),
    [
      ['elf-only', '/srv/tool', `elf:${members['/srv/tool'].length}`],
      ['text-reader', '/srv/big.txt', big.length],
    ],
  );
  assert.deepEqual(a.warnings, []);
});

test('a sink that is done is fed no more, and the walker still reaches the next member', async () => {
  const first = Buffer.alloc(5 * 1024 * 1024, 'a');
  const tar = await tarBytes([
    { name: 'a/first', content: first },
    { name: 'a/second', content: 'second file' },
  ]);
  const a = await withSandbox((sandbox) =>
    analyzeLayer(tarEntries(pieces(tar), 'test layer'), {
      catalogers: [],
      streamAnalyzers: [hasher(() => true, 1) as StreamAnalyzer],
      sandbox,
      what: 'test layer',
    }),
  );
  const facts = new Map(a.facts.map((f) => [f.p, f.f as Digest]));
  // One chunk was enough; far less than the file was fed.
  assert.ok((facts.get('/a/first')?.bytes ?? 0) < first.length);
  assert.ok((facts.get('/a/first')?.bytes ?? 0) > 0);
  assert.deepEqual(facts.get('/a/second'), { bytes: 11, sha256: sha(Buffer.from('second file')) });
  assert.deepEqual(
    a.files.map((f) => f.p),
    ['/a/first', '/a/second'],
  );
});

test('a sink that throws costs its file a warning, not the layer', async () => {
  const broken: StreamAnalyzer<never> = {
    name: 'broken',
    version: 1,
    select: () => true,
    open: () => ({
      write() {},
      done: false,
      end() {
        throw new Error('cannot make sense of it');
      },
    }),
  };
  const tar = await tarBytes([{ name: 'x', content: 'data' }]);
  const a = await withSandbox((sandbox) =>
    analyzeLayer(tarEntries(pieces(tar), 'test layer'), {
      catalogers: [],
      streamAnalyzers: [broken as StreamAnalyzer, hasher() as StreamAnalyzer],
      sandbox,
      what: 'layer 0',
    }),
  );
  assert.deepEqual(a.warnings, ['layer 0: broken: /x: cannot make sense of it']);
  assert.equal(a.facts.length, 1);
});

test('the layer cache key changes with a stream analyser, its version and its settings', () => {
  const diffId = `sha256:${'ab'.repeat(32)}`;
  const base = layerCacheKey(diffId, [textReader as Cataloger]);
  const withHasher = layerCacheKey(diffId, [textReader as Cataloger, hasher() as StreamAnalyzer]);
  const v2 = layerCacheKey(diffId, [textReader as Cataloger, { ...hasher(), version: 2 } as StreamAnalyzer]);
  const s1 = layerCacheKey(diffId, [
    textReader as Cataloger,
    { ...hasher(), settings: 'a' } as StreamAnalyzer,
  ]);
  const s2 = layerCacheKey(diffId, [
    textReader as Cataloger,
    { ...hasher(), settings: 'b' } as StreamAnalyzer,
  ]);
  assert.equal(new Set([base, withHasher, v2, s1, s2]).size, 5);
  assert.equal(
    s1,
    layerCacheKey(diffId, [{ ...hasher(), settings: 'a' } as StreamAnalyzer, textReader as Cataloger]),
  );
});
