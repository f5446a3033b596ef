/**
 * Streams the members of a top-level JSON object (`{"k": value, …}`) one at
 * a time, as the key and the raw text of its value, so that a feed of
 * hundreds of megabytes (the Debian security tracker's package → CVE map) is
 * never held in memory at once: only the member being read is, up to a bound.
 * The scanner tracks strings and nesting only; each value is then parsed with
 * JSON.parse by the caller, which catches anything else malformed.
 */
import { MamoriError } from '../core/index.js';

export interface Member {
  readonly key: string;
  /** The value's JSON text. */
  readonly value: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_KEY = 4096;

type State = 'start' | 'key?' | 'key' | 'colon' | 'value?' | 'value' | 'after' | 'end';

/** Splits a byte stream holding one JSON object into its members. */
export class MemberSplitter {
  private state: State = 'start';
  private offset = 0;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private keyText = '';
  private inString = false;
  private escaped = false;
  private depth = 0;
  private members = 0;
  private bom = true;

  constructor(
    private readonly what: string,
    private readonly maxMemberBytes: number,
  ) {}

  private fail(message: string, at: number): never {
    throw new MamoriError('INVALID_ARGUMENT', `${this.what}: ${message} at byte ${this.offset + at}`);
  }

  private keep(chunk: Buffer, from: number, to: number, at: number): void {
    if (to <= from) return;
    this.partBytes += to - from;
    const max = this.state === 'key' ? MAX_KEY : this.maxMemberBytes;
    if (this.partBytes > max) {
      throw new MamoriError(
        'LIMIT_EXCEEDED',
        `${this.what}: a member is larger than ${max} bytes at byte ${this.offset + at}`,
      );
    }
    this.parts.push(chunk.subarray(from, to));
  }

  private take(): string {
    const s = Buffer.concat(this.parts, this.partBytes).toString('utf8');
    this.parts = [];
    this.partBytes = 0;
    return s;
  }

  /** Feeds the next chunk; returns the members it completed. */
  push(chunk: Buffer): Member[] {
    const out: Member[] = [];
    let i = 0;
    if (this.bom && this.offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    this.bom = false;
    // Where the text being captured starts in this chunk: at 0 when it began in an earlier one.
    let mark = this.state === 'key' || this.state === 'value' ? 0 : -1;
    const n = chunk.length;
    while (i < n) {
      const c = chunk[i] as number;
      switch (this.state) {
        case 'start':
          if (c === 0x7b) this.state = 'key?';
          else if (!WS.has(c)) this.fail('expected a JSON object', i);
          i++;
          break;
        case 'key?':
          if (c === QUOTE) {
            this.state = 'key';
            mark = i + 1;
          } else if (c === 0x7d && this.members === 0) this.state = 'end';
          else if (!WS.has(c)) this.fail('expected a member name', i);
          i++;
          break;
        case 'key':
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) {
            this.keep(chunk, mark, i, i);
            mark = -1;
            try {
              this.keyText = JSON.parse(`"${this.take()}"`) as string;
            } catch {
              this.fail('malformed member name', i);
            }
            this.state = 'colon';
          }
          i++;
          break;
        case 'colon':
          if (c === 0x3a) this.state = 'value?';
          else if (!WS.has(c)) this.fail('expected ":"', i);
          i++;
          break;
        case 'value?':
          if (WS.has(c)) {
            i++;
            break;
          }
          this.state = 'value';
          mark = i;
          break;
        case 'value': {
          let done = false;
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (c === BACKSLASH) this.escaped = true;
            else if (c === QUOTE) {
              this.inString = false;
              done = this.depth === 0;
            }
          } else if (c === QUOTE) this.inString = true;
          else if (c === 0x7b || c === 0x5b) this.depth++;
          else if (c === 0x7d || c === 0x5d) {
            if (this.depth === 0) {
              // The end of the object right after a bare value (a number, true, null).
              this.keep(chunk, mark, i, i);
              mark = -1;
              out.push({ key: this.keyText, value: this.take() });
              this.members++;
              this.state = 'end';
              i++;
              break;
            }
            this.depth--;
            done = this.depth === 0;
          } else if (this.depth === 0 && (c === 0x2c || WS.has(c))) {
            this.keep(chunk, mark, i, i);
            mark = -1;
            out.push({ key: this.keyText, value: this.take() });
            this.members++;
            this.state = c === 0x2c ? 'key?' : 'after';
            i++;
            break;
          }
          i++;
          if (done) {
            this.keep(chunk, mark, i, i);
            mark = -1;
            out.push({ key: this.keyText, value: this.take() });
            this.members++;
            this.state = 'after';
          }
          break;
        }
        case 'after':
          if (c === 0x2c) this.state = 'key?';
          else if (c === 0x7d) this.state = 'end';
          else if (!WS.has(c)) this.fail('expected "," or "}"', i);
          i++;
          break;
        case 'end':
          if (!WS.has(c)) this.fail('unexpected data after the object', i);
          i++;
          break;
      }
    }
    if (mark >= 0 && (this.state === 'key' || this.state === 'value')) this.keep(chunk, mark, n, n);
    this.offset += n;
    return out;
  }

  /** Checks the object was complete. */
  end(): void {
    if (this.state !== 'end') this.fail('the JSON object is truncated', 0);
  }
}

/** The members of the JSON object in a byte stream, one by one; at most `maxTotalBytes` are read. */
export async function* objectMembers(
  input: AsyncIterable<Buffer>,
  what: string,
  maxMemberBytes: number,
  maxTotalBytes = Number.MAX_SAFE_INTEGER,
): AsyncGenerator<Member> {
  const splitter = new MemberSplitter(what, maxMemberBytes);
  let total = 0;
  for await (const chunk of input) {
    total += chunk.length;
    if (total > maxTotalBytes) {
      throw new MamoriError('LIMIT_EXCEEDED', `${what}: more than ${maxTotalBytes} bytes of JSON`);
    }
    yield* splitter.push(chunk);
  }
  splitter.end();
}
