/**
 * META-INF/MANIFEST.MF, main section only (the JAR File Specification:
 * `Name: value` headers, lines ending in CR LF, LF or CR, a continuation line
 * starting with one space, sections separated by an empty line). Attribute
 * names are case-insensitive; the last of duplicate headers wins, as in
 * java.util.jar.
 */

/** The main section's attributes, looked up case-insensitively. */
export interface Manifest {
  /** Value of an attribute (trimmed), or undefined when absent or empty. */
  get(name: string): string | undefined;
  /** Attributes in file order under their spelling in the file. */
  readonly entries: ReadonlyArray<readonly [string, string]>;
}

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,69}$/;
/** Most attributes kept from one main section; the rest are ignored. */
const MAX_ATTRIBUTES = 2048;

export function parseManifest(text: string): Manifest {
  const values = new Map<string, [string, string]>();
  let last: [string, string] | undefined;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ')) {
      if (last) last[1] += line.slice(1);
      continue;
    }
    last = undefined;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    if (!HEADER_NAME.test(name)) continue;
    const key = name.toLowerCase();
    const existing = values.get(key);
    if (existing) {
      existing[0] = name;
      existing[1] = line.slice(colon + 1);
      last = existing;
    } else if (values.size < MAX_ATTRIBUTES) {
      last = [name, line.slice(colon + 1)];
      values.set(key, last);
    }
  }
  const trimmed = new Map<string, readonly [string, string]>();
  for (const [key, [name, value]] of values) trimmed.set(key, [name, value.trim()]);
  return {
    get(name: string): string | undefined {
      const v = trimmed.get(name.toLowerCase())?.[1];
      return v === undefined || v === '' ? undefined : v;
    },
    entries: [...trimmed.values()],
  };
}

/** Longest attribute value copied into package metadata; longer ones (package lists) are left out. */
const MAX_RECORDED_VALUE = 1024;
const MAX_RECORDED_ATTRIBUTES = 64;

/** The main attributes as a bounded, JSON-friendly record for package metadata. */
export function manifestRecord(m: Manifest): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [name, value] of m.entries) {
    if (n >= MAX_RECORDED_ATTRIBUTES) break;
    if (value === '' || value.length > MAX_RECORDED_VALUE) continue;
    out[name] = value;
    n++;
  }
  return n > 0 ? out : undefined;
}
