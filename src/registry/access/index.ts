/**
 * Access control of the registry (Harbor's model over CNCF Distribution's
 * token authentication).
 *
 * Accounts
 * - Users: name (lowercase, 1–255, no `:`), scrypt password hash (random
 *   salt, cost parameters inside the hash string), system-admin flag,
 *   disabled flag. `bootstrapAdmin()` creates `admin` on first start.
 * - Robots: `robot$NAME` with a generated 32-byte secret (shown once, kept
 *   as SHA-256), per-project actions, optional expiry, disabled flag.
 *
 * Rights on a repository (its project is its first path component)
 * - system admin: pull, push, delete everywhere, and a push to a project
 *   that does not exist yet creates it, private (`ensureProjectForPush`);
 * - project members by role: admin and maintainer pull/push/delete,
 *   developer pull/push, guest pull;
 * - robots: the actions listed for the project;
 * - public projects: pull for everyone, anonymous callers included.
 * Rights never depend on whether the repository exists.
 *
 * Tokens (distribution/docs/spec/auth/token.md, jwt.md)
 * - `tokenEndpoint` answers `GET /service/token?service&scope&account`
 *   (Basic or anonymous) and the OAuth2 password form with an ES256 JWT:
 *   iss, sub, aud = service, exp, nbf, iat, jti, `access` = for each
 *   requested scope the requested actions the caller has (an empty list
 *   when none). Default lifetime 5 minutes.
 * - The signing key is a P-256 key generated on first start into `keyDir`
 *   (PEM, 0600), never in the database.
 * - A bearer caller may do what its token grants AND what its account may
 *   do now: removing a member or disabling an account takes effect before
 *   the token expires; a deleted or disabled account's tokens are refused.
 *
 * The `authorizer({ realm })` implements http/auth.ts's RegistryAuthorizer:
 * Basic (users and robots) and Bearer credentials, `permitted`, `canList`
 * (may pull; a bearer also needs `registry:catalog:*`) and the
 * `WWW-Authenticate: Bearer realm=…,service=…,scope=…` challenge. Password
 * checks are remembered for a short time per AccessControl instance so
 * Basic authentication on every blob request does not pay scrypt each time.
 *
 * For other surfaces (the REST API): `login`, `isAdmin`, `roleOf`,
 * `rights`; callers are recognised only when this instance authenticated
 * them (any other object has the rights of an anonymous caller).
 *
 * Tables live in the registry's database (`state.module('access.', …)`):
 * access_users, access_projects, access_members, access_robots,
 * access_robot_permissions.
 */
export { AccessControl, openAccess } from './access.js';
export type { IssuedToken } from './access.js';
export type { AccessAuthorizer, AuthorizerOptions } from './authorizer.js';
export { tokenEndpoint } from './endpoint.js';
export type { TokenRequest, TokenResponse } from './endpoint.js';
export { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from './keys.js';
export { checkProjectName, checkUserName, projectOf, ROBOT_PREFIX } from './names.js';
export { MIN_PASSWORD_LENGTH } from './passwords.js';
export type { ScryptParams } from './passwords.js';
export { formatChallenge, formatScope, MAX_SCOPES, parseScope, parseScopes } from './scope.js';
export type { CatalogScope, RepositoryScope, Scope } from './scope.js';
export type { CatalogGrant, Grant, RepositoryGrant } from './tokens.js';
export { PROJECT_ROLES, ROLE_ACTIONS } from './types.js';
export type {
  AccessOptions,
  BootstrapResult,
  CreatedRobot,
  MemberRecord,
  NewRobot,
  ProjectRecord,
  ProjectRole,
  RobotPermission,
  RobotRecord,
  UserRecord,
} from './types.js';
