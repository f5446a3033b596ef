/**
 * Go string literals as they appear in build settings (`strconv.Quote` on
 * write, `strconv.Unquote` / `strconv.QuotedPrefix` on read): double-quoted
 * with Go escapes, or back-quoted raw strings.
 */

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  '"': 0x22,
};

const HEX = /^[0-9a-fA-F]+$/;
const OCT = /^[0-7]{3}$/;

/** The length of the quoted Go string literal at the start of `s`, or undefined when there is none. */
export function quotedPrefix(s: string): number | undefined {
  const q = s[0];
  if (q === '`') {
    const end = s.indexOf('`', 1);
    return end === -1 ? undefined : end + 1;
  }
  if (q !== '"') return undefined;
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '\n') return undefined;
    else if (c === '"') return unquoteGo(s.slice(0, i + 1)) === undefined ? undefined : i + 1;
  }
  return undefined;
}

/** The value of a whole Go string literal, or undefined when `s` is not exactly one valid literal. */
export function unquoteGo(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s[0];
  if (q !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (q === '`') return body.includes('`') ? undefined : body.replaceAll('\r', '');
  if (q !== '"') return undefined;
  const out: number[] = [];
  const pushText = (t: string): void => {
    for (const b of Buffer.from(t, 'utf8')) out.push(b);
  };
  for (let i = 0; i < body.length;) {
    const c = body[i] ?? '';
    if (c === '"' || c === '\n') return undefined;
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out.push(simple);
      i += 2;
    } else if (e === 'x') {
      const h = body.slice(i + 2, i + 4);
      if (h.length !== 2 || !HEX.test(h)) return undefined;
      out.push(parseInt(h, 16));
      i += 4;
    } else if (e >= '0' && e <= '7') {
      const o = body.slice(i + 1, i + 4);
      if (!OCT.test(o) || parseInt(o, 8) > 255) return undefined;
      out.push(parseInt(o, 8));
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = body.slice(i + 2, i + 2 + n);
      if (h.length !== n || !HEX.test(h)) return undefined;
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
      pushText(String.fromCodePoint(cp));
      i += 2 + n;
    } else {
      return undefined;
    }
  }
  return Buffer.from(out).toString('utf8');
}
