/**
 * Placing the secret scanner's findings in the Dockerfile. `scanText` reports
 * 1-based lines and UTF-8 byte columns of the text it was given; these
 * helpers turn them into offsets of that text, and offsets of a property's
 * value (quotes and escape characters removed) into offsets of the
 * instruction's source text, whose segments give lines and columns.
 */
import type { RuleFinding } from '../../core/finding.js';

/** `[start, end)` in a text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

function utf8Length(codePoint: number): number {
  // A lone surrogate is encoded as U+FFFD, three bytes, as Buffer.from(text, 'utf8') does.
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

interface Point {
  readonly line: number;
  readonly column: number;
}

/**
 * Offsets in `text` of the findings of `scanText(path, text, { line: firstLine })`:
 * one pass over the text for all of them, however many there are.
 */
export function findingSpans(text: string, findings: readonly RuleFinding[], firstLine: number): Span[] {
  const points: Point[] = [];
  for (const f of findings) {
    const l = f.location;
    const startLine = (l.startLine ?? firstLine) - firstLine + 1;
    points.push({ line: startLine, column: l.startColumn ?? 1 });
    points.push({ line: (l.endLine ?? firstLine) - firstLine + 1, column: l.endColumn ?? 1 });
  }
  const order = points.map((_, k) => k);
  order.sort((a, b) => {
    const p = points[a] as Point;
    const q = points[b] as Point;
    return p.line - q.line || p.column - q.column;
  });
  const offsets: number[] = new Array<number>(points.length).fill(0);
  let i = 0;
  let line = 1;
  let column = 1;
  for (const k of order) {
    const p = points[k] as Point;
    while (i < text.length && (line < p.line || (line === p.line && column < p.column))) {
      const cp = text.codePointAt(i) as number;
      if (cp === 10) {
        // A column past the end of its line stays at the line's end.
        if (line === p.line) break;
        line++;
        column = 1;
        i++;
        continue;
      }
      column += utf8Length(cp);
      i += cp > 0xffff ? 2 : 1;
    }
    offsets[k] = i;
  }
  return findings.map((_, n) => {
    const start = offsets[2 * n] as number;
    const end = offsets[2 * n + 1] as number;
    return { start, end: end > start ? end : Math.min(start + 1, text.length) };
  });
}

/**
 * Where each character of `value` lies in `source[from, to)`, the text it was
 * read from with its quotes and escape characters still in, so that `value`
 * is a subsequence of it. Undefined when it is not (the value was read some
 * other way): the caller then points at the whole value.
 */
export function alignValue(source: string, from: number, to: number, value: string): Int32Array | undefined {
  if (to - from < value.length) return undefined;
  const at = new Int32Array(value.length);
  let j = from;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    while (j < to && source.charCodeAt(j) !== c) j++;
    if (j >= to) return undefined;
    at[i] = j++;
  }
  return at;
}
