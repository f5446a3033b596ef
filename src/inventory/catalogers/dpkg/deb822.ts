/**
 * A tolerant parser of RFC-822-style control data (Debian's deb822: dpkg's
 * status database, control files, DEP-5 copyright files).
 *
 * A stanza is a run of field lines separated from the next by one or more
 * blank (empty or whitespace-only) lines. A field line is `Name: value`; a line
 * starting with a space or a tab continues the previous field. Lines starting
 * with `#` are comments. Field names match case-insensitively, as in dpkg.
 *
 * Hostile input never throws: a stanza holding a line that is neither a field
 * nor a continuation (or a continuation with no field before it) is returned
 * with `malformed: true`, so callers can drop it and keep the others.
 */

export interface Stanza {
  /** Fields by lower-cased name; the first occurrence of a repeated name wins. */
  readonly fields: ReadonlyMap<string, string>;
  /** 1-based line of the stanza's first field. */
  readonly line: number;
  /** True when the stanza held a line that is not valid deb822. */
  readonly malformed: boolean;
}

export interface ParseStanzaOptions {
  /** Stops after this many stanzas (default 1,000,000). */
  readonly maxStanzas?: number;
  /** Stops reading a field's value after this many characters (default 1 MiB). */
  readonly maxValueLength?: number;
}

/** Field names: printable ASCII without space or colon, not starting with `#` or `-`. */
const FIELD_NAME_RE = /^[!-9;-~][!-9;-~]*$/;

interface Builder {
  fields: Map<string, string>;
  line: number;
  malformed: boolean;
  /** Field the next continuation line belongs to, if any. */
  current: string | undefined;
}

/**
 * Parses deb822 text into stanzas. The value of a multi-line field is its first
 * line, then each continuation line without its leading space or tab, joined
 * by `\n` (so a Description keeps its ` .` paragraph separators as `.`).
 */
export function parseStanzas(text: string, options: ParseStanzaOptions = {}): Stanza[] {
  const maxStanzas = options.maxStanzas ?? 1_000_000;
  const maxValue = options.maxValueLength ?? 1024 * 1024;
  const out: Stanza[] = [];
  let b: Builder | undefined;

  const flush = (): void => {
    if (b !== undefined && (b.fields.size > 0 || b.malformed)) {
      out.push({ fields: b.fields, line: b.line, malformed: b.malformed });
    }
    b = undefined;
  };

  let lineNo = 0;
  let pos = 0;
  const len = text.length;
  while (pos <= len && out.length < maxStanzas) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    let line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);

    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith('#')) continue;
    b ??= { fields: new Map(), line: lineNo, malformed: false, current: undefined };

    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (b.current === undefined) {
        b.malformed = true;
        continue;
      }
      const prev = b.fields.get(b.current) ?? '';
      if (prev.length < maxValue) {
        b.fields.set(b.current, (prev + '\n' + line.slice(1)).slice(0, maxValue));
      }
      continue;
    }

    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME_RE.test(name) || name.startsWith('-')) {
      b.malformed = true;
      b.current = undefined;
      continue;
    }
    const key = name.toLowerCase();
    if (b.fields.has(key)) {
      // dpkg rejects a repeated field; keep the first value and ignore the rest.
      b.current = undefined;
      continue;
    }
    b.fields.set(
      key,
      line
        .slice(colon + 1)
        .trim()
        .slice(0, maxValue),
    );
    b.current = key;
  }
  flush();
  return out;
}

/** The first line of a field's value, trimmed (the synopsis of a multi-line field). */
export function firstLine(value: string): string {
  const nl = value.indexOf('\n');
  return (nl === -1 ? value : value.slice(0, nl)).trim();
}
