/** Records and options of the access module (see index.ts for the model). */
import type { RepositoryAction } from '../http/auth.js';
import type { CredentialCache } from './cache.js';
import type { ScryptParams } from './passwords.js';
import type { AccessSchema } from './schema.js';
import type { StateModule } from '../state/index.js';

/** A project member's role (Harbor's project roles). */
export type ProjectRole = 'admin' | 'maintainer' | 'developer' | 'guest';

export const PROJECT_ROLES: readonly ProjectRole[] = ['admin', 'maintainer', 'developer', 'guest'];

/** What each project role may do on the project's repositories (Harbor). */
export const ROLE_ACTIONS: Readonly<Record<ProjectRole, readonly RepositoryAction[]>> = {
  admin: ['pull', 'push', 'delete'],
  maintainer: ['pull', 'push', 'delete'],
  developer: ['pull', 'push'],
  guest: ['pull'],
};

export function isProjectRole(v: unknown): v is ProjectRole {
  return typeof v === 'string' && (PROJECT_ROLES as readonly string[]).includes(v);
}

export interface UserRecord {
  readonly name: string;
  /** System administrator: every action on every project. */
  readonly admin: boolean;
  readonly disabled: boolean;
  /** ms since the epoch. */
  readonly created: number;
}

export interface ProjectRecord {
  readonly name: string;
  /** Anyone, anonymous callers included, may pull. */
  readonly public: boolean;
  readonly created: number;
}

export interface MemberRecord {
  readonly project: string;
  readonly user: string;
  readonly role: ProjectRole;
  readonly created: number;
}

export interface RobotPermission {
  readonly project: string;
  readonly actions: readonly RepositoryAction[];
}

export interface RobotRecord {
  /** `robot$NAME`, the name the robot authenticates with. */
  readonly name: string;
  readonly description: string;
  /** ms since the epoch, or null for a robot that never expires. */
  readonly expiresAt: number | null;
  readonly disabled: boolean;
  readonly created: number;
  readonly permissions: readonly RobotPermission[];
}

export interface NewRobot {
  /** `NAME` or `robot$NAME`. */
  readonly name: string;
  readonly description?: string;
  readonly expiresAt?: number | null;
  readonly permissions: readonly RobotPermission[];
}

export interface CreatedRobot {
  readonly robot: RobotRecord;
  /** The robot's secret, shown this once: only its hash is kept. */
  readonly secret: string;
}

export interface BootstrapResult {
  /** Whether this call created the administrator (false: users already existed). */
  readonly created: boolean;
  readonly name: string;
  /** The generated password, when one was generated: print it once, it is not kept. */
  readonly password?: string;
}

export interface AccessOptions {
  /** Directory of the token signing key (created, mode 0700; the key file 0600). */
  readonly keyDir: string;
  /** The registry's service name: the tokens' audience. Default `mamori-registry`. */
  readonly service?: string;
  /** The tokens' issuer. Default `mamori-token-issuer`. */
  readonly issuer?: string;
  /** Token lifetime in seconds, 10–86400. Default 300 (Distribution's and Harbor's). */
  readonly tokenLifetimeSeconds?: number;
  /** Clock skew tolerated on exp/nbf/iat, 0–300 s. Default 60 (Distribution's leeway). */
  readonly clockSkewSeconds?: number;
  /** Clock (ms since the epoch). Default the state store's clock. */
  readonly now?: () => number;
  /** scrypt cost for new password hashes. Default ln=15, r=8, p=1. */
  readonly scrypt?: ScryptParams;
  /** How long a successful password check is remembered, ms. Default 30000; 0 turns it off. */
  readonly credentialCacheTtlMs?: number;
  /** Most remembered password checks. Default 1000. */
  readonly credentialCacheSize?: number;
  /**
   * Whether anonymous callers may pull public projects. Default true
   * (Harbor's public projects); false: anonymous callers may do nothing.
   */
  readonly anonymousPull?: boolean;
}

/** What the table helpers share. */
export interface Ctx {
  readonly m: StateModule<AccessSchema>;
  readonly now: () => number;
  readonly scrypt: ScryptParams;
  readonly cache: CredentialCache;
}
