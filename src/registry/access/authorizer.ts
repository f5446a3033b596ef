/**
 * The `RegistryAuthorizer` the Distribution routes use: Basic credentials
 * of users and robots (so `skopeo --creds` and `docker login` against a
 * registry without the token dance work) and Bearer tokens from the token
 * endpoint; rights from AccessControl; the challenge in Distribution's form.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isMamoriError, MamoriError } from '../../core/index.js';
import type { Caller, RegistryAuthorizer, RepositoryAction } from '../http/auth.js';
import { RegistryError } from '../spec/index.js';
import type { AccessControl } from './access.js';
import { readCredentials } from './credentials.js';
import { checkChallengeValue, formatChallenge } from './scope.js';

export interface AuthorizerOptions {
  /** URL of the token endpoint (`https://registry.example/service/token`). */
  readonly realm: string;
  /** The service name; must be the access control's (the tokens' audience). Default: that one. */
  readonly service?: string;
}

export interface AccessAuthorizer extends RegistryAuthorizer {
  /** See AccessControl.ensureProjectForPush. */
  ensureProjectForPush(caller: Caller, repository: string): Promise<boolean>;
}

function unauthorized(message: string, cause?: unknown): RegistryError {
  return new RegistryError('UNAUTHORIZED', message, { cause });
}

export function createAuthorizer(access: AccessControl, options: AuthorizerOptions): AccessAuthorizer {
  const realm = checkChallengeValue('realm', options.realm);
  const service = checkChallengeValue('service', options.service ?? access.service);
  if (service !== access.service) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `the authorizer's service ${JSON.stringify(service)} differs from the token audience ${JSON.stringify(access.service)}`,
    );
  }
  return {
    async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
      const c = readCredentials(headers);
      switch (c.scheme) {
        case 'none':
          return access.anonymous();
        case 'invalid':
          throw unauthorized(c.reason);
        case 'basic': {
          const caller = await access.login(c.name, c.password);
          if (!caller) throw unauthorized('invalid username or password');
          return caller;
        }
        case 'bearer':
          try {
            return await access.verifyBearer(c.token);
          } catch (e) {
            if (isMamoriError(e, 'UNAUTHORIZED')) throw unauthorized(e.message, e);
            throw e;
          }
      }
    },
    permitted: (caller, repository, wanted) => access.permitted(caller, repository, wanted),
    canList: (caller, repository) => access.canList(caller, repository),
    challenge: (scope?: { readonly repository: string; readonly actions: readonly RepositoryAction[] }) =>
      formatChallenge(realm, service, scope),
    ensureProjectForPush: (caller, repository) => access.ensureProjectForPush(caller, repository),
  };
}
