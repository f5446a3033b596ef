/**
 * Authorisation of `/v2/` requests: which repository actions a request
 * needs, and the answer when the caller lacks them. Every decision depends
 * only on the caller, the repository name and the method, never on whether
 * the repository, tag or blob exists, so a refused caller learns nothing
 * about what is stored.
 */
import { RegistryError } from '../spec/index.js';
import type { Caller, RegistryAuthorizer, RepositoryAction } from './auth.js';
import type { V2Route } from './router.js';

/** A 401 carrying the `WWW-Authenticate` challenge the client answers. */
export class ChallengeError extends RegistryError {
  constructor(
    readonly challenge: string,
    message?: string,
  ) {
    super('UNAUTHORIZED', message, { status: 401 });
  }
}

export interface Need {
  readonly repository: string;
  readonly actions: readonly RepositoryAction[];
}

/** The actions a request needs; undefined for `/v2/` and the catalog, which need none. */
export function needOf(route: V2Route, method: string): Need | undefined {
  const read = method === 'GET' || method === 'HEAD';
  switch (route.kind) {
    case 'base':
    case 'catalog':
      return undefined;
    case 'tags':
    case 'referrers':
      return { repository: route.name, actions: ['pull'] };
    case 'blob':
    case 'manifest':
      if (read) return { repository: route.name, actions: ['pull'] };
      if (method === 'DELETE') return { repository: route.name, actions: ['delete'] };
      return { repository: route.name, actions: ['push'] };
    case 'upload-start':
    case 'upload':
      return { repository: route.name, actions: ['push'] };
  }
}

/**
 * The refusal for a caller without the needed actions: a 401 with a
 * challenge naming the scope for anonymous and token callers (a token
 * client then asks the token endpoint for that scope), 403 DENIED for a
 * caller who authenticated with a password and simply lacks the right.
 */
export function refusal(authorizer: RegistryAuthorizer, caller: Caller, need: Need): RegistryError {
  if (caller.anonymous || caller.via === 'bearer') {
    const challenge = authorizer.challenge(need);
    return new ChallengeError(
      caller.anonymous ? challenge : `${challenge},error="insufficient_scope"`,
      caller.anonymous ? 'authentication required' : 'the token does not grant this access',
    );
  }
  return new RegistryError('DENIED', 'requested access to the resource is denied', { status: 403 });
}

/** Whether the caller holds every needed action. */
export async function holds(authorizer: RegistryAuthorizer, caller: Caller, need: Need): Promise<boolean> {
  const granted = await authorizer.permitted(caller, need.repository, need.actions);
  return need.actions.every((a) => granted.has(a));
}
