/**
 * AccessControl: who a caller is (passwords, robot secrets, bearer tokens)
 * and what they may do on a repository (system admin, project roles, robot
 * permissions, public projects), over the access tables.
 *
 * Callers are the `Caller` objects of http/auth.ts. The ones this instance
 * authenticated are remembered in a WeakMap with what they are (user,
 * robot, anonymous) and, for bearer callers, the token's grants; any other
 * object, whatever its name says, has the rights of an anonymous caller.
 */
import type { Kysely } from 'kysely';
import { MamoriError } from '../../core/index.js';
import type { Caller, RepositoryAction } from '../http/auth.js';
import type { StateStore } from '../state/index.js';
import { type AccessAuthorizer, type AuthorizerOptions, createAuthorizer } from './authorizer.js';
import { CredentialCache } from './cache.js';
import { loadOrCreateSigningKey, type SigningKey } from './keys.js';
import { ANONYMOUS, parseRobotName, projectOf, ROBOT_PREFIX, sortActions } from './names.js';
import {
  checkScryptParams,
  DEFAULT_SCRYPT,
  generatePassword,
  hashPassword,
  verifyPasswordHash,
  verifySecretHash,
} from './passwords.js';
import { Projects } from './projects.js';
import { Robots } from './robots.js';
import {
  accountRights,
  activeRobot,
  ANONYMOUS_PRINCIPAL,
  enabledUser,
  isActive,
  memberRole,
  type Principal,
} from './rights.js';
import { type AccessSchema, MIGRATIONS } from './schema.js';
import { checkChallengeValue, type Scope } from './scope.js';
import { type Grant, signToken, verifyToken } from './tokens.js';
import type { AccessOptions, BootstrapResult, Ctx, ProjectRole } from './types.js';
import { Users } from './users.js';

export interface IssuedToken {
  readonly token: string;
  /** Seconds. */
  readonly expiresIn: number;
  /** RFC 3339. */
  readonly issuedAt: string;
  readonly access: readonly Grant[];
}

function intRange(what: string, v: number | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${what} must be an integer in ${min}–${max}, got ${String(v)}`,
    );
  }
  return v;
}

export class AccessControl {
  readonly users: Users;
  readonly projects: Projects;
  readonly robots: Robots;
  readonly service: string;
  readonly issuer: string;
  readonly tokenLifetimeSeconds: number;
  private readonly clockSkewSeconds: number;
  private readonly anonymousPull: boolean;
  private readonly principals = new WeakMap<Caller, Principal>();
  /** A hash an unknown name is checked against, so that it costs what a known one does. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly ctx: Ctx,
    private readonly key: SigningKey,
    options: AccessOptions,
  ) {
    this.users = new Users(ctx);
    this.projects = new Projects(ctx);
    this.robots = new Robots(ctx);
    this.service = checkChallengeValue('service', options.service ?? 'mamori-registry');
    this.issuer = checkChallengeValue('issuer', options.issuer ?? 'mamori-token-issuer');
    this.tokenLifetimeSeconds = intRange(
      'tokenLifetimeSeconds',
      options.tokenLifetimeSeconds,
      300,
      10,
      86_400,
    );
    this.clockSkewSeconds = intRange('clockSkewSeconds', options.clockSkewSeconds, 60, 0, 300);
    this.anonymousPull = options.anonymousPull !== false;
    this.dummyHash = hashPassword(generatePassword(), ctx.scrypt);
  }

  /** The PEM (SPKI) public key tokens are signed with, for other verifiers. */
  get publicKeyPem(): string {
    return this.key.publicKeyPem;
  }

  private remember(caller: Caller, p: Principal): Caller {
    const frozen = Object.freeze(caller);
    this.principals.set(frozen, p);
    return frozen;
  }

  private principal(caller: Caller): Principal {
    return this.principals.get(caller) ?? ANONYMOUS_PRINCIPAL;
  }

  /** The RegistryAuthorizer for the Distribution routes, challenging with `realm` (the token endpoint's URL). */
  authorizer(options: AuthorizerOptions): AccessAuthorizer {
    return createAuthorizer(this, options);
  }

  /** The caller without credentials. */
  anonymous(): Caller {
    return this.remember({ name: ANONYMOUS, anonymous: true, via: 'none' }, ANONYMOUS_PRINCIPAL);
  }

  /**
   * Checks a user's password or a robot's secret (`robot$NAME`). Unknown
   * accounts, wrong secrets, disabled accounts and expired robots all
   * answer undefined, after the same work.
   */
  async login(name: string, secret: string): Promise<Caller | undefined> {
    if (typeof name !== 'string' || typeof secret !== 'string') return undefined;
    if (name.startsWith(ROBOT_PREFIX)) return this.loginRobot(name, secret);
    const row = await this.ctx.m.read((db) =>
      db
        .selectFrom('access_users')
        .select(['password_hash', 'disabled'])
        .where('name', '=', name)
        .executeTakeFirst(),
    );
    const { cache } = this.ctx;
    let ok: boolean;
    if (row && cache.has(name, secret, row.password_hash)) ok = true;
    else {
      const hash = row?.password_hash ?? (await this.dummyHash);
      ok = (await verifyPasswordHash(hash, secret)) && row !== undefined;
      if (ok) cache.add(name, secret, hash);
    }
    if (!ok || !row || row.disabled !== 0) return undefined;
    return this.remember({ name, anonymous: false, via: 'basic' }, { kind: 'user', name });
  }

  private async loginRobot(full: string, secret: string): Promise<Caller | undefined> {
    let short: string;
    try {
      short = parseRobotName(full);
    } catch {
      return undefined;
    }
    const row = await this.ctx.m.read((db) =>
      db
        .selectFrom('access_robots')
        .select(['secret_hash', 'disabled', 'expires_at'])
        .where('name', '=', short)
        .executeTakeFirst(),
    );
    const ok = verifySecretHash(row?.secret_hash ?? '$sha256$' + '0'.repeat(64), secret);
    if (!ok || !row || !isActive(row, this.ctx.now())) return undefined;
    return this.remember(
      { name: ROBOT_PREFIX + short, anonymous: false, via: 'basic' },
      { kind: 'robot', name: short },
    );
  }

  /** Verifies a bearer token; throws MamoriError UNAUTHORIZED when it, or its account, is not valid. */
  async verifyBearer(token: string): Promise<Caller> {
    const v = await verifyToken(this.key, token, {
      issuer: this.issuer,
      audience: this.service,
      now: this.ctx.now(),
      clockSkewSeconds: this.clockSkewSeconds,
      maxAgeSeconds: this.tokenLifetimeSeconds,
    });
    const gone = (): MamoriError =>
      new MamoriError('UNAUTHORIZED', 'invalid token: the account is gone or disabled');
    if (v.subject === '') {
      return this.remember(
        { name: ANONYMOUS, anonymous: true, via: 'bearer' },
        { ...ANONYMOUS_PRINCIPAL, grants: v.access },
      );
    }
    if (v.subject.startsWith(ROBOT_PREFIX)) {
      const short = v.subject.slice(ROBOT_PREFIX.length);
      const now = this.ctx.now();
      if (!(await this.ctx.m.read((db) => activeRobot(db, short, now)))) throw gone();
      return this.remember(
        { name: v.subject, anonymous: false, via: 'bearer' },
        { kind: 'robot', name: short, grants: v.access },
      );
    }
    if (!(await this.ctx.m.read((db) => enabledUser(db, v.subject)))) throw gone();
    return this.remember(
      { name: v.subject, anonymous: false, via: 'bearer' },
      { kind: 'user', name: v.subject, grants: v.access },
    );
  }

  /**
   * Whether the caller's account is an enabled system administrator now
   * (robots and anonymous callers never are). Answers for the account,
   * however the caller authenticated: a surface that must not take bearer
   * tokens checks `caller.via` itself.
   */
  async isAdmin(caller: Caller): Promise<boolean> {
    const p = this.principal(caller);
    if (p.kind !== 'user') return false;
    return (await this.ctx.m.read((db) => enabledUser(db, p.name)))?.admin === true;
  }

  /** The caller's role in the project, or undefined (not a member, a robot, anonymous, disabled). */
  async roleOf(caller: Caller, project: string): Promise<ProjectRole | undefined> {
    const p = this.principal(caller);
    if (p.kind !== 'user' || typeof project !== 'string') return undefined;
    return this.ctx.m.read(async (db) =>
      (await enabledUser(db, p.name)) ? memberRole(db, project, p.name) : undefined,
    );
  }

  private accountRights(p: Principal, project: string): Promise<Set<RepositoryAction>> {
    if (p.kind === 'anonymous' && !this.anonymousPull) return Promise.resolve(new Set());
    const now = this.ctx.now();
    return this.ctx.m.read((db) => accountRights(db, p, project, now));
  }

  /**
   * What the caller may do on the repository: the account's current rights,
   * and for a bearer caller only what its token also grants. Does not depend
   * on whether the repository exists.
   */
  async rights(caller: Caller, repository: string): Promise<Set<RepositoryAction>> {
    const project = projectOf(repository);
    if (project === undefined) return new Set();
    const p = this.principal(caller);
    const rights = await this.accountRights(p, project);
    if (p.grants === undefined) return rights;
    const granted = new Set<string>();
    for (const g of p.grants)
      if (g.type === 'repository' && g.name === repository) for (const a of g.actions) granted.add(a);
    return new Set([...rights].filter((a) => granted.has(a)));
  }

  async permitted(
    caller: Caller,
    repository: string,
    wanted: readonly RepositoryAction[],
  ): Promise<Set<RepositoryAction>> {
    const rights = await this.rights(caller, repository);
    return new Set(wanted.filter((a) => rights.has(a)));
  }

  /**
   * Whether the caller may see the repository in the catalog: its account
   * may pull it now, and a bearer caller's token holds `registry:catalog:*`
   * (a token cannot list every repository it may pull, so the catalog grant
   * stands for all of them).
   */
  async canList(caller: Caller, repository: string): Promise<boolean> {
    const p = this.principal(caller);
    if (
      p.grants &&
      !p.grants.some((g) => g.type === 'registry' && g.name === 'catalog' && g.actions.includes('*'))
    ) {
      return false;
    }
    const project = projectOf(repository);
    return project !== undefined && (await this.accountRights(p, project)).has('pull');
  }

  /**
   * Creates the repository's project (private) when the caller is a system
   * administrator allowed to push there and the project does not exist;
   * true when it was created. Does nothing for anyone else.
   */
  async ensureProjectForPush(caller: Caller, repository: string): Promise<boolean> {
    const project = projectOf(repository);
    const p = this.principal(caller);
    if (project === undefined || p.kind !== 'user') return false;
    // Called before every upload and manifest push: an existing project costs one read, no write.
    if (await this.projects.get(project)) return false;
    if (!(await this.isAdmin(caller))) return false;
    if (!(await this.rights(caller, repository)).has('push')) return false;
    return this.projects.createIfMissing(project);
  }

  /**
   * A token for the caller with, for each requested scope, the requested
   * actions the caller has (an empty list for none, as Distribution does).
   * The catalog scope is granted to every caller: the catalog lists only
   * what the caller may pull.
   */
  async issueToken(caller: Caller, scopes: readonly Scope[]): Promise<IssuedToken> {
    const p = this.principal(caller);
    const access: Grant[] = [];
    for (const s of scopes) {
      if (s.type === 'registry') {
        const held = !p.grants || p.grants.some((g) => g.type === 'registry' && g.name === 'catalog');
        access.push({ type: 'registry', name: 'catalog', actions: held ? ['*'] : [] });
      } else {
        const rights = await this.rights(caller, s.name);
        access.push({
          type: 'repository',
          name: s.name,
          actions: sortActions(s.actions.filter((a) => rights.has(a))),
        });
      }
    }
    const subject = p.kind === 'anonymous' ? '' : p.kind === 'robot' ? ROBOT_PREFIX + p.name : p.name;
    const now = this.ctx.now();
    const t = await signToken(this.key, {
      issuer: this.issuer,
      audience: this.service,
      subject,
      lifetimeSeconds: this.tokenLifetimeSeconds,
      now,
      access,
    });
    return {
      token: t.token,
      expiresIn: t.expiresAt - t.issuedAt,
      issuedAt: new Date(t.issuedAt * 1000).toISOString(),
      access,
    };
  }

  /**
   * Creates the system administrator `admin` when there is no user at all
   * (first start). The password is `password` when given (at least 8
   * characters), else generated and returned this once. Later calls do
   * nothing and return `created: false`.
   */
  async bootstrapAdmin(password?: string): Promise<BootstrapResult> {
    const name = 'admin';
    const anyUser = (db: Kysely<AccessSchema>) =>
      db.selectFrom('access_users').select('name').limit(1).executeTakeFirst();
    if (await this.ctx.m.read(anyUser)) return { created: false, name };
    const generated = password === undefined ? generatePassword() : undefined;
    const hash = await hashPassword(generated ?? password ?? '', this.ctx.scrypt);
    const created = await this.ctx.m.write(async (db) => {
      if (await anyUser(db)) return false;
      const r = await db
        .insertInto('access_users')
        .values({ name, password_hash: hash, admin: 1, disabled: 0, created_at: this.ctx.now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    });
    if (!created) return { created: false, name };
    return generated === undefined ? { created, name } : { created, name, password: generated };
  }
}

/** Migrates the access tables, loads (or creates) the signing key and returns the access control. */
export async function openAccess(state: StateStore, options: AccessOptions): Promise<AccessControl> {
  if (typeof options !== 'object' || options === null)
    throw new MamoriError('INVALID_ARGUMENT', 'access options are required');
  const m = await state.module<AccessSchema>('access.', MIGRATIONS);
  const now = options.now ?? (() => m.now());
  const cache = new CredentialCache(
    intRange('credentialCacheTtlMs', options.credentialCacheTtlMs, 30_000, 0, 3_600_000),
    intRange('credentialCacheSize', options.credentialCacheSize, 1000, 0, 1_000_000),
    now,
  );
  const scrypt = checkScryptParams(options.scrypt ?? DEFAULT_SCRYPT);
  const key = await loadOrCreateSigningKey(options.keyDir);
  return new AccessControl({ m, now, scrypt, cache }, key, options);
}
