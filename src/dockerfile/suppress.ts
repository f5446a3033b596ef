/**
 * Inline suppressions. `# mamori-ignore: MD008,MD009 reason` on the line(s)
 * directly above an instruction (or among its continuation lines) suppresses
 * those rules for that instruction; the reason is required. hadolint's own
 * `# hadolint ignore=DL3008` and `# hadolint global ignore=…` are honoured for
 * the DL ids a mamori rule covers.
 */
import type { DockerfileRule } from './context.js';
import type { Comment, DockerfileModel, SourceRange } from './model.js';

export interface Suppression {
  readonly ruleIds: readonly string[];
  readonly reason: string;
  /** The instruction it applies to; absent for a file-wide (`hadolint global`) one. */
  readonly instruction?: number;
}

export interface SuppressionProblem {
  readonly range: SourceRange;
  readonly evidence: string;
}

const ID = /^MD[0-9]{3}$/;
const DL = /^(DL|SC)[0-9]{4}$/;

function commentRange(c: Comment): SourceRange {
  return { startLine: c.line, startColumn: c.column, endLine: c.line, endColumn: c.endColumn };
}

/** Splits `A,B  C, D rest` into leading tokens that pass `isId` and the rest. */
function idList(text: string, isId: (t: string) => boolean): { ids: string[]; rest: string } {
  const ids: string[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && (text[i] === ',' || text[i] === ' ' || text[i] === '\t')) i++;
    let j = i;
    while (j < text.length && text[j] !== ',' && text[j] !== ' ' && text[j] !== '\t') j++;
    const token = text.slice(i, j);
    if (token === '' || !isId(token.toUpperCase())) break;
    ids.push(token.toUpperCase());
    i = j;
  }
  return { ids, rest: text.slice(i).trim() };
}

function stripWord(text: string, word: string): string | undefined {
  return text.toLowerCase().startsWith(word) ? text.slice(word.length) : undefined;
}

/** Index of the instruction each comment applies to: the one starting right below its comment block. */
function targets(model: DockerfileModel): Map<number, number> {
  const byStart = new Map<number, number>();
  for (const ins of model.instructions) byStart.set(ins.range.startLine, ins.index);
  const out = new Map<number, number>();
  const free = model.comments.filter((c) => c.inInstruction === undefined);
  const freeLines = new Set(free.map((c) => c.line));
  for (let k = free.length - 1; k >= 0; k--) {
    const line = (free[k] as Comment).line;
    const below = byStart.get(line + 1) ?? (freeLines.has(line + 1) ? out.get(line + 1) : undefined);
    if (below !== undefined) out.set(line, below);
  }
  for (const c of model.comments) if (c.inInstruction !== undefined) out.set(c.line, c.inInstruction);
  return out;
}

export function readSuppressions(
  model: DockerfileModel,
  rules: readonly DockerfileRule[],
): { suppressions: Suppression[]; problems: SuppressionProblem[] } {
  const known = new Set(rules.map((r) => r.id));
  const fromDl = new Map<string, string[]>();
  for (const r of rules) for (const dl of r.hadolint) fromDl.set(dl, [...(fromDl.get(dl) ?? []), r.id]);
  const target = targets(model);
  const suppressions: Suppression[] = [];
  const problems: SuppressionProblem[] = [];
  for (const c of model.comments) {
    const at = target.get(c.line);
    const mamori = stripWord(c.text, 'mamori-ignore');
    if (mamori !== undefined) {
      const body = mamori.trimStart().startsWith(':') ? mamori.trimStart().slice(1) : mamori;
      const { ids, rest } = idList(body, (t) => ID.test(t));
      const problem = (why: string): void => {
        problems.push({ range: commentRange(c), evidence: `# ${c.text.slice(0, 200)}: ${why}` });
      };
      const unknown = ids.filter((id) => !known.has(id) || id === 'MD000');
      if (ids.length === 0) problem('names no rule id (MD and three digits)');
      else if (unknown.length > 0)
        problem(`${unknown.join(', ')} cannot be suppressed: not a mamori Dockerfile rule`);
      else if (at === undefined) problem('is not directly above an instruction');
      if (ids.length > 0 && unknown.length === 0 && rest === '') problem('gives no reason');
      const valid = ids.filter((id) => known.has(id) && id !== 'MD000');
      if (valid.length > 0 && at !== undefined)
        suppressions.push({ ruleIds: valid, reason: rest, instruction: at });
      continue;
    }
    const hadolint = stripWord(c.text, 'hadolint');
    if (hadolint === undefined || !/^[ \t]/.test(hadolint)) continue;
    let rest = hadolint.trimStart();
    const global = stripWord(rest, 'global');
    if (global !== undefined) rest = global.trimStart();
    const ignore = stripWord(rest, 'ignore');
    if (ignore === undefined || !ignore.trimStart().startsWith('=')) continue;
    const list = idList(ignore.trimStart().slice(1), (t) => DL.test(t));
    const mapped = [...new Set(list.ids.flatMap((id) => fromDl.get(id) ?? []))];
    if (mapped.length === 0) continue;
    const inline = list.rest.startsWith('#') ? list.rest.slice(1).trim() : '';
    const reason = inline !== '' ? inline : `hadolint ignore=${list.ids.join(',')}`;
    if (global !== undefined) suppressions.push({ ruleIds: mapped, reason });
    else if (at !== undefined) suppressions.push({ ruleIds: mapped, reason, instruction: at });
  }
  return { suppressions, problems };
}
