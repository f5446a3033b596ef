/**
 * Reads the dependency list `cargo auditable` embeds in Rust binaries: zlib-
 * compressed JSON `{"format"?, "packages": [{name, version, source, kind?,
 * dependencies?, root?}]}` in the `.dep-v0` ELF section (`.rust-deps-v0` in
 * rust-audit 0.1). Only the section is read; its compressed and decompressed
 * sizes are bounded, and a package entry that does not fit the schema is
 * dropped (with the dependency indices renumbered), not the whole list.
 */
import { inflateSync } from 'node:zlib';
import { MamoriError } from '../../../core/index.js';
import type { ByteSource } from '../../cataloger.js';
import { ElfFile } from '../../elf/index.js';

/** Largest compressed section read. */
export const MAX_COMPRESSED_BYTES = 8 << 20;
/** Largest decompressed JSON accepted. */
export const MAX_DECOMPRESSED_BYTES = 8 << 20;

const SECTION_NAMES = ['.dep-v0', '.rust-deps-v0'] as const;

export interface CargoAuditPackage {
  readonly name: string;
  readonly version: string;
  /** `crates.io`, `git`, `local`, `registry`, or another source name. */
  readonly source: string;
  /** `runtime` unless recorded as `build` (build scripts, proc-macros and their dependencies). */
  readonly kind: 'runtime' | 'build';
  /** Indices into `packages`. */
  readonly dependencies: readonly number[];
  readonly root: boolean;
}

export interface CargoAuditInfo {
  /** Format revision; absent in the oldest data. */
  readonly format?: number;
  readonly packages: readonly CargoAuditPackage[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sourceName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  // The schema also allows `{"Other": "<name>"}`.
  if (isRecord(v) && typeof v['Other'] === 'string') return v['Other'];
  return undefined;
}

/** Validates decoded audit JSON; undefined when it is not an object with a `packages` array. */
export function parseAuditJson(value: unknown): CargoAuditInfo | undefined {
  if (!isRecord(value) || !Array.isArray(value['packages'])) return undefined;
  const entries: unknown[] = value['packages'];
  const kept: { pkg: Omit<CargoAuditPackage, 'dependencies'>; deps: unknown }[] = [];
  const newIndex = new Map<number, number>();
  entries.forEach((e, i) => {
    if (!isRecord(e)) return;
    const { name, version, kind, root } = e;
    const source = sourceName(e['source']);
    if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') return;
    if (source === undefined) return;
    if (kind !== undefined && kind !== 'runtime' && kind !== 'build') return;
    newIndex.set(i, kept.length);
    kept.push({
      pkg: { name, version, source, kind: kind ?? 'runtime', root: root === true },
      deps: e['dependencies'],
    });
  });
  const packages = kept.map(({ pkg, deps }) => {
    const dependencies: number[] = [];
    if (Array.isArray(deps)) {
      for (const d of deps as unknown[]) {
        const j = typeof d === 'number' ? newIndex.get(d) : undefined;
        if (j !== undefined) dependencies.push(j);
      }
    }
    return { ...pkg, dependencies };
  });
  const format = value['format'];
  return {
    ...(typeof format === 'number' && Number.isInteger(format) && format >= 0 ? { format } : {}),
    packages,
  };
}

/** Inflates zlib data, bounded; LIMIT_EXCEEDED for a bomb, INVALID_ARGUMENT for corrupt data. */
export function inflateAuditData(data: Buffer): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  } catch (e) {
    if (e instanceof RangeError) {
      throw new MamoriError(
        'LIMIT_EXCEEDED',
        `cargo-auditable data decompresses to more than ${MAX_DECOMPRESSED_BYTES} bytes`,
        { cause: e },
      );
    }
    throw new MamoriError('INVALID_ARGUMENT', 'cargo-auditable data is not valid zlib', { cause: e });
  }
}

/**
 * The cargo-auditable dependency list of an ELF binary; undefined when the
 * binary has no audit section. Throws MamoriError when the section is there
 * but unreadable (past the end of the file, too large, corrupt, not JSON).
 */
export async function readCargoAuditable(src: ByteSource): Promise<CargoAuditInfo | undefined> {
  const elf = await ElfFile.open(src);
  const sections = await elf.sections();
  const section = SECTION_NAMES.map((n) => sections.find((s) => s.name === n)).find((s) => s !== undefined);
  if (section === undefined) return undefined;
  const json = inflateAuditData(await elf.readSection(section, MAX_COMPRESSED_BYTES));
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', 'cargo-auditable data is not valid JSON', { cause: e });
  }
  const info = parseAuditJson(value);
  if (info === undefined) {
    throw new MamoriError('INVALID_ARGUMENT', 'cargo-auditable data has no "packages" list');
  }
  return info;
}
