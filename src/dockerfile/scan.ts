/**
 * Splits a Dockerfile into instructions exactly as BuildKit's parser does
 * (frontend/dockerfile/parser): continuation lines are joined with the escape
 * character and the whitespace after it removed, comment and empty lines inside
 * a continuation are skipped, and heredoc bodies of RUN, COPY and ADD (also
 * under ONBUILD) are read raw up to their delimiter line. Everything here is a
 * single pass over the text with no backtracking regular expression.
 */
import type { Comment, Heredoc, MappedText, ParserDirective, TextSegment } from './model.js';

export interface LogicalInstruction {
  readonly startLine: number;
  readonly headerEndLine: number;
  readonly endLine: number;
  /** Keyword as written. */
  readonly keyword: string;
  /** The joined instruction text, keyword first. */
  readonly text: MappedText;
  /** Offset in `text` where the arguments (after keyword and flags) start. */
  readonly argsStart: number;
  readonly heredocs: readonly Heredoc[];
}

export interface ScanResult {
  readonly instructions: readonly LogicalInstruction[];
  readonly comments: readonly Comment[];
}

const DIRECTIVES = new Set(['syntax', 'escape', 'check']);

/**
 * Parser directives as BuildKit reads them: `# key=value` lines at the very
 * top, key one of syntax/escape/check, each at most once; the first other line
 * ends them. An escape value other than a backtick or backslash is ignored
 * (BuildKit refuses to build).
 */
export function readDirectives(lines: readonly string[]): {
  directives: ParserDirective[];
  escape: '\\' | '`';
} {
  const directives: ParserDirective[] = [];
  let escape: '\\' | '`' = '\\';
  for (const [i, raw] of lines.entries()) {
    const line = raw.slice(leadingWhitespace(raw));
    if (!line.startsWith('#')) break;
    const body = line.slice(1).trimStart();
    let k = 0;
    while (
      k < body.length &&
      /[A-Za-z0-9]/.test(body[k] as string) &&
      (k > 0 || /[A-Za-z]/.test(body[k] as string))
    )
      k++;
    const name = body.slice(0, k).toLowerCase();
    const rest = body.slice(k).trimStart();
    const value = rest.startsWith('=') ? rest.slice(1).trim() : '';
    if (k === 0 || !rest.startsWith('=') || value === '' || !DIRECTIVES.has(name)) break;
    if (directives.some((d) => d.name === name)) break;
    directives.push({ name, value, line: i + 1 });
    if (name === 'escape' && (value === '`' || value === '\\')) escape = value;
  }
  return { directives, escape };
}

/**
 * The text handed to dockerfile-ast: directive lines (and a leading comment)
 * replaced so that the library reads exactly the directives BuildKit reads
 * (it would otherwise take `# hadolint ignore=…` or a second `# escape` as one).
 */
export function libraryText(lines: readonly string[], directiveLines: number, escape: string): string {
  const out = lines.slice();
  const count = Math.max(directiveLines, out.length > 0 && isComment(out[0] as string) ? 1 : 0);
  for (let i = 0; i < count; i++) out[i] = '#';
  if (escape === '`' && out.length > 0) out[0] = '# escape=`';
  return out.join('\n');
}

interface RawWord {
  readonly start: number;
  readonly end: number;
  readonly raw: string;
}

const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

function leadingWhitespace(line: string): number {
  let i = 0;
  while (i < line.length && /\s/.test(line[i] as string)) i++;
  return i;
}

/** BuildKit's line-continuation test: the escape character last (trailing blanks allowed) and not itself escaped. */
function continuation(line: string, escape: string): { text: string; continued: boolean } {
  let end = line.length;
  while (end > 0 && isBlank(line[end - 1])) end--;
  if (end > 0 && line[end - 1] === escape && (end === 1 || line[end - 2] !== escape)) {
    return { text: line.slice(0, end - 1), continued: true };
  }
  return { text: line, continued: false };
}

/** Splits on unquoted blanks; quotes and backslash escapes are kept raw (BuildKit's lexer with RawQuotes). */
export function rawWords(text: string, from = 0): RawWord[] {
  const out: RawWord[] = [];
  let i = from;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    const start = i;
    let quote = '';
    while (i < text.length) {
      const c = text[i] as string;
      if (quote !== '') {
        if (c === '\\' && quote === '"' && i + 1 < text.length) i++;
        else if (c === quote) quote = '';
      } else if (c === '\\' && i + 1 < text.length) i++;
      else if (c === '"' || c === "'") quote = c;
      else if (/\s/.test(c)) break;
      i++;
    }
    out.push({ start, end: i, raw: text.slice(start, i) });
  }
  return out;
}

/** Removes quotes and backslash escapes from a raw word. */
export function unquote(raw: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (quote === "'") {
      if (c === "'") quote = '';
      else out += c;
    } else if (quote === '"') {
      if (c === '"') quote = '';
      else if (c === '\\' && i + 1 < raw.length && '"\\$`'.includes(raw[i + 1] as string)) out += raw[++i];
      else out += c;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < raw.length) out += raw[++i];
    else out += c;
  }
  return out;
}

interface HeredocStart {
  readonly name: string;
  readonly fd: number;
  readonly chomp: boolean;
  readonly expand: boolean;
}

/** BuildKit's `^(\d*)<<(-?)\s*([^<]*)$` on one shell word, written out by hand. */
export function parseHeredocWord(raw: string): HeredocStart | undefined {
  let i = 0;
  while (i < raw.length && raw.charCodeAt(i) >= 48 && raw.charCodeAt(i) <= 57) i++;
  const fdText = raw.slice(0, i);
  if (raw[i] !== '<' || raw[i + 1] !== '<') return undefined;
  i += 2;
  const chomp = raw[i] === '-';
  if (chomp) i++;
  const rest = raw.slice(i).trimStart();
  if (rest === '' || rest.includes('<')) return undefined;
  const name = unquote(rest);
  if (name === '' || /\s/.test(name)) return undefined;
  const expand = !rest.includes('"') && !rest.includes("'");
  const fd = fdText === '' ? 0 : Number.parseInt(fdText.slice(0, 9), 10);
  return { name, fd, chomp, expand };
}

/** Keyword, flags end and whether the arguments are a JSON array, for a joined instruction text. */
export function splitHeader(text: string): { keyword: string; argsStart: number; json: boolean } {
  const words = rawWords(text);
  const first = words[0];
  if (first === undefined) return { keyword: '', argsStart: text.length, json: false };
  let argsStart = text.length;
  let k = 1;
  let kw = first.raw.toUpperCase();
  if (kw === 'ONBUILD' && words[1] !== undefined) {
    kw = `ONBUILD ${words[1].raw.toUpperCase()}`;
    k = 2;
  }
  for (; k < words.length; k++) {
    const w = words[k] as RawWord;
    if (w.raw === '--') {
      argsStart = words[k + 1]?.start ?? text.length;
      break;
    }
    if (!w.raw.startsWith('--')) {
      argsStart = w.start;
      break;
    }
  }
  const rest = text.slice(argsStart).trim();
  return { keyword: first.raw, argsStart, json: isJsonStringArray(rest) && kw !== 'ONBUILD' };
}

/** The builder's exec-form test: the arguments parse as a JSON array of strings. */
export function parseJsonArray(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((e): e is string => typeof e === 'string')) return v;
  } catch {
    return undefined;
  }
  return undefined;
}

function isJsonStringArray(text: string): boolean {
  return parseJsonArray(text) !== undefined;
}

function heredocKeyword(text: string): boolean {
  const words = rawWords(text);
  let kw = words[0]?.raw.toUpperCase() ?? '';
  if (kw === 'ONBUILD') kw = words[1]?.raw.toUpperCase() ?? '';
  return HEREDOC_KEYWORDS.has(kw);
}

function commentAt(line: string, lineNo: number): Comment {
  const lead = leadingWhitespace(line);
  return { line: lineNo, column: lead + 1, endColumn: line.length + 1, text: line.slice(lead + 1).trim() };
}

function isComment(line: string): boolean {
  return line[leadingWhitespace(line)] === '#';
}

/**
 * Scans `lines` (without line terminators). `directiveLines` leading lines are
 * parser directives: they are neither comments nor instructions.
 */
export function scanLines(lines: readonly string[], escape: string, directiveLines: number): ScanResult {
  const instructions: LogicalInstruction[] = [];
  const comments: Comment[] = [];
  let i = directiveLines;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (isComment(line)) {
      comments.push(commentAt(line, i + 1));
      i++;
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const startLine = i + 1;
    const lead = leadingWhitespace(line);
    const segments: TextSegment[] = [];
    const inside: Comment[] = [];
    let text = '';
    let headerEndLine = startLine;
    let { text: piece, continued } = continuation(line.slice(lead), escape);
    segments.push({ offset: 0, line: startLine, column: lead + 1 });
    text += piece;
    i++;
    while (continued && i < lines.length) {
      const next = lines[i] as string;
      if (isComment(next)) {
        inside.push(commentAt(next, i + 1));
        i++;
        continue;
      }
      if (next.trim() === '') {
        i++;
        continue;
      }
      ({ text: piece, continued } = continuation(next, escape));
      segments.push({ offset: text.length, line: i + 1, column: 1 });
      text += piece;
      headerEndLine = i + 1;
      i++;
    }
    if (text.trim() === '') continue;
    const header = splitHeader(text);
    const heredocs: Heredoc[] = [];
    if (!header.json && text.includes('<<') && heredocKeyword(text)) {
      for (const w of rawWords(text, header.argsStart)) {
        const start = parseHeredocWord(w.raw);
        if (start === undefined) continue;
        const body: TextSegment[] = [];
        let content = '';
        let terminated = false;
        while (i < lines.length) {
          const raw = lines[i] as string;
          const candidate = start.chomp ? raw.replace(/^\t+/, '') : raw;
          i++;
          if (candidate === start.name) {
            terminated = true;
            break;
          }
          body.push({ offset: content.length, line: i, column: 1 });
          content += raw + '\n';
        }
        heredocs.push({ ...start, content: { text: content, segments: body }, endLine: i, terminated });
      }
    }
    const instructionIndex = instructions.length;
    for (const c of inside) comments.push({ ...c, inInstruction: instructionIndex });
    instructions.push({
      startLine,
      headerEndLine,
      endLine: heredocs.length > 0 ? Math.max(headerEndLine, i) : headerEndLine,
      keyword: header.keyword,
      text: { text, segments },
      argsStart: header.argsStart,
      heredocs,
    });
  }
  comments.sort((a, b) => a.line - b.line);
  return { instructions, comments };
}
