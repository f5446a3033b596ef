/**
 * Rule records, their validation and glob matching (minimatch, as Harbor's
 * doublestar: `*` stays inside one path segment, `**` crosses them, `{a,b}`
 * alternates). A rule's repository glob matches the repository name
 * without its project (`app/**` in project `library` covers
 * `library/app/web`); its tag glob matches the tag.
 */
import { Minimatch } from 'minimatch';
import { MamoriError } from '../../core/index.js';

export interface ImmutabilityRuleInput {
  readonly project: string;
  /** Repository glob within the project; default `**` (every repository). */
  readonly repository?: string;
  /** Tag glob, e.g. `v*` or `release-**`. */
  readonly tag: string;
}

export interface ImmutabilityRule {
  readonly id: number;
  readonly project: string;
  readonly repository: string;
  readonly tag: string;
  readonly createdAt: Date;
}

export interface RetentionKeep {
  /** Keep the n tags pushed most recently (among the tags the rule selects, per repository). */
  readonly mostRecent?: number;
  /** Keep the tags pushed within the last d days. */
  readonly pushedWithinDays?: number;
}

export type UntaggedPolicy = 'delete' | 'keep';

export interface RetentionRuleInput {
  readonly project: string;
  /** Repository glob within the project; default `**`. */
  readonly repository?: string;
  /** Tag glob; default `**` (every tag). */
  readonly tag?: string;
  /** At least one of the two; a tag either keeps is kept. */
  readonly keep: RetentionKeep;
  /** What becomes of manifests left without a tag in the repositories the rule covers; default `keep`. */
  readonly untagged?: UntaggedPolicy;
}

export interface RetentionRule {
  readonly id: number;
  readonly project: string;
  readonly repository: string;
  readonly tag: string;
  readonly keep: RetentionKeep;
  readonly untagged: UntaggedPolicy;
  readonly createdAt: Date;
}

const PROJECT_RE = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const MAX_PROJECT = 255;
const MAX_GLOB = 256;
/** Upper bounds on rule numbers, so a typo cannot overflow anything. */
const MAX_KEEP_COUNT = 1_000_000;
const MAX_DAYS = 36_500;

export function checkProject(v: unknown): string {
  if (typeof v !== 'string' || v.length > MAX_PROJECT || !PROJECT_RE.test(v)) {
    throw new MamoriError('INVALID_ARGUMENT', 'project must be a repository path component, e.g. "library"');
  }
  return v;
}

/** A glob within bounds; brace ranges (`{1..9}`), which expand without limit, are refused. */
export function checkGlob(what: string, v: unknown, dflt?: string): string {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_GLOB) {
    throw new MamoriError('INVALID_ARGUMENT', `${what} glob must be a string of 1 to ${MAX_GLOB} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v) || /\{[^}]*\.\.[^}]*\}/.test(v)) {
    throw new MamoriError('INVALID_ARGUMENT', `${what} glob has control characters or a brace range`);
  }
  return v;
}

function checkCount(what: string, v: unknown, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new MamoriError('INVALID_ARGUMENT', `${what} must be an integer from 0 to ${max}`);
  }
  return v;
}

export function checkImmutabilityRule(input: unknown): Omit<ImmutabilityRule, 'id' | 'createdAt'> {
  if (typeof input !== 'object' || input === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'an immutability rule must be an object');
  }
  const r = input as Record<string, unknown>;
  return {
    project: checkProject(r.project),
    repository: checkGlob('repository', r.repository, '**'),
    tag: checkGlob('tag', r.tag),
  };
}

export function checkRetentionRule(input: unknown): Omit<RetentionRule, 'id' | 'createdAt'> {
  if (typeof input !== 'object' || input === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'a retention rule must be an object');
  }
  const r = input as Record<string, unknown>;
  const keepIn = r.keep;
  if (typeof keepIn !== 'object' || keepIn === null) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'keep must be an object with mostRecent and/or pushedWithinDays',
    );
  }
  const k = keepIn as Record<string, unknown>;
  const mostRecent = checkCount('keep.mostRecent', k.mostRecent, MAX_KEEP_COUNT);
  const pushedWithinDays = checkCount('keep.pushedWithinDays', k.pushedWithinDays, MAX_DAYS);
  if (mostRecent === undefined && pushedWithinDays === undefined) {
    throw new MamoriError('INVALID_ARGUMENT', 'keep needs mostRecent or pushedWithinDays');
  }
  const untagged = r.untagged ?? 'keep';
  if (untagged !== 'keep' && untagged !== 'delete') {
    throw new MamoriError('INVALID_ARGUMENT', 'untagged must be "delete" or "keep"');
  }
  return {
    project: checkProject(r.project),
    repository: checkGlob('repository', r.repository, '**'),
    tag: checkGlob('tag', r.tag, '**'),
    keep: {
      ...(mostRecent !== undefined ? { mostRecent } : {}),
      ...(pushedWithinDays !== undefined ? { pushedWithinDays } : {}),
    },
    untagged,
  };
}

/** Compiles a glob once; matching never throws. */
export function glob(pattern: string): (value: string) => boolean {
  const m = new Minimatch(pattern, { dot: true, nocomment: true, nonegate: true });
  return (value) => m.match(value);
}

/**
 * The repository name without its project; a one-segment repository (its
 * own project) is matched by its whole name. Undefined when it is not in the project.
 */
export function withinProject(project: string, repository: string): string | undefined {
  if (repository === project) return repository;
  return repository.startsWith(`${project}/`) ? repository.slice(project.length + 1) : undefined;
}
