/**
 * Dockerfile analysis: a BuildKit-faithful parser on top of `dockerfile-ast`
 * with a typed model, and a registry of rules with rationale, fix and hadolint
 * equivalents, inline suppressions and bounded time on hostile input.
 *
 * Depends on `secret` (MD021 runs its scanner on the instructions' text) and
 * `core`; `secret` depends on `core` only, never on this module.
 */
export { lintDockerfile, lintDockerfileFile, MAX_DOCKERFILE_BYTES } from './lint.js';
export type { LintOptions, LintResult, StageSummary, SuppressedFinding } from './lint.js';
export { parseDockerfile } from './parse.js';
export { dockerfileRules } from './rules/index.js';
export type { DockerfileRule, LintContext, RuleHit, RunInfo } from './context.js';
export type {
  Comment,
  DockerfileModel,
  Flag,
  Heredoc,
  ImageRef,
  Instruction,
  MappedText,
  ParserDirective,
  Property,
  SourceRange,
  Stage,
  TextSegment,
  Word,
} from './model.js';
export { parseShell } from './shell.js';
export type { ShellCommand, ShellHeredoc, ShellRedirect, ShellWord } from './shell.js';
