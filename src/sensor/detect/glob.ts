/**
 * Glob matching in time linear in the value times the pattern (never
 * exponential, no regular expression built from user text).
 *
 * - `path` mode: `*` and `?` stop at `/`, `**` crosses it; a pattern ending in
 *   `/` matches everything under that directory (`/etc/` ≡ `/etc/**`).
 * - `text` mode (command names, arguments): `*` matches anything.
 *
 * `\` escapes the next character. Other characters (`[`, `{`) are literal.
 */

export type GlobMode = 'path' | 'text';
export type StringMatcher = (value: string) => boolean;

enum Tok {
  Lit,
  One,
  Star,
  DStar,
}
interface Token {
  readonly t: Tok;
  readonly c: string;
}

function tokenize(pattern: string, mode: GlobMode): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '\\' && i + 1 < pattern.length) {
      out.push({ t: Tok.Lit, c: pattern[++i] ?? '' });
    } else if (ch === '*') {
      let n = 1;
      while (pattern[i + 1] === '*') {
        i++;
        n++;
      }
      const t = mode === 'text' || n > 1 ? Tok.DStar : Tok.Star;
      // Consecutive stars collapse into one token (the strongest).
      const last = out[out.length - 1];
      if (last && (last.t === Tok.Star || last.t === Tok.DStar)) {
        if (t === Tok.DStar) out[out.length - 1] = { t, c: '' };
      } else out.push({ t, c: '' });
    } else if (ch === '?') out.push({ t: Tok.One, c: '' });
    else out.push({ t: Tok.Lit, c: ch });
  }
  return out;
}

/** The literal text of a token run, or undefined when it holds a wildcard. */
function literal(tokens: readonly Token[]): string | undefined {
  let s = '';
  for (const tk of tokens) {
    if (tk.t !== Tok.Lit) return undefined;
    s += tk.c;
  }
  return s;
}

/** Simulates the pattern as an automaton: one pass over the value, a state set as wide as the pattern. */
function automaton(tokens: readonly Token[], sep: string): StringMatcher {
  const m = tokens.length;
  return (value) => {
    let cur = new Uint8Array(m + 1);
    let next = new Uint8Array(m + 1);
    const close = (set: Uint8Array): boolean => {
      let any = false;
      for (let i = 0; i <= m; i++) {
        if (set[i] !== 1) continue;
        any = true;
        const t = tokens[i]?.t;
        if (t === Tok.Star || t === Tok.DStar) set[i + 1] = 1;
      }
      return any;
    };
    cur[0] = 1;
    close(cur);
    for (let p = 0; p < value.length; p++) {
      const ch = value[p];
      next.fill(0);
      for (let i = 0; i < m; i++) {
        if (cur[i] !== 1) continue;
        const tk = tokens[i];
        if (!tk) continue;
        if (tk.t === Tok.DStar || (tk.t === Tok.Star && ch !== sep)) next[i] = 1;
        else if (tk.t === Tok.Lit ? tk.c === ch : tk.t === Tok.One && ch !== sep) next[i + 1] = 1;
      }
      if (!close(next)) return false;
      [cur, next] = [next, cur];
    }
    return cur[m] === 1;
  };
}

/** Compiles a glob into a matcher; fast paths for literal, prefix and suffix patterns. */
export function compileGlob(pattern: string, mode: GlobMode): StringMatcher {
  if (mode === 'path' && pattern.endsWith('/') && !pattern.endsWith('\\/')) {
    return compileGlob(`${pattern}**`, mode);
  }
  const tokens = tokenize(pattern, mode);
  const whole = literal(tokens);
  if (whole !== undefined) return (v) => v === whole;
  const last = tokens[tokens.length - 1];
  const head = literal(tokens.slice(0, -1));
  if (head !== undefined && last?.t === Tok.DStar) return (v) => v.startsWith(head);
  if (head !== undefined && last?.t === Tok.Star) {
    return (v) => v.startsWith(head) && !v.includes('/', head.length);
  }
  const tail = literal(tokens.slice(1));
  if (tail !== undefined && tokens[0]?.t === Tok.DStar) return (v) => v.endsWith(tail);
  return prefiltered(tokens, automaton(tokens, mode === 'path' ? '/' : ''));
}

/**
 * Cheap necessary conditions checked before the automaton: the literal text
 * before the first wildcard starts the value, the text after the last ends
 * it, and the longest literal run occurs in it. Most values fail one.
 */
function prefiltered(tokens: readonly Token[], full: StringMatcher): StringMatcher {
  const runs: string[] = [''];
  for (const tk of tokens) {
    if (tk.t === Tok.Lit) runs[runs.length - 1] += tk.c;
    else runs.push('');
  }
  const head = runs[0] ?? '';
  const tail = runs[runs.length - 1] ?? '';
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
  return (v) =>
    v.length >= head.length + tail.length &&
    v.startsWith(head) &&
    v.endsWith(tail) &&
    v.includes(longest) &&
    full(v);
}

/** A matcher true when any of the patterns matches. */
export function compileGlobs(patterns: readonly string[], mode: GlobMode): StringMatcher {
  const ms = patterns.map((p) => compileGlob(p, mode));
  if (ms.length === 1 && ms[0]) return ms[0];
  return (v) => ms.some((m) => m(v));
}
