/**
 * What the rules share: the model, the commands of every RUN (ONBUILD RUN
 * included), the stages whose file system ends up in the final image, and
 * the secret scanner the credential rule runs on the instructions' text.
 */
import type { SeverityLevel } from '../core/finding.js';
import type { SecretScanner } from '../secret/index.js';
import { basename, isShellName, runCommands } from './commands.js';
import type { CommandView } from './commands.js';
import type { DockerfileModel, Instruction, SourceRange, Stage } from './model.js';

export interface RuleHit {
  /** The instruction the finding belongs to: suppression comments above it apply. */
  readonly instruction: Instruction;
  readonly range: SourceRange;
  /** What was seen, specific to this finding. */
  readonly evidence: string;
  /** A fix specific to this finding, where the rule's general one can be made concrete. */
  readonly fix?: string;
  /**
   * This finding's severity where the rule grades its findings (MD021 takes
   * the severity of the secret rule that matched); never above the rule's own
   * `severity`, which is the highest any of its findings gets.
   */
  readonly severity?: SeverityLevel;
}

export interface RunInfo {
  /** The RUN, or the ONBUILD that registers it. */
  readonly instruction: Instruction;
  /** The RUN itself (an ONBUILD's trigger for ONBUILD RUN). */
  readonly run: Instruction;
  readonly stage: number;
  readonly commands: readonly CommandView[];
}

export interface LintContext {
  readonly model: DockerfileModel;
  readonly runs: readonly RunInfo[];
  /** The last stage: the image `docker build` produces without `--target`. */
  readonly finalStage?: Stage;
  /** Stages whose file system is part of the final image: the final stage and the stages it is built FROM. */
  readonly finalChain: ReadonlySet<number>;
  /** For each stage index, the first stage of its in-file chain (the one FROM an external image). */
  readonly roots: readonly Stage[];
  /** Path of the Dockerfile as shown in findings: what the secret scanner is told it scans. */
  readonly path: string;
  readonly secrets: SecretScanner;
}

export interface DockerfileRule {
  /** Stable id, `MD` and three digits. */
  readonly id: string;
  readonly title: string;
  readonly severity: SeverityLevel;
  /** One line: why it matters. */
  readonly rationale: string;
  /** One line: how to fix it. */
  readonly fix: string;
  readonly references: readonly string[];
  /** hadolint rule ids this rule covers; their `# hadolint ignore=` comments suppress it. */
  readonly hadolint: readonly string[];
  readonly check: (ctx: LintContext) => Iterable<RuleHit>;
}

/** The in-file chain of a stage, the root first: `FROM build` makes `build` an ancestor. */
export function stageChain(model: DockerfileModel, stage: Stage): Stage[] {
  const chain: Stage[] = [];
  const seen = new Set<number>();
  let s: Stage | undefined = stage;
  while (s !== undefined && !seen.has(s.index)) {
    seen.add(s.index);
    chain.push(s);
    s = s.baseStage === undefined ? undefined : model.stages[s.baseStage];
  }
  return chain.reverse();
}

/** Instructions that apply to a stage's image, its ancestors' first. */
export function chainInstructions(model: DockerfileModel, stage: Stage): Instruction[] {
  return stageChain(model, stage).flatMap((s) => s.instructions);
}

export function isWindowsImage(stage: Stage): boolean {
  const n = stage.image.name.toLowerCase();
  return n.startsWith('windows/') || n === 'windows' || n.includes('nanoserver') || n.includes('servercore');
}

export function buildContext(model: DockerfileModel, path: string, secrets: SecretScanner): LintContext {
  const runs: RunInfo[] = [];
  const roots: Stage[] = [];
  for (const s of model.stages) roots[s.index] = s.baseStage !== undefined ? (roots[s.baseStage] ?? s) : s;
  /** Whether the stage's shell is a POSIX shell at its end, for stages built on it. */
  const posixAtEnd: boolean[] = [];
  for (const stage of model.stages) {
    let posix =
      stage.baseStage !== undefined ? (posixAtEnd[stage.baseStage] ?? true) : !isWindowsImage(stage);
    for (const ins of stage.instructions) {
      if (ins.keyword === 'SHELL' && ins.exec !== undefined) {
        posix = isShellName(basename(ins.exec[0] ?? '').toLowerCase());
      }
      const run = ins.keyword === 'RUN' ? ins : ins.trigger?.keyword === 'RUN' ? ins.trigger : undefined;
      if (run === undefined) continue;
      runs.push({ instruction: ins, run, stage: stage.index, commands: runCommands(run, posix) });
    }
    posixAtEnd[stage.index] = posix;
  }
  const finalStage = model.stages[model.stages.length - 1];
  const finalChain = new Set<number>(
    finalStage === undefined ? [] : stageChain(model, finalStage).map((s) => s.index),
  );
  return {
    model,
    runs,
    ...(finalStage !== undefined ? { finalStage } : {}),
    finalChain,
    roots,
    path,
    secrets,
  };
}
