import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { errorMessage } from '../core/index.js';
import type { LayerEntry } from '../image/index.js';
import { BufferSource, FileSource } from './bytesource.js';
import type { ByteSource, Cataloger, EntryInfo, StreamAnalyzer, StreamSink } from './cataloger.js';

/** Bumped whenever the analysis format or the walk changes: part of the layer cache key. */
export const ANALYSIS_VERSION = 1;

/** Files up to this size are held in memory for parsing; larger ones are spilled to the sandbox. */
const IN_MEMORY_LIMIT = 8 * 1024 * 1024;
const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;

export type FileKind = 'f' | 'd' | 'l' | 'h' | 'o';

/** One member of a layer, compact because base layers hold tens of thousands. */
export interface FileRecord {
  /** Absolute path. */
  readonly p: string;
  /** f file, d dir, l symlink, h hard link, o other. */
  readonly k: FileKind;
  readonly m: number;
  readonly u: number;
  readonly g: number;
  readonly s: number;
  /** Symlink target as written, or hard link target path. */
  readonly l?: string;
}

export interface FactRecord {
  /** Cataloger name. */
  readonly c: string;
  readonly p: string;
  readonly f: unknown;
}

/** What one layer holds, independent of the layers around it: cacheable by diff-id. */
export interface LayerAnalysis {
  readonly version: number;
  readonly files: readonly FileRecord[];
  readonly whiteouts: readonly string[];
  readonly opaques: readonly string[];
  readonly facts: readonly FactRecord[];
  readonly warnings: readonly string[];
}

export interface AnalyzeOptions {
  readonly catalogers: readonly Cataloger[];
  /** Analysers fed every chunk of the files they select, in the same pass. */
  readonly streamAnalyzers?: readonly StreamAnalyzer[];
  /** A private directory for spilled files. */
  readonly sandbox: string;
  readonly what: string;
  /** Opens the layer again; needed only when a hard link must be read through its target. */
  readonly reopen?: () => AsyncIterable<LayerEntry>;
}

const KIND: Readonly<Record<string, FileKind>> = {
  file: 'f',
  dir: 'd',
  symlink: 'l',
  hardlink: 'h',
  other: 'o',
};

function magicMatches(c: Cataloger, head: Buffer): boolean {
  return !c.magic || c.magic.some((m) => head.length >= m.length && head.subarray(0, m.length).equals(m));
}

/**
 * Finds byte strings anywhere in a stream of chunks, including across chunk
 * boundaries, without keeping more than the longest pattern's length.
 */
export class PatternScanner {
  private tail: Buffer = Buffer.alloc(0);
  private readonly overlap: number;
  readonly found = new Set<number>();

  constructor(private readonly patterns: readonly Uint8Array[]) {
    this.overlap = Math.max(0, ...patterns.map((p) => p.length - 1));
  }

  feed(chunk: Buffer): void {
    if (this.found.size === this.patterns.length) return;
    const edge =
      this.tail.length > 0 ? Buffer.concat([this.tail, chunk.subarray(0, this.overlap)]) : undefined;
    for (const [i, p] of this.patterns.entries()) {
      if (this.found.has(i)) continue;
      if (chunk.indexOf(p) !== -1 || (edge && edge.indexOf(p) !== -1)) this.found.add(i);
    }
    const last = chunk.length >= this.overlap ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = Buffer.from(last.subarray(Math.max(0, last.length - this.overlap)));
  }
}

interface Captured {
  /** Builds random access to the bytes (once). */
  readonly open: () => Promise<ByteSource>;
  readonly dispose: () => Promise<void>;
}

/**
 * Reads an entry's content, showing every chunk to `onChunk` as it passes:
 * in memory when small, else into a file in the sandbox.
 */
async function capture(
  it: AsyncIterator<Buffer>,
  first: readonly Buffer[],
  size: number,
  sandbox: string,
  seq: number,
  onChunk: (b: Buffer) => void,
): Promise<Captured> {
  async function* all(): AsyncGenerator<Buffer> {
    for (const b of first) {
      onChunk(b);
      yield b;
    }
    for (let r = await it.next(); !r.done; r = await it.next()) {
      onChunk(r.value);
      yield r.value;
    }
  }
  if (size <= IN_MEMORY_LIMIT) {
    const chunks: Buffer[] = [];
    for await (const b of all()) chunks.push(b);
    return { open: async () => new BufferSource(Buffer.concat(chunks)), dispose: async () => {} };
  }
  const path = join(sandbox, `spill-${seq}`);
  await pipeline(Readable.from(all()), createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  let source: FileSource | undefined;
  return {
    open: async () => (source ??= await FileSource.open(path)),
    dispose: async () => {
      await source?.close();
      await rm(path, { force: true });
    },
  };
}

interface OpenSink {
  readonly name: string;
  readonly sink: StreamSink<unknown>;
}

/** Passes a file's chunks through, showing each to the sinks that still want input. */
async function* feeding(content: AsyncIterable<Buffer>, sinks: readonly OpenSink[]): AsyncGenerator<Buffer> {
  for await (const chunk of content) {
    for (const s of sinks) if (!s.sink.done) s.sink.write(chunk);
    yield chunk;
  }
}

/**
 * Analyses one layer in a single streamed pass: records every member and
 * whiteout, and runs each cataloger's parser on the files it selects.
 */
export async function analyzeLayer(
  entries: AsyncIterable<LayerEntry>,
  opts: AnalyzeOptions,
): Promise<LayerAnalysis> {
  const files: FileRecord[] = [];
  const whiteouts: string[] = [];
  const opaques: string[] = [];
  const facts: FactRecord[] = [];
  const warnings: string[] = [];
  const regular = new Map<string, FileRecord>();
  const pendingLinks: Array<{ link: string; target: string }> = [];
  let seq = 0;

  const parseInto = async (
    path: string,
    info: EntryInfo,
    content: AsyncIterable<Buffer>,
    wanted: Cataloger[],
  ) => {
    const it = content[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headLen = 0;
    const needsMagic = wanted.every((c) => c.magic);
    if (needsMagic) {
      while (headLen < 16) {
        const r = await it.next();
        if (r.done) break;
        head.push(r.value);
        headLen += r.value.length;
      }
      const h = Buffer.concat(head);
      wanted = wanted.filter((c) => magicMatches(c, h));
      if (wanted.length === 0) return;
    }
    // Catalogers that need a byte string somewhere in the file (Go build info) are shown only files that have it.
    const patterns = wanted.flatMap((c) => c.contains ?? []);
    const scanner = new PatternScanner(patterns);
    const { open, dispose } = await capture(it, head, info.size, opts.sandbox, seq++, (b) => scanner.feed(b));
    try {
      let offset = 0;
      wanted = wanted.filter((c) => {
        const own = c.contains?.length ?? 0;
        const hit = own === 0 || c.contains?.some((_, j) => scanner.found.has(offset + j));
        offset += own;
        return hit;
      });
      if (wanted.length === 0) return;
      const source = await open();
      const h = await source.read(0, 16);
      for (const c of wanted) {
        if (!magicMatches(c, h)) continue;
        try {
          const fact = await c.parse({ path, mode: info.mode, size: source.size, source });
          if (fact !== undefined) facts.push({ c: c.name, p: path, f: fact });
        } catch (e) {
          warnings.push(`${opts.what}: ${c.name}: ${path}: ${errorMessage(e)}`);
        }
      }
    } finally {
      await dispose();
    }
  };

  const select = (info: EntryInfo): Cataloger[] => {
    const wanted = opts.catalogers.filter((c) => c.select(info));
    return wanted.filter((c) => {
      const max = c.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
      if (info.size <= max) return true;
      warnings.push(
        `${opts.what}: ${c.name}: ${info.path}: skipped, ${info.size} bytes is over its ${max}-byte limit`,
      );
      return false;
    });
  };

  const openSinks = (info: EntryInfo): OpenSink[] =>
    (opts.streamAnalyzers ?? [])
      .filter((a) => a.select(info))
      .map((a) => ({ name: a.name, sink: a.open(info) }));

  for await (const e of entries) {
    if (e.kind === 'whiteout') {
      whiteouts.push(e.path);
      continue;
    }
    if (e.kind === 'opaque') {
      opaques.push(e.path);
      continue;
    }
    const rec: FileRecord = {
      p: e.path,
      k: KIND[e.kind] ?? 'o',
      m: e.mode,
      u: e.uid,
      g: e.gid,
      s: e.size,
      ...(e.linkname !== undefined ? { l: e.linkname } : {}),
    };
    files.push(rec);
    if (e.kind === 'file' && e.stream) {
      regular.set(e.path, rec);
      const info: EntryInfo = { path: e.path, type: 'file', mode: e.mode, size: e.size };
      const wanted = select(info);
      const sinks = openSinks(info);
      if (sinks.length === 0) {
        if (wanted.length > 0) await parseInto(e.path, info, e.stream, wanted);
        continue;
      }
      const content = feeding(e.stream, sinks);
      if (wanted.length > 0) await parseInto(e.path, info, content, wanted);
      // What the catalogers left unread still goes to the sinks; the walker drains the rest.
      while (sinks.some((s) => !s.sink.done) && !(await content.next()).done);
      for (const { name, sink } of sinks) {
        try {
          const fact = await sink.end();
          if (fact !== undefined) facts.push({ c: name, p: e.path, f: fact });
        } catch (err) {
          warnings.push(`${opts.what}: ${name}: ${e.path}: ${errorMessage(err)}`);
        }
      }
    } else if (e.kind === 'hardlink' && e.linkname) {
      const target = regular.get(e.linkname);
      if (target && select({ path: e.path, type: 'file', mode: target.m, size: target.s }).length > 0) {
        pendingLinks.push({ link: e.path, target: e.linkname });
      }
    }
  }

  if (pendingLinks.length > 0) {
    if (!opts.reopen) {
      warnings.push(
        `${opts.what}: ${pendingLinks.length} hard link(s) not read: the layer cannot be re-read`,
      );
    } else {
      const byTarget = new Map<string, string[]>();
      for (const { link, target } of pendingLinks)
        byTarget.set(target, [...(byTarget.get(target) ?? []), link]);
      for await (const e of opts.reopen()) {
        const links = e.kind === 'file' && e.stream ? byTarget.get(e.path) : undefined;
        if (!links || !e.stream) continue;
        // Read the target once, then parse it under each link name.
        const { open, dispose } = await capture(
          e.stream[Symbol.asyncIterator](),
          [],
          e.size,
          opts.sandbox,
          seq++,
          () => {},
        );
        try {
          const source = await open();
          for (const link of links) {
            const info: EntryInfo = { path: link, type: 'file', mode: e.mode, size: e.size };
            const replay = async function* (): AsyncGenerator<Buffer> {
              const step = 1024 * 1024;
              for (let off = 0; off < source.size; off += step) yield await source.read(off, step);
            };
            await parseInto(link, info, replay(), select(info));
          }
        } finally {
          await dispose();
        }
      }
    }
  }
  return { version: ANALYSIS_VERSION, files, whiteouts, opaques, facts, warnings };
}
