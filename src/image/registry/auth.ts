/**
 * Registry authentication: anonymous, HTTP Basic, and the distribution token
 * flow (a Bearer challenge names a realm; a token for the wanted scope is
 * fetched there, with Basic credentials or an OAuth2 refresh token, and cached
 * per scope until it expires).
 */
import { MamoriError } from '../../core/index.js';
import { challengeParam, type AuthChallenge } from './challenge.js';
import type { Credentials } from './credentials.js';
import { errorFromResponse } from './errors.js';
import { readBounded, withRetries, type HttpTransport, type RetryPolicy } from './http.js';

const MAX_TOKEN_RESPONSE = 1024 * 1024;
const MIN_TOKEN_LIFETIME_S = 60;
const HEADER_SAFE_RE = /^[\x21-\x7e]{1,65536}$/;

export interface AuthenticatorOptions {
  readonly credentials?: Credentials;
  /** Allow a token realm over plain HTTP (only when the registry itself may be plain HTTP). */
  readonly allowHttpRealm: boolean;
  readonly retry: RetryPolicy;
  readonly clientId: string;
  /** Name for messages (`docker://host/repo`). */
  readonly name: string;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

type Scheme = { kind: 'none' } | { kind: 'basic' } | { kind: 'bearer'; realm: URL; service?: string };

function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`, 'utf8').toString('base64')}`;
}

export class Authenticator {
  private scheme: Scheme = { kind: 'none' };
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly http: HttpTransport,
    private readonly opts: AuthenticatorOptions,
  ) {}

  /** Where credentials came from, for messages. */
  describeCredentials(): string {
    return this.opts.credentials ? `credentials from ${this.opts.credentials.source}` : 'no credentials';
  }

  /** Adopts the first usable challenge (Bearer preferred over Basic). Returns whether one was usable. */
  adopt(challenges: readonly AuthChallenge[]): boolean {
    const bearer = challenges.find((c) => c.scheme === 'bearer' && challengeParam(c, 'realm'));
    if (bearer !== undefined) {
      const realm = this.parseRealm(challengeParam(bearer, 'realm') as string);
      const service = challengeParam(bearer, 'service');
      const same =
        this.scheme.kind === 'bearer' &&
        this.scheme.realm.href === realm.href &&
        this.scheme.service === service;
      if (!same) {
        this.scheme = { kind: 'bearer', realm, ...(service !== undefined ? { service } : {}) };
        this.tokens.clear();
      }
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.scheme = { kind: 'basic' };
      return true;
    }
    return false;
  }

  /** The Authorization header for a request needing `scope`, if any. */
  async authorization(scope: string): Promise<string | undefined> {
    const creds = this.opts.credentials;
    if (creds?.registryToken !== undefined) {
      if (!HEADER_SAFE_RE.test(creds.registryToken)) {
        throw new MamoriError(
          'INVALID_ARGUMENT',
          `registry token from ${creds.source} contains invalid characters`,
        );
      }
      return `Bearer ${creds.registryToken}`;
    }
    if (this.scheme.kind === 'basic') return creds?.username !== undefined ? basicHeader(creds) : undefined;
    if (this.scheme.kind === 'bearer') return `Bearer ${(await this.token([scope], false)).token}`;
    return undefined;
  }

  /**
   * After a 401: adopts its challenge and prepares credentials for a retry
   * (a fresh token for the challenge's scope). Returns whether a retry can
   * succeed where the last attempt did not.
   */
  async retryAfter401(challenges: readonly AuthChallenge[], scope: string): Promise<boolean> {
    if (this.opts.credentials?.registryToken !== undefined) return false;
    const before = this.scheme.kind;
    if (!this.adopt(challenges)) return false;
    if (this.scheme.kind === 'basic')
      return before !== 'basic' && this.opts.credentials?.username !== undefined;
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const asked = bearer ? challengeParam(bearer, 'scope') : undefined;
    const scopes = asked ? asked.split(' ').filter((s) => s.length > 0) : [scope];
    const fresh = await this.token(scopes, true);
    // Later requests for this scope use the token the challenge asked for.
    this.tokens.set(this.key([scope]), Promise.resolve(fresh));
    return true;
  }

  private parseRealm(realm: string): URL {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new MamoriError('REGISTRY', `${this.opts.name}: the registry's token realm is not a valid URL`);
    }
    const ok = url.protocol === 'https:' || (url.protocol === 'http:' && this.opts.allowHttpRealm);
    if (!ok) {
      throw new MamoriError(
        'REGISTRY',
        `${this.opts.name}: refusing token realm ${url.origin} (${url.protocol === 'http:' ? 'plain HTTP needs --tls-verify=false' : 'not HTTP(S)'})`,
      );
    }
    return url;
  }

  private key(scopes: readonly string[]): string {
    return [...scopes].sort().join(' ');
  }

  private token(scopes: readonly string[], force: boolean): Promise<CachedToken> {
    const key = this.key(scopes);
    const cached = this.tokens.get(key);
    if (!force && cached !== undefined) {
      return cached.then((t) => (t.expiresAt > Date.now() ? t : this.token(scopes, true)));
    }
    const p = this.fetchToken(scopes);
    this.tokens.set(key, p);
    p.catch(() => {
      if (this.tokens.get(key) === p) this.tokens.delete(key);
    });
    return p;
  }

  private async fetchToken(scopes: readonly string[]): Promise<CachedToken> {
    if (this.scheme.kind !== 'bearer')
      throw new MamoriError('INTERNAL', 'token requested without a Bearer challenge');
    const { realm, service } = this.scheme;
    const creds = this.opts.credentials;
    const url = new URL(realm.href);
    let res;
    if (creds?.identityToken !== undefined) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: this.opts.clientId,
      });
      if (service !== undefined) form.set('service', service);
      for (const s of scopes) form.append('scope', s);
      const payload = Buffer.from(form.toString(), 'utf8');
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(payload.length),
      };
      res = await this.http.follow('POST', url, headers, undefined, realm.origin, 5, payload);
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.username !== undefined) url.searchParams.set('account', creds.username);
      const authz = creds?.username !== undefined ? basicHeader(creds) : undefined;
      res = await withRetries(() => this.http.follow('GET', url, {}, authz, realm.origin), this.opts.retry);
    }
    const context = `${this.opts.name}: token server ${realm.origin}`;
    if (res.status !== 200) {
      throw await errorFromResponse(res, context, (code) =>
        code === 'UNAUTHORIZED' ? `authentication failed (${this.describeCredentials()})` : undefined,
      );
    }
    const body = await readBounded(res, MAX_TOKEN_RESPONSE, `${context}: token response`);
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new MamoriError('REGISTRY', `${context}: token response is not JSON`);
    }
    const rec = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
    const token = [rec['token'], rec['access_token']].find((t) => typeof t === 'string' && t !== '');
    if (typeof token !== 'string' || !HEADER_SAFE_RE.test(token)) {
      throw new MamoriError('REGISTRY', `${context}: token response has no usable "token" or "access_token"`);
    }
    const expiresIn = typeof rec['expires_in'] === 'number' && rec['expires_in'] > 0 ? rec['expires_in'] : 0;
    const lifetime = Math.min(Math.max(expiresIn, MIN_TOKEN_LIFETIME_S), 24 * 3600);
    // Renew a little early so a token does not expire between check and use.
    return { token, expiresAt: Date.now() + (lifetime - 10) * 1000 };
  }
}
