/**
 * A small Docker token server for tests (the distribution token spec): it
 * checks Basic credentials or an OAuth2 refresh token, grants each requested
 * `repository:NAME:ACTIONS` scope only as far as the user is allowed, and
 * signs an ES256 JWT with an `x5c` header whose certificate (made with
 * `openssl req -x509`) is the registry's `rootcertbundle`.
 */
import { X509Certificate, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCert } from './testing-tools.js';

export interface TokenUser {
  readonly password: string;
  /** Repositories the user may pull and push: exact names, or prefixes ending in `/*`. */
  readonly repositories: readonly string[];
}

export interface TokenServerOptions {
  readonly users: Readonly<Record<string, TokenUser>>;
  /** OAuth2 refresh tokens (identity tokens) and the user each stands for. */
  readonly refreshTokens?: Readonly<Record<string, string>>;
  /** Repositories anyone may pull without credentials. */
  readonly anonymousPull?: readonly string[];
  /** Which response field carries the token (default both). */
  readonly tokenField?: 'token' | 'access_token' | 'both';
  readonly service?: string;
}

export interface TokenRequestRecord {
  readonly method: string;
  readonly scopes: readonly string[];
  readonly service: string | null;
  /** Authenticated user, or undefined for anonymous requests. */
  readonly user?: string;
  readonly grantType?: string;
  readonly status: number;
}

export interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM certificate bundle for the registry's `auth.token.rootcertbundle`. */
  readonly certPath: string;
  /** Every token request, in order. */
  readonly requests: TokenRequestRecord[];
  stop(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function allowed(patterns: readonly string[], repo: string): boolean {
  return patterns.some((p) => (p.endsWith('/*') ? repo.startsWith(p.slice(0, -1)) : p === repo));
}

function signJwt(key: KeyObject, x5c: string, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [x5c] }));
  const payload = b64url(JSON.stringify(claims));
  const sig = sign('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${b64url(sig)}`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      s += d;
      if (s.length > 65536) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

/** Starts the token server on 127.0.0.1 with a random port. */
export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-token-'));
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await selfSignedCert(keyPath, certPath, 'mamori-test-token-issuer');
  const key = createPrivateKey(await readFile(keyPath));
  const x5c = new X509Certificate(await readFile(certPath)).raw.toString('base64');
  const service = opts.service ?? 'mamori-test-registry';
  const issuer = 'mamori-test-token-issuer';
  const requests: TokenRequestRecord[] = [];

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://token.invalid');
      const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
      const scopes = params.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
      const grantType = params.get('grant_type') ?? undefined;
      let user: string | undefined;
      let rejected = false;
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
      if (req.method === 'POST' && grantType === 'refresh_token') {
        user = opts.refreshTokens?.[params.get('refresh_token') ?? ''];
        rejected = user === undefined;
      } else if (req.method === 'POST' && grantType === 'password') {
        const u = params.get('username') ?? '';
        rejected = opts.users[u]?.password !== params.get('password');
        user = rejected ? undefined : u;
      } else if (basic) {
        const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const u = decoded.slice(0, colon);
        rejected =
          colon < 0 || !Object.hasOwn(opts.users, u) || opts.users[u]?.password !== decoded.slice(colon + 1);
        user = rejected ? undefined : u;
      }
      const record = (status: number): void => {
        requests.push({
          method: req.method ?? '',
          scopes,
          service: params.get('service'),
          ...(user !== undefined ? { user } : {}),
          ...(grantType !== undefined ? { grantType } : {}),
          status,
        });
      };
      if (rejected || params.get('service') !== service) {
        record(401);
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }),
        );
        return;
      }
      const access = [];
      for (const scope of scopes) {
        const m = /^repository:([^:]+):(.+)$/.exec(scope);
        if (!m) continue;
        const [, name = '', actions = ''] = m;
        const mayPush = user !== undefined && allowed(opts.users[user]?.repositories ?? [], name);
        const mayPull = mayPush || allowed(opts.anonymousPull ?? [], name);
        const granted = actions
          .split(',')
          .filter((a) => (a === 'pull' ? mayPull : a === 'push' ? mayPush : false));
        if (granted.length > 0) access.push({ type: 'repository', name, actions: granted });
      }
      const now = Math.floor(Date.now() / 1000);
      const token = signJwt(key, x5c, {
        iss: issuer,
        sub: user ?? '',
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      });
      const field = opts.tokenField ?? 'both';
      const body: Record<string, unknown> = {
        expires_in: 300,
        issued_at: new Date(now * 1000).toISOString(),
      };
      if (field !== 'access_token') body['token'] = token;
      if (field !== 'token') body['access_token'] = token;
      record(200);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    })().catch(() => {
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
