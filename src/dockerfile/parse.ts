/**
 * Builds the typed model from `dockerfile-ast`. The library reads parser
 * directives, flags, ENV/ARG/LABEL pairs and FROM parts; instruction
 * boundaries and heredoc bodies come from `scan.ts`, because the library
 * misses heredocs with a file-descriptor prefix (`3<<EOF`) and runs a heredoc
 * body line that ends in the escape character into its delimiter line. Such
 * instructions are read again by the library from their header lines alone.
 */
import { DockerfileParser, Arg, Env, From, Label, ModifiableInstruction, Onbuild } from 'dockerfile-ast';
import type { Instruction as AstInstruction } from 'dockerfile-ast';
import { MamoriError } from '../core/errors.js';
import { expandVariables, parseImageRef } from './expand.js';
import type {
  DockerfileModel,
  Flag,
  ImageRef,
  Instruction,
  MappedText,
  Property,
  SourceRange,
  Stage,
  TextSegment,
  Word,
} from './model.js';
import { libraryText, parseJsonArray, readDirectives, scanLines } from './scan.js';
import type { LogicalInstruction } from './scan.js';

interface AstRange {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

/** Splits into lines as the builder does: `\n` ends a line, a `\r` before it is dropped; a lone `\r` is read as a blank. */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    return t.includes('\r') ? t.replaceAll('\r', ' ') : t;
  });
}

function toRange(r: AstRange, lineOffset: number): SourceRange {
  return {
    startLine: r.start.line + 1 + lineOffset,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1 + lineOffset,
    endColumn: r.end.character + 1,
  };
}

function sliceMapped(text: MappedText, from: number): MappedText {
  const segments: TextSegment[] = [];
  for (const s of text.segments) {
    if (s.offset <= from) {
      segments[0] = { offset: 0, line: s.line, column: s.column + (from - s.offset) };
    } else {
      segments.push({ offset: s.offset - from, line: s.line, column: s.column });
    }
  }
  return { text: text.text.slice(from), segments };
}

function astFlags(ast: AstInstruction, off: number): Flag[] {
  if (!(ast instanceof ModifiableInstruction)) return [];
  return ast
    .getFlags()
    .map((f) => ({ name: f.getName(), value: f.getValue(), range: toRange(f.getRange(), off) }));
}

function astProperties(ast: AstInstruction, off: number): Property[] {
  if (!(ast instanceof Env || ast instanceof Arg || ast instanceof Label)) return [];
  return ast.getProperties().map((p) => {
    const valueRange = p.getValueRange();
    return {
      name: p.getName(),
      value: p.getValue(),
      range: toRange(p.getRange(), off),
      ...(valueRange !== null ? { valueRange: toRange(valueRange, off) } : {}),
    };
  });
}

const EXEC_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);

function buildInstruction(
  ast: AstInstruction,
  off: number,
  logical: LogicalInstruction,
  index: number,
  stage: number,
  endColumn: number,
  trigger = false,
): Instruction {
  const keyword = (trigger ? ast.getKeyword() : logical.keyword).toUpperCase();
  const argsText = sliceMapped(logical.text, logical.argsStart);
  const exec = EXEC_FORM.has(keyword) ? parseJsonArray(argsText.text) : undefined;
  const range: SourceRange = {
    startLine: logical.startLine,
    startColumn: (logical.text.segments[0]?.column ?? 1) as number,
    endLine: logical.endLine,
    endColumn,
  };
  let inner: Instruction | undefined;
  if (ast instanceof Onbuild) {
    const t = ast.getTriggerInstruction();
    if (t !== null) inner = buildInstruction(t, off, logical, index, stage, endColumn, true);
  }
  return {
    index,
    keyword,
    range,
    headerEndLine: logical.headerEndLine,
    stage,
    flags: astFlags(ast, off),
    args: ast.getArguments().map((a): Word => ({ value: a.getValue(), range: toRange(a.getRange(), off) })),
    argsText,
    ...(exec !== undefined ? { exec } : {}),
    heredocs: logical.heredocs,
    properties: astProperties(ast, off),
    ...(inner !== undefined ? { trigger: inner } : {}),
  };
}

/** The library's reading of one instruction; read again from its header lines where the library's boundaries differ. */
function astFor(
  logical: LogicalInstruction,
  nextStart: number,
  byLine: ReadonlyMap<number, AstInstruction>,
  lines: readonly string[],
  escape: string,
): { ast: AstInstruction; off: number } | undefined {
  const found = byLine.get(logical.startLine);
  const end = (found?.getRange().end.line ?? -1) + 1;
  if (
    found !== undefined &&
    logical.heredocs.length === 0 &&
    end >= logical.headerEndLine &&
    end < nextStart
  ) {
    return { ast: found, off: 0 };
  }
  const prefix = escape === '`' ? '# escape=`\n' : '';
  const header = lines.slice(logical.startLine - 1, logical.headerEndLine).join('\n');
  const first = DockerfileParser.parse(prefix + header).getInstructions()[0];
  if (first === undefined) return undefined;
  return { ast: first, off: logical.startLine - 1 - (prefix === '' ? 0 : 1) };
}

function resolveImage(
  from: Instruction,
  globals: ReadonlyMap<string, string | null>,
  escape: string,
): ImageRef {
  const raw = from.args[0]?.value ?? '';
  const { value, unresolved } = expandVariables(raw, globals, escape);
  return parseImageRef(raw, value, unresolved);
}

/** Parses a Dockerfile into the typed model. Never throws on content; only a non-string is refused. */
export function parseDockerfile(text: string): DockerfileModel {
  if (typeof text !== 'string') throw new MamoriError('INVALID_ARGUMENT', 'Dockerfile text must be a string');
  const lines = splitLines(text);
  const { directives, escape } = readDirectives(lines);
  const directiveLines = directives.length;
  const df = DockerfileParser.parse(libraryText(lines, directiveLines, escape));
  const scanned = scanLines(lines, escape, directiveLines);
  const byLine = new Map<number, AstInstruction>();
  for (const ins of df.getInstructions()) byLine.set(ins.getRange().start.line + 1, ins);

  const instructions: Instruction[] = [];
  const globalArgs: Instruction[] = [];
  const globals = new Map<string, string | null>();
  const stages: Stage[] = [];
  const stageInstructions: Instruction[][] = [];
  const byName = new Map<string, Stage>();
  let stage = -1;
  for (const [k, logical] of scanned.instructions.entries()) {
    const nextStart = scanned.instructions[k + 1]?.startLine ?? Number.MAX_SAFE_INTEGER;
    const found = astFor(logical, nextStart, byLine, lines, escape);
    if (found === undefined) continue;
    if (logical.keyword.toUpperCase() === 'FROM') stage++;
    const endColumn = (lines[logical.endLine - 1]?.length ?? 0) + 1;
    const ins = buildInstruction(found.ast, found.off, logical, instructions.length, stage, endColumn);
    instructions.push(ins);
    if (stage < 0) {
      if (ins.keyword === 'ARG') {
        globalArgs.push(ins);
        for (const p of ins.properties) {
          const v = p.value === null ? null : expandVariables(p.value, globals, escape);
          globals.set(p.name, v === null || v.unresolved ? (globals.get(p.name) ?? null) : v.value);
        }
      }
      continue;
    }
    if (ins.keyword === 'FROM') {
      const ast = found.ast;
      const image = resolveImage(ins, globals, escape);
      const name = ast instanceof From ? ast.getBuildStage()?.toLowerCase() : undefined;
      const platform = ins.flags.find((f) => f.name === 'platform')?.value ?? undefined;
      const base = byName.get(image.resolved.toLowerCase());
      stages.push({
        index: stage,
        ...(name !== undefined && name !== '' ? { name } : {}),
        from: ins,
        image,
        ...(platform !== undefined ? { platform } : {}),
        ...(base !== undefined ? { baseStage: base.index } : {}),
        instructions: [],
      });
      stageInstructions.push([]);
      if (name !== undefined && name !== '' && !byName.has(name))
        byName.set(name, stages[stages.length - 1] as Stage);
    }
    stageInstructions[stage]?.push(ins);
  }
  return {
    escape,
    directives,
    comments: scanned.comments,
    globalArgs,
    stages: stages.map((s, k) => ({ ...s, instructions: stageInstructions[k] ?? [] })),
    instructions,
    lineCount: lines.length,
  };
}
