/**
 * Splits a byte stream holding one JSON object into pieces small enough to
 * parse one at a time: each top-level member's value, or, for members holding
 * a big array (`components`, `packages`, `relationships`), each element of
 * that array; members nobody needs are skipped without being kept at all.
 *
 * The scanner follows strings and nesting only. It refuses nesting deeper
 * than a bound before anything is built from it, and a piece larger than a
 * bound before it is decoded; every piece it yields is then parsed with
 * JSON.parse by the caller, which catches whatever else is malformed.
 */
import { MamoriError } from '../core/index.js';

/** What to do with a top-level member: keep its value, yield its array's elements one by one, or skip it. */
export type MemberMode = 'value' | 'elements' | 'skip';

export interface JsonPiece {
  /** Name of the top-level member the piece belongs to. */
  readonly key: string;
  /** JSON text of the member's value (`value` mode) or of one element of its array (`elements` mode). */
  readonly text: string;
  /** Offset of the piece's first byte in the input. */
  readonly offset: number;
}

export interface SplitterOptions {
  /** Names the input in error messages. */
  readonly what: string;
  readonly mode: (key: string) => MemberMode;
  readonly maxPieceBytes: number;
  /** Deepest nesting accepted; the top-level object is depth 1. */
  readonly maxDepth: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MAX_KEY = 4096;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

// Scanner states.
const START = 0; // before the opening brace
const KEY_Q = 1; // expecting a member name (or `}` of an empty object)
const KEY = 2; // inside a member name
const COLON_Q = 3;
const VALUE_Q = 4; // expecting a member's value
const VALUE = 5; // inside a value (a member's, or an array element's)
const ELEM_Q = 6; // expecting an array element (or `]`)
const ELEM_AFTER = 7; // after an array element
const AFTER = 8; // after a member's value
const END = 9;

export class JsonSplitter {
  private state = START;
  private offset = 0;
  private key = '';
  private members = 0;
  // The value being scanned.
  private capture = false;
  private inArray = false;
  private afterComma = false;
  private inString = false;
  private escaped = false;
  private depth = 0;
  private base = 1;
  private pieceStart = 0;
  private parts: Buffer[] = [];
  private partBytes = 0;

  constructor(private readonly opts: SplitterOptions) {}

  private fail(message: string, at: number): never {
    throw new MamoriError('INVALID_ARGUMENT', `${this.opts.what}: ${message} at byte ${this.offset + at}`);
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.partBytes += to - from;
    const max = this.state === KEY ? MAX_KEY : this.opts.maxPieceBytes;
    if (this.partBytes > max) {
      throw new MamoriError(
        'LIMIT_EXCEEDED',
        `${this.opts.what}: a JSON value starting at byte ${this.pieceStart} is larger than ${max} bytes`,
      );
    }
    this.parts.push(chunk.subarray(from, to));
  }

  private take(): string {
    const s =
      this.parts.length === 1
        ? (this.parts[0] as Buffer).toString('utf8')
        : Buffer.concat(this.parts, this.partBytes).toString('utf8');
    this.parts = [];
    this.partBytes = 0;
    return s;
  }

  private deeper(at: number): void {
    this.depth++;
    if (this.base + this.depth > this.opts.maxDepth) {
      throw new MamoriError(
        'LIMIT_EXCEEDED',
        `${this.opts.what}: JSON nested deeper than ${this.opts.maxDepth} levels at byte ${this.offset + at}`,
      );
    }
  }

  /** Ends the value being scanned at `end` (exclusive) and yields it when it is kept. */
  private finish(chunk: Buffer, mark: number, end: number, out: JsonPiece[]): void {
    if (this.capture) {
      this.keep(chunk, mark, end);
      out.push({ key: this.key, text: this.take(), offset: this.pieceStart });
    }
    this.state = this.inArray ? ELEM_AFTER : AFTER;
  }

  private startValue(i: number, inArray: boolean, capture: boolean): void {
    this.state = VALUE;
    this.inArray = inArray;
    this.capture = capture;
    this.base = inArray ? 2 : 1;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.pieceStart = this.offset + i;
  }

  /** Feeds the next chunk; returns the pieces it completed. */
  push(chunk: Buffer): JsonPiece[] {
    const out: JsonPiece[] = [];
    const n = chunk.length;
    let i = 0;
    if (this.offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    // Where the text being kept starts in this chunk (0 when it began in an earlier one).
    let mark = (this.state === VALUE && this.capture) || this.state === KEY ? 0 : -1;
    // Position of the next backslash at or after i, found once per stretch (keeps string scanning linear).
    let backslash = -1;
    while (i < n) {
      const c = chunk[i] as number;
      switch (this.state) {
        case START:
          if (c === LBRACE) this.state = KEY_Q;
          else if (!isWs(c)) this.fail('expected a JSON object', i);
          i++;
          break;
        case KEY_Q:
          if (c === QUOTE) {
            this.state = KEY;
            this.escaped = false;
            this.pieceStart = this.offset + i;
            mark = i + 1;
          } else if (c === RBRACE && this.members === 0) this.state = END;
          else if (!isWs(c)) this.fail('expected a member name', i);
          i++;
          break;
        case KEY:
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) {
            this.keep(chunk, mark, i);
            mark = -1;
            try {
              this.key = JSON.parse(`"${this.take()}"`) as string;
            } catch {
              this.fail('malformed member name', i);
            }
            this.state = COLON_Q;
          }
          i++;
          break;
        case COLON_Q:
          if (c === COLON) this.state = VALUE_Q;
          else if (!isWs(c)) this.fail('expected ":"', i);
          i++;
          break;
        case VALUE_Q: {
          if (isWs(c)) {
            i++;
            break;
          }
          if (c === COMMA || c === RBRACE || c === RBRACKET || c === COLON) this.fail('expected a value', i);
          const mode = this.opts.mode(this.key);
          this.members++;
          if (mode === 'elements' && c === LBRACKET) {
            if (2 > this.opts.maxDepth) this.fail('nesting too deep', i);
            this.state = ELEM_Q;
            this.afterComma = false;
            i++;
          } else {
            this.startValue(i, false, mode === 'value');
            mark = i;
          }
          break;
        }
        case ELEM_Q:
          if (isWs(c)) i++;
          else if (c === RBRACKET) {
            if (this.afterComma) this.fail('expected an array element', i);
            this.state = AFTER;
            i++;
          } else if (c === COMMA || c === RBRACE || c === COLON) this.fail('expected an array element', i);
          else {
            this.startValue(i, true, true);
            mark = i;
          }
          break;
        case ELEM_AFTER:
          if (c === COMMA) {
            this.state = ELEM_Q;
            this.afterComma = true;
          } else if (c === RBRACKET) this.state = AFTER;
          else if (!isWs(c)) this.fail('expected "," or "]"', i);
          i++;
          break;
        case AFTER:
          if (c === COMMA) this.state = KEY_Q;
          else if (c === RBRACE) this.state = END;
          else if (!isWs(c)) this.fail('expected "," or "}"', i);
          i++;
          break;
        case END:
          if (!isWs(c)) this.fail('unexpected data after the JSON object', i);
          i++;
          break;
        case VALUE:
          if (this.inString) {
            if (this.escaped) {
              this.escaped = false;
              i++;
              break;
            }
            if (backslash < i && backslash !== n) {
              const b = chunk.indexOf(BACKSLASH, i);
              backslash = b === -1 ? n : b;
            }
            const q = chunk.indexOf(QUOTE, i);
            const quote = q === -1 ? n : q;
            if (backslash < quote) {
              this.escaped = true;
              i = backslash + 1;
              break;
            }
            if (quote === n) {
              i = n;
              break;
            }
            i = quote + 1;
            this.inString = false;
            if (this.depth === 0) {
              this.finish(chunk, mark, i, out);
              mark = -1;
            }
            break;
          }
          if (c === QUOTE) {
            this.inString = true;
            i++;
          } else if (c === LBRACE || c === LBRACKET) {
            this.deeper(i);
            i++;
          } else if (c === RBRACE || c === RBRACKET) {
            if (this.depth === 0) {
              // A bare value (number, true, null) ended by its container's closing bracket.
              this.finish(chunk, mark, i, out);
              mark = -1;
            } else {
              this.depth--;
              i++;
              if (this.depth === 0) {
                this.finish(chunk, mark, i, out);
                mark = -1;
              }
            }
          } else if (this.depth === 0 && (c === COMMA || isWs(c))) {
            this.finish(chunk, mark, i, out);
            mark = -1;
          } else i++;
          break;
      }
    }
    if (mark >= 0 && ((this.state === VALUE && this.capture) || this.state === KEY))
      this.keep(chunk, mark, n);
    this.offset += n;
    return out;
  }

  /** Checks that the object was complete. */
  end(): void {
    if (this.state !== END) this.fail('the JSON document is truncated', 0);
  }
}
