/**
 * Decoding of bpftrace 0.17's `-f json` output lines. printf records are
 * decoded by hand into bytes: bpftrace escapes `"` `\` and control bytes but
 * passes other bytes through, and writes a byte ≥ 0x80 as `\uffffffXX` (a
 * sign-extended char), so user strings come back byte for byte.
 */

export type BpftraceLine =
  | { readonly type: 'printf'; readonly data: Buffer }
  | { readonly type: 'lost'; readonly count: number }
  | { readonly type: 'attached'; readonly probes: number }
  | { readonly type: 'map'; readonly maps: Readonly<Record<string, unknown>> }
  | { readonly type: 'other' };

const PRINTF_PREFIX = Buffer.from('{"type": "printf", "data": "', 'latin1');
const PRINTF_SUFFIX = Buffer.from('"}', 'latin1');

function hexAt(line: Buffer, at: number, n: number): number {
  if (at + n > line.length) return -1;
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = line[i]!;
    const d =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
          ? c - 0x57
          : c >= 0x41 && c <= 0x46
            ? c - 0x37
            : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

const SIMPLE: Readonly<Record<number, number>> = {
  0x22: 0x22, // \"
  0x5c: 0x5c, // \\
  0x2f: 0x2f, // \/
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x74: 0x09, // \t
  0x62: 0x08, // \b
  0x66: 0x0c, // \f
};

/** Unescapes a JSON string body (bytes between the quotes); undefined when malformed. */
export function unescapeBytes(line: Buffer, start: number, end: number): Buffer | undefined {
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const c = line[i]!;
    if (c === 0x22) return undefined;
    if (c !== 0x5c) {
      out[o++] = c;
      continue;
    }
    const e = line[++i];
    if (e === undefined || i >= end) return undefined;
    const s = SIMPLE[e];
    if (s !== undefined) {
      out[o++] = s;
      continue;
    }
    if (e !== 0x75) return undefined;
    // \uffffffXX: a byte >= 0x80 sign-extended by bpftrace; \u00XX: a control byte.
    const hi = hexAt(line, i + 1, 4);
    if (hi === 0xffff && hexAt(line, i + 5, 4) >>> 8 === 0xff && i + 8 < end) {
      out[o++] = hexAt(line, i + 7, 2);
      i += 8;
    } else if (hi >= 0 && hi < 0x100 && i + 4 < end) {
      out[o++] = hi;
      i += 4;
    } else {
      return undefined;
    }
  }
  return out.subarray(0, o);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** Decodes one output line (without its newline); undefined when unreadable. */
export function decodeLine(line: Buffer): BpftraceLine | undefined {
  if (
    line.length >= PRINTF_PREFIX.length + 2 &&
    line.subarray(0, PRINTF_PREFIX.length).equals(PRINTF_PREFIX)
  ) {
    const end = line.length - PRINTF_SUFFIX.length;
    if (!line.subarray(end).equals(PRINTF_SUFFIX)) return undefined;
    const data = unescapeBytes(line, PRINTF_PREFIX.length, end);
    return data === undefined ? undefined : { type: 'printf', data };
  }
  let v: unknown;
  try {
    v = JSON.parse(line.toString('latin1'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const rec = v as { type?: unknown; data?: unknown };
  const data = typeof rec.data === 'object' && rec.data !== null ? (rec.data as Record<string, unknown>) : {};
  switch (rec.type) {
    case 'lost_events': {
      const count = num(data.events);
      return count === undefined ? undefined : { type: 'lost', count };
    }
    case 'attached_probes': {
      const probes = num(data.probes);
      return probes === undefined ? undefined : { type: 'attached', probes };
    }
    case 'map':
      return { type: 'map', maps: data };
    default:
      return { type: 'other' };
  }
}
