/**
 * `WWW-Authenticate` parsing (RFC 7235 §4.1): a list of challenges, each a
 * scheme followed by a token68 or comma-separated `name=value` parameters
 * whose values may be quoted strings containing commas. The header comes from
 * the network: the parser never throws and bounds its output.
 */

export interface AuthChallenge {
  /** Lowercased scheme (`bearer`, `basic`). */
  readonly scheme: string;
  /** Parameters with lowercased names; the first occurrence of a name wins. */
  readonly params: Readonly<Record<string, string>>;
  readonly token68?: string;
}

const MAX_HEADER = 16 * 1024;
const MAX_CHALLENGES = 16;
const MAX_PARAMS = 32;

function isTchar(c: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]$/.test(c);
}
function isToken68Char(c: string): boolean {
  return /^[A-Za-z0-9._~+/-]$/.test(c);
}
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.pos];
  }
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  skipSpace(): void {
    while (isSpace(this.peek())) this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (!this.done && isTchar(this.s[this.pos] as string)) this.pos++;
    return this.s.slice(start, this.pos);
  }
  quoted(): string {
    // Called on the opening quote; an unterminated string runs to the end.
    this.pos++;
    let out = '';
    while (!this.done) {
      const c = this.s[this.pos++] as string;
      if (c === '"') return out;
      if (c === '\\' && !this.done) out += this.s[this.pos++] as string;
      else out += c;
    }
    return out;
  }
  skipPastComma(): void {
    while (!this.done && this.peek() !== ',') {
      if (this.peek() === '"') this.quoted();
      else this.pos++;
    }
  }
}

/** Reads a token68 at the cursor, if the text there is one followed by end or comma. */
function tryToken68(cur: Cursor): string | undefined {
  const start = cur.pos;
  while (!cur.done && isToken68Char(cur.peek() as string)) cur.pos++;
  if (cur.pos === start) return undefined;
  while (cur.peek() === '=') cur.pos++;
  const end = cur.pos;
  cur.skipSpace();
  if (cur.done || cur.peek() === ',') return cur.s.slice(start, end);
  cur.pos = start;
  return undefined;
}

function parseParams(cur: Cursor, params: Map<string, string>): void {
  for (;;) {
    cur.skipSpace();
    while (cur.peek() === ',') {
      cur.pos++;
      cur.skipSpace();
    }
    if (cur.done) return;
    const start = cur.pos;
    const name = cur.token();
    cur.skipSpace();
    if (name.length === 0 || cur.peek() !== '=') {
      // Not a parameter: the next challenge's scheme (or garbage) starts here.
      cur.pos = start;
      return;
    }
    cur.pos++;
    cur.skipSpace();
    const value = cur.peek() === '"' ? cur.quoted() : cur.token();
    const key = name.toLowerCase();
    if (!params.has(key) && params.size < MAX_PARAMS) params.set(key, value);
    cur.skipSpace();
    if (!cur.done && cur.peek() !== ',') cur.skipPastComma();
  }
}

/** Parses one or more `WWW-Authenticate` header values into challenges, in order. */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const text = (typeof header === 'string' ? header : header.join(', ')).slice(0, MAX_HEADER);
  const cur = new Cursor(text);
  const out: AuthChallenge[] = [];
  while (!cur.done && out.length < MAX_CHALLENGES) {
    cur.skipSpace();
    if (cur.peek() === ',') {
      cur.pos++;
      continue;
    }
    if (cur.done) break;
    const scheme = cur.token();
    if (scheme.length === 0) {
      // Garbage where a scheme belongs (never a space or comma here): skip the element.
      cur.skipPastComma();
      continue;
    }
    const afterScheme = cur.pos;
    cur.skipSpace();
    const params = new Map<string, string>();
    let token68: string | undefined;
    if (cur.peek() === ',') {
      // Empty list elements may precede the parameters (`Bearer , realm="x"`).
      parseParams(cur, params);
    } else if (cur.pos > afterScheme && !cur.done) {
      const save = cur.pos;
      const name = cur.token();
      cur.skipSpace();
      const looksLikeParam =
        name.length > 0 && cur.peek() === '=' && !/^=*\s*(,|$)/.test(text.slice(cur.pos));
      cur.pos = save;
      if (!looksLikeParam) token68 = tryToken68(cur);
      if (token68 === undefined) parseParams(cur, params);
    } else if (cur.pos === afterScheme && !cur.done && cur.peek() !== ',') {
      // A scheme glued to garbage (`Bearer"x"`): drop the rest of this element.
      cur.skipPastComma();
    }
    out.push({
      scheme: scheme.toLowerCase(),
      params: Object.fromEntries(params),
      ...(token68 !== undefined ? { token68 } : {}),
    });
  }
  return out;
}

/** A parameter of a challenge, looked up safely (own properties only). */
export function challengeParam(ch: AuthChallenge, name: string): string | undefined {
  return Object.hasOwn(ch.params, name) ? ch.params[name] : undefined;
}

/** Quotes a value for a `WWW-Authenticate` header (used by test servers). */
export function quoteParam(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
