/**
 * Parses untrusted manifest JSON so that every client reads the same
 * document the registry validated. Before `JSON.parse` runs, one linear scan
 * bounds nesting depth and keys per object, and rejects what JSON parsers
 * disagree on:
 * - keys repeated in an object, also when they differ only in case (Go's
 *   encoding/json, which most registry clients use, matches field names
 *   case-insensitively and keeps the last value, so `{"layers":[A],
 *   "Layers":[B]}` would be read as B by a client and as A here);
 * - a non-integer number literal (`1.0`, `1e3`) for `size` or
 *   `schemaVersion`, which Go refuses for integer fields;
 * - bytes that are not UTF-8, and a byte order mark.
 */
import { RegistryError } from './errors.js';

export interface JsonLimits {
  readonly maxDepth: number;
  readonly maxKeysPerObject: number;
}

/** Fields Go decodes into integers: their literals must be integers. */
const INTEGER_FIELDS: ReadonlySet<string> = new Set(['size', 'schemaVersion']);
const INTEGER_LITERAL = /^-?(?:0|[1-9][0-9]*)$/;

interface Frame {
  readonly object: boolean;
  readonly keys: Set<string>;
  expectKey: boolean;
  key: string | undefined;
}

function invalid(what: string, reason: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `${what}: ${reason}`, { detail: { reason } });
}

/** Case folding close to Go's: ASCII case plus the Unicode forms that fold onto ASCII (ſ, K). */
export function foldKey(key: string): string {
  return key.toUpperCase().toLowerCase();
}

function decodeKey(raw: string, what: string): string {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'string') return v;
  } catch {
    // reported below
  }
  throw invalid(what, 'is not valid JSON (bad string escape)');
}

function scan(text: string, what: string, limits: JsonLimits): void {
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
          continue;
        }
        if (d === 0x22) break;
        j++;
      }
      if (j >= n) throw invalid(what, 'is not valid JSON (unterminated string)');
      if (top?.object && top.expectKey) {
        const raw = text.slice(i, j + 1);
        const key = escaped ? decodeKey(raw, what) : raw.slice(1, -1);
        const folded = foldKey(key);
        if (top.keys.has(folded)) {
          throw invalid(
            what,
            `key ${JSON.stringify(key.slice(0, 64))} repeats a key of its object (keys are compared ignoring case, as Go clients read them)`,
          );
        }
        if (top.keys.size >= limits.maxKeysPerObject) {
          throw invalid(what, `an object has more than ${limits.maxKeysPerObject} keys`);
        }
        top.keys.add(folded);
        top.key = key;
        top.expectKey = false;
      }
      i = j + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (stack.length >= limits.maxDepth) throw invalid(what, `nests deeper than ${limits.maxDepth} levels`);
      stack.push({ object: c === 0x7b, keys: new Set(), expectKey: c === 0x7b, key: undefined });
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      i++;
    } else if (c === 0x2c) {
      if (top?.object) {
        top.expectKey = true;
        top.key = undefined;
      }
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n && /[0-9eE+.-]/.test(text[j] ?? '')) j++;
      const literal = text.slice(i, j);
      if (
        top?.object &&
        top.key !== undefined &&
        INTEGER_FIELDS.has(top.key) &&
        !INTEGER_LITERAL.test(literal)
      ) {
        throw invalid(what, `"${top.key}" must be an integer literal, not ${literal.slice(0, 32)}`);
      }
      i = j;
    } else {
      i++;
    }
  }
}

/**
 * Decodes `bytes` as UTF-8 JSON within `limits`. Throws RegistryError
 * MANIFEST_INVALID naming the reason; never anything else.
 */
export function parseGuardedJson(bytes: Uint8Array, what: string, limits: JsonLimits): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalid(what, 'is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) throw invalid(what, 'starts with a byte order mark');
  scan(text, what, limits);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new RegistryError('MANIFEST_INVALID', `${what}: is not valid JSON`, {
      detail: { reason: e instanceof Error ? e.message.slice(0, 200) : 'invalid JSON' },
      cause: e,
    });
  }
}
