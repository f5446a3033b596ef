/**
 * The commands a RUN executes, read the way the builder hands them to the
 * shell: exec form as one command, shell form as a script, heredocs
 * reconstituted as BuildKit does (a lone `<<EOF` runs its body as the script;
 * otherwise the bodies follow the command line as shell here-documents), and
 * `sh -c '…'` or a shell reading a here-document read as nested scripts.
 */
import type { Instruction, MappedText, SourceRange, TextSegment } from './model.js';
import { rangeIn } from './model.js';
import { parseHeredocWord, rawWords } from './scan.js';
import { parseShell } from './shell.js';
import type { ShellCommand, ShellWord } from './shell.js';

export interface CommandView {
  /** Program name (basename), after assignments, reserved words and wrappers such as `sudo` or `env`. */
  readonly name: string;
  /** Arguments after the program word. */
  readonly args: readonly ShellWord[];
  /** Wrappers in front of the program, outermost first (`sudo`, `env`, …). */
  readonly wrappers: readonly string[];
  readonly command: ShellCommand;
  /** Order of execution inside the RUN (substitutions before the command holding them). */
  readonly order: number;
  /** Which script of the RUN the command was read from: pipeline numbers count per script. */
  readonly script: number;
  readonly range: SourceRange;
  /** Source text of the command, shortened for evidence. */
  readonly text: string;
}

/** POSIX shells (and busybox, whose `sh` applet is one) that run `-c` scripts. */
export const SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'mksh',
  'busybox',
]);
const RESERVED = new Set([
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '!',
  '{',
  'time',
  'fi',
  'done',
  'esac',
  '}',
]);
const MAX_NESTING = 4;
const MAX_EVIDENCE = 160;

export function isShellName(name: string): boolean {
  return SHELLS.has(name);
}

export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Short evidence text: one line, bounded length. */
export function clip(text: string, max = MAX_EVIDENCE): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function isAssignment(w: ShellWord): boolean {
  const eq = w.text.indexOf('=');
  return eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(w.text.slice(0, eq));
}

/** Wrapper programs and the options of theirs that take a value. */
const WRAPPERS: Record<string, { readonly valued: ReadonlySet<string>; readonly positional: number }> = {
  sudo: { valued: new Set(['u', 'g', 'h', 'p', 'C', 'D', 'r', 't', 'U', 'user', 'group']), positional: 0 },
  doas: { valued: new Set(['u', 'C']), positional: 0 },
  env: { valued: new Set(['u', 'unset', 'C', 'chdir', 'S']), positional: 0 },
  nice: { valued: new Set(['n', 'adjustment']), positional: 0 },
  nohup: { valued: new Set(), positional: 0 },
  exec: { valued: new Set(['a']), positional: 0 },
  command: { valued: new Set(), positional: 0 },
  time: { valued: new Set(['f', 'o']), positional: 0 },
  stdbuf: { valued: new Set(['i', 'o', 'e']), positional: 0 },
  timeout: { valued: new Set(['k', 's', 'signal', 'kill-after']), positional: 1 },
  gosu: { valued: new Set(), positional: 1 },
  'su-exec': { valued: new Set(), positional: 1 },
};

/** Splits a command's words into wrappers, program name and arguments. */
export function programOf(words: readonly ShellWord[]): {
  name: string;
  args: ShellWord[];
  wrappers: string[];
} {
  let k = 0;
  const wrappers: string[] = [];
  while (k < words.length) {
    const w = words[k] as ShellWord;
    if (isAssignment(w) || (!w.quoted && RESERVED.has(w.text))) {
      k++;
      continue;
    }
    const name = basename(w.text);
    const wrapper = WRAPPERS[name];
    if (wrapper === undefined || (name === 'command' && words[k + 1]?.text.startsWith('-'))) break;
    wrappers.push(name);
    k++;
    let positional = wrapper.positional;
    while (k < words.length) {
      const a = (words[k] as ShellWord).text;
      if (a === '--') {
        k++;
        break;
      }
      if (name === 'env' && isAssignment(words[k] as ShellWord)) {
        k++;
        continue;
      }
      if (a.startsWith('-') && a.length > 1) {
        const flag = a.startsWith('--') ? a.slice(2) : a.slice(-1);
        k += wrapper.valued.has(flag) && !a.includes('=') ? 2 : 1;
        continue;
      }
      if (positional > 0) {
        positional--;
        k++;
        continue;
      }
      break;
    }
  }
  const program = words[k];
  return { name: program === undefined ? '' : basename(program.text), args: words.slice(k + 1), wrappers };
}

export interface ParsedArgs {
  readonly flags: readonly { readonly name: string; readonly value?: string; readonly word: ShellWord }[];
  readonly positionals: readonly ShellWord[];
}

/** getopt-style reading: `--name=value`, `--name value` and `-x value` for options in `valued`, clustered short options. */
export function parseArgs(args: readonly ShellWord[], valued: ReadonlySet<string>): ParsedArgs {
  const flags: { name: string; value?: string; word: ShellWord }[] = [];
  const positionals: ShellWord[] = [];
  for (let k = 0; k < args.length; k++) {
    const w = args[k] as ShellWord;
    const a = w.text;
    if (a === '--') {
      positionals.push(...args.slice(k + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) flags.push({ name, value: a.slice(eq + 1), word: w });
      else if (valued.has(name) && k + 1 < args.length)
        flags.push({ name, value: (args[++k] as ShellWord).text, word: w });
      else flags.push({ name, word: w });
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const name = a[j] as string;
        if (valued.has(name)) {
          const rest = a.slice(j + 1);
          if (rest !== '') flags.push({ name, value: rest, word: w });
          else if (k + 1 < args.length) flags.push({ name, value: (args[++k] as ShellWord).text, word: w });
          else flags.push({ name, word: w });
          break;
        }
        flags.push({ name, word: w });
      }
      continue;
    }
    positionals.push(w);
  }
  return { flags, positionals };
}

export function hasFlag(parsed: ParsedArgs, ...names: string[]): boolean {
  return parsed.flags.some((f) => names.includes(f.name));
}

function joinMapped(parts: readonly MappedText[]): MappedText {
  let text = '';
  const segments: TextSegment[] = [];
  for (const p of parts) {
    for (const s of p.segments) segments.push({ ...s, offset: s.offset + text.length });
    text += p.text;
  }
  return { text, segments };
}

function plain(text: string, line: number): MappedText {
  return { text, segments: [{ offset: 0, line, column: 1 }] };
}

/** Text whose lines are consecutive source lines from `line` on. */
function lined(text: string, line: number): MappedText {
  const segments: TextSegment[] = [{ offset: 0, line, column: 1 }];
  for (let i = text.indexOf('\n'); i >= 0 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) {
    segments.push({ offset: i + 1, line: line + segments.length, column: 1 });
  }
  return { text, segments };
}

function isCombinedC(a: string): boolean {
  return a.startsWith('-') && !a.startsWith('--') && a.includes('c') && /^-[a-z]+$/.test(a);
}

function chompContent(content: MappedText): MappedText {
  if (!content.text.includes('\n\t') && !content.text.startsWith('\t')) return content;
  const lines = content.text.split('\n');
  const parts = lines.map((l, k) => {
    const seg = content.segments[k] ?? content.segments[content.segments.length - 1];
    const stripped = l.replace(/^\t+/, '');
    const line = seg?.line ?? 1;
    const col = (seg?.column ?? 1) + (l.length - stripped.length);
    return {
      text: stripped + (k < lines.length - 1 ? '\n' : ''),
      segments: [{ offset: 0, line, column: col }],
    };
  });
  return joinMapped(parts);
}

interface Script {
  readonly text: MappedText;
  /** Nested scripts have no exact positions: every command maps to this range. */
  readonly at?: SourceRange;
}

/** The shell scripts of a RUN in shell form, as the builder composes them. */
export function runScripts(ins: Instruction): Script[] {
  const args = ins.argsText;
  if (ins.heredocs.length === 0) return [{ text: args }];
  const trimmed = args.text.trim();
  const only = rawWords(trimmed);
  if (only.length === 1 && ins.heredocs.length === 1 && parseHeredocWord(trimmed) !== undefined) {
    const h = ins.heredocs[0];
    if (h === undefined) return [];
    const body = h.chomp ? chompContent(h.content) : h.content;
    if (body.text.startsWith('#!')) {
      const shebang = body.text
        .slice(2, body.text.indexOf('\n') >>> 0)
        .trim()
        .split(/\s+/);
      const interpreter =
        basename(shebang[0] ?? '') === 'env' ? (shebang[1] ?? '') : basename(shebang[0] ?? '');
      if (!SHELLS.has(interpreter)) return [];
    }
    return [{ text: body }];
  }
  const parts: MappedText[] = [args];
  for (const h of ins.heredocs) {
    parts.push(plain('\n', args.segments[args.segments.length - 1]?.line ?? 1));
    parts.push(h.content);
    parts.push(plain(h.name, h.endLine));
  }
  return [{ text: joinMapped(parts) }];
}

function scriptOfShell(view: {
  name: string;
  args: readonly ShellWord[];
}): { script: string; word: ShellWord } | undefined {
  if (!SHELLS.has(view.name)) return undefined;
  for (let k = 0; k < view.args.length; k++) {
    const a = (view.args[k] as ShellWord).text;
    if (isCombinedC(a)) {
      const script = view.args[k + 1];
      return script === undefined ? undefined : { script: script.text, word: script };
    }
    if (!a.startsWith('-')) return undefined;
  }
  return undefined;
}

/** Whether a shell command runs a script it reads from standard input (no script file, no `-c`). */
function readsStdin(view: { name: string; args: readonly ShellWord[] }): boolean {
  if (!SHELLS.has(view.name)) return false;
  return view.args.every((a) => a.text.startsWith('-') && !isCombinedC(a.text));
}

function collect(script: Script, depth: number, out: CommandView[], counter: { n: number }): void {
  const text = script.text.text;
  const id = counter.n++;
  for (const command of parseShell(text)) {
    const prog = programOf(command.words);
    const range = script.at ?? rangeIn(script.text, command.start, Math.max(command.start + 1, command.end));
    out.push({
      ...prog,
      command,
      order: out.length,
      script: id,
      range,
      text: clip(text.slice(command.start, command.end)),
    });
    if (depth >= MAX_NESTING) continue;
    const inner = scriptOfShell(prog);
    if (inner !== undefined) {
      collect(
        { text: plain(inner.script, 1), at: rangeIn(script.text, inner.word.start, inner.word.end) },
        depth + 1,
        out,
        counter,
      );
    }
    if (readsStdin(prog)) {
      for (const h of command.heredocs) {
        if (h.fd !== 0) continue;
        const at = rangeIn(
          script.text,
          h.contentStart,
          Math.max(h.contentStart + 1, h.contentStart + h.content.length),
        );
        collect(
          { text: lined(h.content, at.startLine), ...(script.at ? { at: script.at } : {}) },
          depth + 1,
          out,
          counter,
        );
      }
    }
  }
}

/** The commands a RUN instruction executes, in order; empty when its shell is not a POSIX shell. */
export function runCommands(ins: Instruction, posixShell: boolean): CommandView[] {
  const out: CommandView[] = [];
  if (ins.exec !== undefined) {
    const at = ins.args[0]?.range ?? ins.range;
    const quoted = ins.exec.map((a) =>
      /[\s'"\\$`;&|<>()]/.test(a) || a === '' ? `'${a.replaceAll("'", `'\\''`)}'` : a,
    );
    collect({ text: plain(quoted.join(' '), at.startLine), at }, 0, out, { n: 0 });
    return out;
  }
  if (!posixShell) return out;
  const counter = { n: 0 };
  for (const s of runScripts(ins)) collect(s, 0, out, counter);
  return out;
}
