/**
 * Name grammars of the access model (Harbor's rules, narrowed where a
 * character would be ambiguous on the wire):
 * - users: lowercase letters, digits and `. _ - @ +`, starting with a letter
 *   or digit, 1–255 characters. No `:` (Basic credentials split on the first
 *   one), no `$` (robot accounts are `robot$NAME`), no `/`, spaces or
 *   control characters. `anonymous` is reserved for callers without
 *   credentials.
 * - projects: one component of a repository name (the OCI grammar without
 *   `/`), at most 255 characters; a repository's project is its first path
 *   component.
 * - robots: `robot$NAME`, NAME lowercase letters, digits and `. _ - +`,
 *   starting with a letter or digit, 1–255 characters.
 */
import { MamoriError } from '../../core/index.js';
import { checkRepositoryName, projectOfRepository } from '../spec/index.js';
import type { RepositoryAction } from '../http/auth.js';

export const ROBOT_PREFIX = 'robot$';
export const ANONYMOUS = 'anonymous';
export const MAX_NAME_LENGTH = 255;
/** Every repository action, in the order tokens and lists show them. */
export const ALL_ACTIONS: readonly RepositoryAction[] = ['pull', 'push', 'delete'];

const USER_PATTERN = /^[a-z0-9][a-z0-9._@+-]{0,254}$/;
const ROBOT_PATTERN = /^[a-z0-9][a-z0-9._+-]{0,254}$/;

export function shown(v: unknown): string {
  if (typeof v !== 'string') return typeof v;
  return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
}

export function checkUserName(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'user name must be a string';
  if (name === ANONYMOUS) return `user name ${shown(name)} is reserved`;
  if (!USER_PATTERN.test(name)) {
    return `user name ${shown(name)} must be 1–255 lowercase letters, digits or ". _ - @ +", starting with a letter or digit`;
  }
  return undefined;
}

export function parseUserName(name: unknown): string {
  const reason = checkUserName(name);
  if (reason !== undefined || typeof name !== 'string')
    throw new MamoriError('INVALID_ARGUMENT', reason ?? '');
  return name;
}

export function checkProjectName(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'project name must be a string';
  if (name.includes('/')) return `project name ${shown(name)} must not contain "/"`;
  const reason = checkRepositoryName(name);
  return reason === undefined
    ? undefined
    : `project name ${shown(name)}: ${reason.replace(/^repository name /, '')}`;
}

export function parseProjectName(name: unknown): string {
  const reason = checkProjectName(name);
  if (reason !== undefined || typeof name !== 'string')
    throw new MamoriError('INVALID_ARGUMENT', reason ?? '');
  return name;
}

/** The project of a valid repository name, or undefined when `repository` is not one. */
export function projectOf(repository: unknown): string | undefined {
  if (checkRepositoryName(repository) !== undefined || typeof repository !== 'string') return undefined;
  return projectOfRepository(repository);
}

/** The short robot name of `robot$NAME` or `NAME`; throws INVALID_ARGUMENT otherwise. */
export function parseRobotName(name: unknown): string {
  if (typeof name !== 'string') throw new MamoriError('INVALID_ARGUMENT', 'robot name must be a string');
  const short = name.startsWith(ROBOT_PREFIX) ? name.slice(ROBOT_PREFIX.length) : name;
  if (!ROBOT_PATTERN.test(short)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `robot name ${shown(name)} must be robot$NAME with NAME 1–255 lowercase letters, digits or ". _ - +", starting with a letter or digit`,
    );
  }
  return short;
}

export function isRepositoryAction(v: unknown): v is RepositoryAction {
  return v === 'pull' || v === 'push' || v === 'delete';
}

/** Actions in canonical order, without duplicates. */
export function sortActions(actions: Iterable<RepositoryAction>): RepositoryAction[] {
  const set = new Set(actions);
  return ALL_ACTIONS.filter((a) => set.has(a));
}
