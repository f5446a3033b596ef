/**
 * Java `.properties` files (java.util.Properties#load): comments starting
 * with `#` or `!`, `key=value`, `key:value` or `key value`, logical lines
 * continued by an odd number of trailing backslashes, and `\uXXXX` escapes.
 */

const MAX_KEYS = 1024;

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s.charAt(++i);
    if (n === 'u' && /^[0-9A-Fa-f]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else {
      out += n === 't' ? '\t' : n === 'n' ? '\n' : n === 'r' ? '\r' : n === 'f' ? '\f' : n;
    }
  }
  return out;
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line.charAt(i) === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Splits one logical line into key and value at the first unescaped `=`, `:` or whitespace. */
function splitEntry(line: string): [string, string] {
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
  }
  const key = line.slice(0, i);
  let j = i;
  while (j < line.length && /[ \t\f]/.test(line.charAt(j))) j++;
  if (j < line.length && (line.charAt(j) === '=' || line.charAt(j) === ':')) j++;
  while (j < line.length && /[ \t\f]/.test(line.charAt(j))) j++;
  return [unescape(key), unescape(line.slice(j))];
}

/** Parses a properties file; the last of duplicate keys wins. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let cur = (lines[i] ?? '').replace(/^[ \t\f]+/, '');
    if (cur === '' || cur.startsWith('#') || cur.startsWith('!')) continue;
    const parts: string[] = [];
    while (endsWithOddBackslashes(cur) && i + 1 < lines.length) {
      parts.push(cur.slice(0, -1));
      cur = (lines[++i] ?? '').replace(/^[ \t\f]+/, '');
    }
    parts.push(endsWithOddBackslashes(cur) ? cur.slice(0, -1) : cur);
    const [key, value] = splitEntry(parts.join(''));
    if (!out.has(key) && out.size >= MAX_KEYS) continue;
    out.set(key, value);
  }
  return out;
}
