/** `lintDockerfile`: parse, run every rule, apply suppressions, return sorted findings. */
import { MamoriError } from '../core/errors.js';
import { readBoundedFile } from '../core/files.js';
import { severityRank } from '../core/finding.js';
import type { RuleFinding, SeverityLevel } from '../core/finding.js';
import { createSecretScanner } from '../secret/index.js';
import type { SecretScanner } from '../secret/index.js';
import { buildContext } from './context.js';
import type { DockerfileRule, RuleHit } from './context.js';
import type { SourceRange } from './model.js';
import { parseDockerfile } from './parse.js';
import { dockerfileRules, invalidSuppression } from './rules/index.js';
import { readSuppressions } from './suppress.js';

/** Dockerfiles larger than this are refused unless `maxBytes` says otherwise. */
export const MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024;

export interface LintOptions {
  /** Path shown in finding locations; `Dockerfile` when absent. */
  readonly path?: string;
  /** Size limit in bytes (UTF-8); default MAX_DOCKERFILE_BYTES. */
  readonly maxBytes?: number;
  /**
   * The secret scanner MD021 runs on the instructions (its allow-list and
   * rules apply); one is built per call when absent. Callers linting many
   * files pass one, built once with `createSecretScanner`.
   */
  readonly secrets?: SecretScanner;
}

export interface StageSummary {
  readonly index: number;
  readonly name?: string;
  /** The image as written after FROM. */
  readonly image: string;
  /** With build-argument defaults substituted. */
  readonly resolvedImage: string;
  readonly line: number;
  /** Index of the earlier stage it is built on (`FROM build`). */
  readonly baseStage?: number;
  /** The last stage: what `docker build` produces without `--target`. */
  readonly final: boolean;
}

export interface SuppressedFinding {
  readonly finding: RuleFinding;
  readonly reason: string;
}

export interface LintResult {
  readonly findings: RuleFinding[];
  readonly suppressed: SuppressedFinding[];
  readonly stages: StageSummary[];
}

function limit(opts: LintOptions): number {
  const max = opts.maxBytes ?? MAX_DOCKERFILE_BYTES;
  if (!Number.isSafeInteger(max) || max <= 0) {
    throw new MamoriError('INVALID_ARGUMENT', `maxBytes must be a positive integer, got ${String(max)}`);
  }
  return max;
}

const MAX_TEXT = 300;

/** Bounds a text that quotes the input (an image name, a path) to one short line. */
function bounded(text: string): string {
  const head = text.length > MAX_TEXT * 2 ? text.slice(0, MAX_TEXT * 2) : text;
  const one = head.replace(/[\r\n\t]+/g, ' ');
  return one.length > MAX_TEXT ? `${one.slice(0, MAX_TEXT - 1)}…` : one;
}

function secretScanner(opts: LintOptions): SecretScanner {
  const given: unknown = opts.secrets;
  if (given === undefined) return createSecretScanner();
  if (
    typeof given !== 'object' ||
    given === null ||
    typeof (given as SecretScanner).scanText !== 'function'
  ) {
    throw new MamoriError('INVALID_ARGUMENT', 'secrets must be a scanner made by createSecretScanner');
  }
  return given as SecretScanner;
}

/** A hit's own severity, capped at its rule's. */
function severityOf(rule: DockerfileRule, hit?: SeverityLevel): SeverityLevel {
  if (hit === undefined) return rule.severity;
  const rank = severityRank(hit);
  return rank >= 0 && rank < severityRank(rule.severity) ? hit : rule.severity;
}

function toFinding(
  rule: DockerfileRule,
  path: string,
  range: SourceRange,
  evidence: string,
  fix?: string,
  severity?: SeverityLevel,
): RuleFinding {
  return {
    kind: 'misconfig',
    ruleId: rule.id,
    title: rule.title,
    severity: severityOf(rule, severity),
    rationale: rule.rationale,
    fix: bounded(fix ?? rule.fix),
    location: { path, ...range },
    evidence: bounded(evidence),
    ...(rule.references.length > 0 ? { references: rule.references } : {}),
  };
}

function byPosition(a: RuleFinding, b: RuleFinding): number {
  const la = a.location;
  const lb = b.location;
  return (
    (la.startLine ?? 0) - (lb.startLine ?? 0) ||
    (la.startColumn ?? 0) - (lb.startColumn ?? 0) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.evidence ?? '').localeCompare(b.evidence ?? '')
  );
}

/** Lints Dockerfile text. Throws MamoriError LIMIT_EXCEEDED above the size limit; never on content. */
export function lintDockerfile(text: string, opts: LintOptions = {}): LintResult {
  if (typeof text !== 'string') throw new MamoriError('INVALID_ARGUMENT', 'Dockerfile text must be a string');
  const max = limit(opts);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > max) {
    throw new MamoriError('LIMIT_EXCEEDED', `Dockerfile is ${size} bytes, over the ${max}-byte limit`);
  }
  const path = opts.path ?? 'Dockerfile';
  const secrets = secretScanner(opts);
  const model = parseDockerfile(text);
  const ctx = buildContext(model, path, secrets);
  const { suppressions, problems } = readSuppressions(model, dockerfileRules);
  const perInstruction = new Map<string, string>();
  const fileWide = new Map<string, string>();
  for (const s of suppressions) {
    for (const id of s.ruleIds) {
      if (s.instruction === undefined) fileWide.set(id, s.reason);
      else perInstruction.set(`${s.instruction}:${id}`, s.reason);
    }
  }
  const findings: RuleFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const seen = new Set<string>();
  for (const rule of dockerfileRules) {
    for (const hit of rule.check(ctx) as Iterable<RuleHit>) {
      const finding = toFinding(rule, path, hit.range, hit.evidence, hit.fix, hit.severity);
      const key = `${rule.id}|${hit.range.startLine}:${hit.range.startColumn}-${hit.range.endLine}:${hit.range.endColumn}|${hit.evidence}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const reason = perInstruction.get(`${hit.instruction.index}:${rule.id}`) ?? fileWide.get(rule.id);
      if (reason !== undefined) suppressed.push({ finding, reason });
      else findings.push(finding);
    }
  }
  for (const p of problems) findings.push(toFinding(invalidSuppression, path, p.range, p.evidence));
  findings.sort(byPosition);
  suppressed.sort((a, b) => byPosition(a.finding, b.finding));
  const last = model.stages.length - 1;
  const stages: StageSummary[] = model.stages.map((s) => ({
    index: s.index,
    ...(s.name !== undefined ? { name: s.name } : {}),
    image: s.image.raw,
    resolvedImage: s.image.resolved,
    line: s.from.range.startLine,
    ...(s.baseStage !== undefined ? { baseStage: s.baseStage } : {}),
    final: s.index === last,
  }));
  return { findings, suppressed, stages };
}

/** Reads and lints a Dockerfile, refusing files over the size limit before reading them. */
export async function lintDockerfileFile(path: string, opts: LintOptions = {}): Promise<LintResult> {
  const bytes = await readBoundedFile(path, limit(opts));
  return lintDockerfile(bytes.toString('utf8'), { ...opts, path: opts.path ?? path });
}
