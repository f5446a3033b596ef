/**
 * The typed Dockerfile model the rules work on. It is plain data: every
 * position is 1-based, end columns are exclusive (as in SARIF regions).
 */

export interface SourceRange {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** A piece of text with the source position of each of its parts, so that an offset maps back to a line and column. */
export interface MappedText {
  readonly text: string;
  /** Sorted by offset; text from `offset` on lies at `line`/`column` until the next segment. */
  readonly segments: readonly TextSegment[];
}

export interface TextSegment {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export interface ParserDirective {
  /** Lower-case name: `syntax`, `escape` or `check`. */
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

export interface Comment {
  readonly line: number;
  /** Column of the `#` and the column after the line's last character. */
  readonly column: number;
  readonly endColumn: number;
  /** Text after `#`, trimmed. */
  readonly text: string;
  /** Inside an instruction's continuation lines (the builder skips it). */
  readonly inInstruction?: number;
}

export interface Heredoc {
  /** Delimiter word, quotes removed. */
  readonly name: string;
  /** File descriptor prefix (`3<<EOF`); 0 when absent. */
  readonly fd: number;
  /** `<<-`: leading tabs are stripped from the body and the delimiter line. */
  readonly chomp: boolean;
  /** The delimiter was unquoted: variables in the body are expanded. */
  readonly expand: boolean;
  /** Body lines, each ending in a newline, without the delimiter line. */
  readonly content: MappedText;
  /** Line of the closing delimiter, or the last line of the file when it is missing. */
  readonly endLine: number;
  readonly terminated: boolean;
}

export interface Flag {
  readonly name: string;
  readonly value: string | null;
  readonly range: SourceRange;
}

export interface Word {
  readonly value: string;
  readonly range: SourceRange;
}

/** A `name=value` pair of ENV, ARG or LABEL. */
export interface Property {
  readonly name: string;
  /** The value with quotes and escapes removed; null for `ARG NAME` without a default. */
  readonly value: string | null;
  readonly range: SourceRange;
  readonly valueRange?: SourceRange;
}

export interface Instruction {
  /** Position in the file's instruction list. */
  readonly index: number;
  /** Upper-case keyword (`RUN`, `FROM`, …); unknown keywords are kept as written, upper-cased. */
  readonly keyword: string;
  /** The whole instruction, continuation lines and heredoc bodies included. */
  readonly range: SourceRange;
  /** Last line of the instruction proper (before any heredoc body). */
  readonly headerEndLine: number;
  /** Index of the stage it belongs to; -1 for ARGs before the first FROM. */
  readonly stage: number;
  readonly flags: readonly Flag[];
  /** Arguments after the flags, split on whitespace as the builder shows them. */
  readonly args: readonly Word[];
  /** Arguments after the flags as one text with continuation lines joined the way the builder joins them. */
  readonly argsText: MappedText;
  /** Exec (JSON) form: the array of strings; absent for the shell form. */
  readonly exec?: readonly string[];
  readonly heredocs: readonly Heredoc[];
  /** ENV, ARG and LABEL pairs; empty for other instructions. */
  readonly properties: readonly Property[];
  /** The instruction an ONBUILD registers. */
  readonly trigger?: Instruction;
}

export interface ImageRef {
  /** As written after FROM. */
  readonly raw: string;
  /** With build arguments substituted from their defaults. */
  readonly resolved: string;
  /** A variable without a value was left in `resolved`: the image cannot be known. */
  readonly unresolved: boolean;
  readonly registry?: string;
  /** Repository path without registry, tag or digest (`library/` is not added). */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

export interface Stage {
  readonly index: number;
  /** `AS name`, lower-cased as the builder matches it. */
  readonly name?: string;
  readonly from: Instruction;
  readonly image: ImageRef;
  readonly platform?: string;
  /** Index of an earlier stage this one is built on (`FROM build`). */
  readonly baseStage?: number;
  /** The stage's instructions, its FROM first. */
  readonly instructions: readonly Instruction[];
}

export interface DockerfileModel {
  readonly escape: '\\' | '`';
  readonly directives: readonly ParserDirective[];
  readonly comments: readonly Comment[];
  /** ARGs before the first FROM. */
  readonly globalArgs: readonly Instruction[];
  readonly stages: readonly Stage[];
  readonly instructions: readonly Instruction[];
  readonly lineCount: number;
}

/** Source position of an offset into a mapped text. */
export function positionAt(text: MappedText, offset: number): { line: number; column: number } {
  const segs = text.segments;
  if (segs.length === 0) return { line: 1, column: 1 };
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segs[mid] as TextSegment).offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const seg = segs[lo] as TextSegment;
  return { line: seg.line, column: seg.column + Math.max(0, offset - seg.offset) };
}

/** Source range of `[start, end)` in a mapped text. */
export function rangeIn(text: MappedText, start: number, end: number): SourceRange {
  const a = positionAt(text, start);
  const b = positionAt(text, Math.max(start, end - 1));
  return { startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column + 1 };
}

/**
 * Offset in a mapped text of a source position, the inverse of `positionAt`;
 * the column just past a segment's last character is accepted (an exclusive
 * end). Undefined when the position is in no segment.
 */
export function offsetAt(text: MappedText, line: number, column: number): number | undefined {
  const segs = text.segments;
  let end: number | undefined;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] as TextSegment;
    if (s.line !== line || column < s.column) continue;
    const length = (segs[i + 1]?.offset ?? text.text.length) - s.offset;
    const k = column - s.column;
    if (k < length) return s.offset + k;
    if (k === length) end ??= s.offset + k;
  }
  return end;
}
