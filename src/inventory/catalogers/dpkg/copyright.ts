/**
 * Licences of a Debian package, from its machine-readable copyright file
 * (`/usr/share/doc/NAME/copyright`, DEP-5:
 * https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/).
 *
 * Only files whose first paragraph has a `Format:` field naming the copyright
 * format are read. Every `License:` synopsis is split into its short names
 * (`GPL-2+ or Artistic` → `GPL-2+`, `Artistic`), kept in order of first
 * appearance; free text placed in a synopsis is ignored.
 */
import { firstLine, parseStanzas } from './deb822.js';

/** Bytes of a copyright file read (the licence fields come first in practice). */
export const COPYRIGHT_READ_LIMIT = 256 * 1024;
/** Largest number of licence names kept for one package. */
export const MAX_LICENSES = 64;

const SHORT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}(?: with [A-Za-z0-9.+_-]{1,64} exception)?$/i;
const FORMAT_RE = /copyright-format|dep5|DEP-5/i;

/** Short licence names of one `License:` synopsis. */
export function splitSynopsis(synopsis: string): string[] {
  const out: string[] = [];
  for (const part of synopsis.split(/\s*,\s*|\s+(?:or|and)\s+/i)) {
    const name = part.trim().replace(/\s+/g, ' ');
    if (name === '' || /^none$/i.test(name) || !SHORT_NAME_RE.test(name)) continue;
    out.push(name);
  }
  return out;
}

/** Distinct licence short names of a DEP-5 copyright file; empty when the file is not machine-readable. */
export function parseCopyright(text: string): string[] {
  const stanzas = parseStanzas(text, { maxValueLength: 64 * 1024 });
  const header = stanzas[0];
  if (header === undefined) return [];
  const format = header.fields.get('format') ?? header.fields.get('format-specification');
  if (format === undefined || !FORMAT_RE.test(format)) return [];

  const seen = new Set<string>();
  for (const stanza of stanzas) {
    const value = stanza.fields.get('license');
    if (value === undefined) continue;
    for (const name of splitSynopsis(firstLine(value))) {
      if (seen.size >= MAX_LICENSES) return [...seen];
      seen.add(name);
    }
  }
  return [...seen];
}
