/**
 * Installed gem specifications (`specifications/NAME-VER.gemspec`, also
 * `specifications/default/` for gems bundled with Ruby). These are Ruby code
 * written by RubyGems; like Syft, mamori reads the few assignments it needs
 * with forgiving patterns instead of evaluating anything:
 *   s.name = "rack".freeze        s.licenses = ["MIT".freeze]
 *   s.version = "2.2.4"           s.authors = ["A".freeze, "B".freeze]
 *   s.homepage = "https://…"      s.platform = "x86_64-linux".freeze
 * The `# stub: NAME VERSION PLATFORM` header is the fallback for name and version.
 */
import { isValidName, isValidVersion, lines, type GemEntry } from './common.js';

const ASSIGN_RE = /^\s*[a-z_]\w*\.(name|version|licenses?|authors?|homepage|platform)\s*=\s*(.+)$/;
/** Longest right-hand side read: the fields wanted are short, and this bounds the string scan. */
const MAX_EXPR = 8192;
const STUB_RE = /^#\s*stub:\s+(\S+)\s+(\S+)(?:\s+(\S+))?/;

/** The string literals of a Ruby expression: "double", 'single' and %q{…} forms. */
export function rubyStrings(expr: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|%q\{([^}]*)\}|%q<([^>]*)>/g;
  for (const m of expr.matchAll(re)) {
    const dq = m[1];
    if (dq !== undefined)
      out.push(dq.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)));
    else out.push((m[2] ?? m[3] ?? m[4] ?? '').replace(/\\([\\'])/g, '$1'));
    if (out.length >= 256) break;
  }
  return out;
}

/** Parses a gemspec; undefined without a valid name and version. Never throws. */
export function parseGemspec(text: string): GemEntry | undefined {
  const fields = new Map<string, string[]>();
  let stub: RegExpExecArray | null = null;
  for (const line of lines(text)) {
    if (stub === null && line.startsWith('#')) stub = STUB_RE.exec(line);
    const m = ASSIGN_RE.exec(line);
    if (m?.[1] === undefined || m[2] === undefined || m[2].length > MAX_EXPR) continue;
    const key = m[1] === 'license' ? 'licenses' : m[1] === 'author' ? 'authors' : m[1];
    if (!fields.has(key)) fields.set(key, rubyStrings(m[2]));
  }
  const one = (k: string): string | undefined => fields.get(k)?.[0]?.trim() || undefined;
  const name = one('name') ?? stub?.[1];
  const version = one('version') ?? stub?.[2];
  if (name === undefined || version === undefined || !isValidName(name) || !isValidVersion(version))
    return undefined;
  const platform = one('platform') ?? stub?.[3];
  const homepage = one('homepage');
  const licenses = (fields.get('licenses') ?? [])
    .map((l) => l.trim())
    .filter((l) => l !== '' && l.length <= 256);
  const authors = (fields.get('authors') ?? [])
    .map((a) => a.trim())
    .filter((a) => a !== '' && a.length <= 1024);
  return {
    name,
    version,
    ...(platform !== undefined && platform !== 'ruby' && /^[\w.-]{1,64}$/.test(platform) ? { platform } : {}),
    ...(licenses.length > 0 ? { licenses } : {}),
    ...(authors.length > 0 ? { authors } : {}),
    ...(homepage !== undefined ? { homepage } : {}),
  };
}
