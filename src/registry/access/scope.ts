/**
 * Token scopes (Distribution docs "Token Scope Documentation") and the
 * `WWW-Authenticate` challenge. A scope is `TYPE:NAME:ACTION[,ACTION…]`:
 * - `repository:NAME:ACTIONS` with NAME an OCI repository name and ACTIONS
 *   from pull, push, delete and `*` (all three);
 * - `registry:catalog:*` for `/v2/_catalog`.
 * The spec lets NAME start with `host[:port]/`; this registry's repository
 * names never hold a host, so a `:` inside NAME is malformed, as are
 * resource classes (`repository(plugin)`), unknown types and actions, empty
 * or repeated separators and anything over 512 characters.
 */
import { MamoriError } from '../../core/index.js';
import type { RepositoryAction } from '../http/auth.js';
import { checkRepositoryName } from '../spec/index.js';
import { ALL_ACTIONS, isRepositoryAction, shown, sortActions } from './names.js';

export interface RepositoryScope {
  readonly type: 'repository';
  readonly name: string;
  readonly actions: readonly RepositoryAction[];
}

export interface CatalogScope {
  readonly type: 'registry';
  readonly name: 'catalog';
  readonly actions: readonly ['*'];
}

export type Scope = RepositoryScope | CatalogScope;

export const MAX_SCOPE_LENGTH = 512;
/** Most scopes one token request may ask for. */
export const MAX_SCOPES = 32;

function malformed(s: string, why: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `malformed scope ${shown(s)}: ${why}`);
}

/** Parses one scope; throws INVALID_ARGUMENT with the reason when it is malformed. */
export function parseScope(s: unknown): Scope {
  if (typeof s !== 'string') throw new MamoriError('INVALID_ARGUMENT', 'scope must be a string');
  if (s.length > MAX_SCOPE_LENGTH) throw malformed(s, `longer than ${MAX_SCOPE_LENGTH} characters`);
  const parts = s.split(':');
  if (parts.length !== 3) throw malformed(s, 'expected TYPE:NAME:ACTIONS');
  const [type = '', name = '', list = ''] = parts;
  const actions = list.split(',');
  if (actions.some((a) => a === '')) throw malformed(s, 'empty action');
  if (type === 'registry') {
    if (name !== 'catalog') throw malformed(s, 'the only registry resource is "catalog"');
    if (actions.some((a) => a !== '*')) throw malformed(s, 'registry:catalog takes the action "*"');
    return { type: 'registry', name: 'catalog', actions: ['*'] };
  }
  if (type !== 'repository') throw malformed(s, 'TYPE must be "repository" or "registry"');
  const reason = checkRepositoryName(name);
  if (reason !== undefined) throw malformed(s, reason);
  const wanted: RepositoryAction[] = [];
  for (const a of actions) {
    if (a === '*') wanted.push(...ALL_ACTIONS);
    else if (isRepositoryAction(a)) wanted.push(a);
    else throw malformed(s, `unknown action ${shown(a)}`);
  }
  return { type: 'repository', name, actions: sortActions(wanted) };
}

/**
 * Parses the `scope` parameters of a token request: each may hold several
 * scopes separated by spaces (OAuth2 style); empty values are skipped.
 * Actions on the same resource are merged.
 */
export function parseScopes(values: readonly string[]): Scope[] {
  const byKey = new Map<string, Scope>();
  let count = 0;
  for (const value of values) {
    for (const one of value.split(' ')) {
      if (one === '') continue;
      if (++count > MAX_SCOPES) {
        throw new MamoriError('INVALID_ARGUMENT', `more than ${MAX_SCOPES} scopes in one request`);
      }
      const scope = parseScope(one);
      const key = `${scope.type}:${scope.name}`;
      const seen = byKey.get(key);
      if (seen?.type === 'repository' && scope.type === 'repository') {
        byKey.set(key, { ...scope, actions: sortActions([...seen.actions, ...scope.actions]) });
      } else if (!seen) {
        byKey.set(key, scope);
      }
    }
  }
  return [...byKey.values()];
}

export function formatScope(scope: {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

/** Realm and service go inside quotes: printable ASCII without `"` or `\`. */
export function checkChallengeValue(what: string, v: unknown): string {
  if (typeof v !== 'string' || v === '' || v.length > 1024 || !/^[\x20-\x7e]+$/.test(v) || /["\\]/.test(v)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${what} must be 1–1024 printable ASCII characters without quotes or backslashes, got ${shown(v)}`,
    );
  }
  return v;
}

/**
 * `Bearer realm="…",service="…"[,scope="repository:NAME:ACTIONS"]`, as
 * Distribution's token access controller writes it (Go's %q of each value;
 * the values are checked to need no escaping).
 */
export function formatChallenge(
  realm: string,
  service: string,
  scope?: { readonly repository: string; readonly actions: readonly RepositoryAction[] },
): string {
  let s = `Bearer realm="${realm}",service="${service}"`;
  if (scope && checkRepositoryName(scope.repository) === undefined && scope.actions.length > 0) {
    const actions = scope.actions.filter(isRepositoryAction);
    s += `,scope="${formatScope({ type: 'repository', name: scope.repository, actions })}"`;
  }
  return s;
}
