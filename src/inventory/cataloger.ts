import type { Distro, LayerRef, Package } from '../core/index.js';

/** What the layer walker knows of a file before reading it. */
export interface EntryInfo {
  /** Absolute, normalised path inside the image (`/usr/bin/env`). */
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Permission bits incl. setuid/setgid/sticky (`0o4755`). */
  readonly mode: number;
  readonly size: number;
}

/**
 * Random access to a file's bytes. Small files are held in memory; large ones
 * (binaries, archives) are spilled to a temporary file in the scan's sandbox,
 * so a parser never needs the whole file in memory.
 */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `offset`; shorter only at end of file. */
  read(offset: number, length: number): Promise<Buffer>;
}

/** A file handed to a cataloger's parser. */
export interface CatalogFile {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  readonly source: ByteSource;
}

/** One parsed fact, placed in the image: the file it came from and the layer that holds that file. */
export interface Fact<F> {
  readonly path: string;
  readonly layer: LayerRef;
  readonly fact: F;
}

export interface AssembleContext {
  readonly distro?: Distro;
}

export type CatalogerTag = 'os' | 'language' | 'binary' | 'image' | 'directory';

/**
 * A cataloger finds one kind of package. It works in three pure steps:
 * `select` (which files, decided from path and header alone), `parse` (one
 * file's bytes → a JSON-serialisable fact, cached per layer) and `assemble`
 * (the facts visible in the final filesystem → packages).
 */
export interface Cataloger<F = unknown> {
  /** Stable name, shown as `foundBy`. */
  readonly name: string;
  /** Bumped whenever `parse` output changes: part of the layer cache key. */
  readonly version: number;
  readonly tags: readonly CatalogerTag[];
  /** Whether the file's content is wanted. Called for regular files (and hard links to them) only. */
  select(entry: EntryInfo): boolean;
  /**
   * When set, a selected file is read only if its content starts with one of
   * these byte strings (e.g. the ELF or ZIP magic), so binary catalogers can
   * select every executable cheaply.
   */
  readonly magic?: readonly Uint8Array[];
  /**
   * When set, a selected file is parsed only if these byte strings occur
   * somewhere in it (Go's build-info magic, the `.dep-v0` section name): the
   * walker finds them while the file streams past and keeps nothing of files
   * without them.
   */
  readonly contains?: readonly Uint8Array[];
  /** Largest file this cataloger reads; bigger selected files are skipped with a warning. */
  readonly maxFileSize?: number;
  /** Parses one file. Returns undefined when the file holds nothing for this cataloger. Must not throw on bad input unless nothing can be salvaged; prefer dropping the bad element. */
  parse(file: CatalogFile): Promise<F | undefined> | F | undefined;
  /** Builds packages from the facts visible in the final filesystem, in layer then path order. */
  assemble(facts: readonly Fact<F>[], ctx: AssembleContext): Package[];
}

/** One file's consumer in a stream analyser: shown every chunk as the walker streams past. */
export interface StreamSink<F> {
  write(chunk: Buffer): void;
  /** True once further input would change nothing; the walker stops feeding it. */
  readonly done: boolean;
  /** The file ended (or the sink is done): its fact, or undefined when it holds nothing. */
  end(): F | undefined | Promise<F | undefined>;
}

/**
 * An analyser that reads the content of many files without the walker
 * holding any of them (secret detection reads nearly every file): each
 * selected file's chunks are pushed to a sink while the layer streams past,
 * whatever its size. Facts are kept in the layer analysis under `name`, like
 * a cataloger's, and never become packages.
 */
export interface StreamAnalyzer<F = unknown> {
  readonly name: string;
  /** Bumped whenever the facts change: part of the layer cache key. */
  readonly version: number;
  /**
   * Settings that change the facts (an allow-list), as a stable string:
   * part of the layer cache key, so different settings never share entries.
   */
  readonly settings?: string;
  /** Whether the file's content is wanted. Called for regular files only. */
  select(entry: EntryInfo): boolean;
  open(entry: EntryInfo): StreamSink<F>;
}
