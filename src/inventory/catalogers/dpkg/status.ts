/**
 * dpkg status entries: which stanzas of a status database are installed
 * packages, and the fields mamori keeps from them.
 */
import { firstLine, parseStanzas, type Stanza } from './deb822.js';

/** One installed package as the status database records it. */
export interface DpkgEntry {
  readonly name: string;
  readonly version: string;
  readonly architecture?: string;
  /** Source package name (the binary name when the stanza has no Source field). */
  readonly source: string;
  /** Source version (the binary version when the Source field carries none). */
  readonly sourceVersion: string;
  readonly maintainer?: string;
  /** Installed-Size, in KiB as dpkg records it. */
  readonly installedSize?: number;
  /** The third word of Status (`installed`, `half-configured`, …). */
  readonly state: string;
}

const WANTS = new Set(['unknown', 'install', 'hold', 'deinstall', 'purge']);
const EFLAGS = new Set(['ok', 'reinstreq', 'hold', 'hold-reinstreq']);
const STATES = new Set([
  'not-installed',
  'config-files',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);

/**
 * States whose package files are on disk. dpkg-query --show lists every
 * package not in state `not-installed`; mamori also leaves out `config-files`
 * (removed packages of which only configuration files remain). The selection
 * flag (`install`, `hold`, `deinstall`, …) is not considered: a package
 * selected for removal is still installed until it is removed.
 */
const PRESENT_STATES = new Set([
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9+._-]{0,254}$/;
const VERSION_RE = /^[A-Za-z0-9.+~:_-]{1,256}$/;
const ARCH_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SOURCE_RE = /^(\S+)(?:\s+\((\S+)\))?$/;
const MAX_TEXT = 1024;

/** Parses a Status field; undefined when it is not three valid words. */
export function parseStatusField(value: string): { want: string; eflag: string; state: string } | undefined {
  const words = value.trim().split(/\s+/);
  if (words.length !== 3) return undefined;
  const [want, eflag, state] = words as [string, string, string];
  if (!WANTS.has(want) || !EFLAGS.has(eflag) || !STATES.has(state)) return undefined;
  return { want, eflag, state };
}

/** Splits `name (version)` or `name`; undefined when malformed. */
export function parseSourceField(value: string): { name: string; version?: string } | undefined {
  const m = SOURCE_RE.exec(value.trim());
  if (m === null) return undefined;
  const name = m[1] ?? '';
  const version = m[2];
  if (!NAME_RE.test(name) || (version !== undefined && !VERSION_RE.test(version))) return undefined;
  return version === undefined ? { name } : { name, version };
}

function shortText(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = firstLine(v);
  return t === '' ? undefined : t.slice(0, MAX_TEXT);
}

/**
 * Converts one stanza into an installed package entry. Returns undefined when
 * the stanza is malformed, lacks a valid name or version, or is not installed.
 * `statusRequired` is true for /var/lib/dpkg/status (a stanza without Status
 * is not installed, as dpkg reads it) and false for distroless status.d files,
 * which hold a package's control stanza without a Status field.
 */
export function toEntry(stanza: Stanza, statusRequired: boolean): DpkgEntry | undefined {
  if (stanza.malformed) return undefined;
  const f = stanza.fields;
  const name = firstLine(f.get('package') ?? '');
  const version = firstLine(f.get('version') ?? '');
  if (!NAME_RE.test(name) || !VERSION_RE.test(version)) return undefined;

  const statusValue = f.get('status');
  let state = 'installed';
  if (statusValue !== undefined) {
    const status = parseStatusField(firstLine(statusValue));
    if (status === undefined) return undefined;
    state = status.state;
  } else if (statusRequired) {
    return undefined;
  }
  if (!PRESENT_STATES.has(state)) return undefined;

  const archValue = firstLine(f.get('architecture') ?? '');
  const architecture = ARCH_RE.test(archValue) ? archValue : undefined;

  let source = name;
  let sourceVersion = version;
  const sourceValue = f.get('source');
  if (sourceValue !== undefined) {
    const src = parseSourceField(firstLine(sourceValue));
    if (src !== undefined) {
      source = src.name;
      sourceVersion = src.version ?? version;
    }
  }

  const sizeValue = firstLine(f.get('installed-size') ?? '');
  const installedSize = /^\d{1,15}$/.test(sizeValue) ? Number(sizeValue) : undefined;
  const maintainer = shortText(f.get('maintainer'));

  return {
    name,
    version,
    ...(architecture !== undefined ? { architecture } : {}),
    source,
    sourceVersion,
    ...(maintainer !== undefined ? { maintainer } : {}),
    ...(installedSize !== undefined ? { installedSize } : {}),
    state,
  };
}

/** Parses a status database (or one status.d file) into installed entries; bad stanzas are dropped. */
export function parseStatus(text: string, statusRequired: boolean): DpkgEntry[] {
  const entries: DpkgEntry[] = [];
  for (const stanza of parseStanzas(text)) {
    const entry = toEntry(stanza, statusRequired);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}
