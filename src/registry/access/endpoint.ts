/**
 * The token endpoint of the Docker token authentication spec, framework
 * free: `GET /service/token?service=…&scope=…&scope=…&account=…` with
 * optional Basic credentials, and the OAuth2 form
 * (`POST grant_type=password&username=…&password=…&service=…&scope=…`)
 * some clients use. Without credentials the caller gets an anonymous token
 * (pull on public projects only). Bad credentials get a 401 with the same
 * message whether the account exists or not; malformed requests a 400 with
 * an OAuth2 error body (which Docker's client prints).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isMamoriError } from '../../core/index.js';
import type { Caller } from '../http/auth.js';
import type { AccessControl } from './access.js';
import { readCredentials } from './credentials.js';
import { formatScope, parseScopes } from './scope.js';

export interface TokenRequest {
  /** GET (default) or POST. */
  readonly method?: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The client's address, for the caller's logs; decisions do not depend on it. */
  readonly remoteAddress: string;
  /** The `application/x-www-form-urlencoded` body of a POST. */
  readonly body?: URLSearchParams;
}

export interface TokenResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly json: unknown;
}

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' };
const BAD_CREDENTIALS = 'invalid username or password';

function badRequest(error: string, description: string): TokenResponse {
  return { status: 400, headers: HEADERS, json: { error, error_description: description } };
}

function unauthorized(access: AccessControl, message: string): TokenResponse {
  return {
    status: 401,
    headers: { ...HEADERS, 'www-authenticate': `Basic realm="${access.service}"` },
    json: { errors: [{ code: 'UNAUTHORIZED', message }] },
  };
}

export async function tokenEndpoint(access: AccessControl, req: TokenRequest): Promise<TokenResponse> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST')
    return badRequest('invalid_request', `method ${method} not allowed`);
  const params = method === 'POST' ? (req.body ?? new URLSearchParams()) : req.query;
  const service = params.get('service');
  if (service !== null && service !== access.service) {
    return badRequest('invalid_request', `unknown service ${JSON.stringify(service.slice(0, 64))}`);
  }
  let scopes;
  try {
    scopes = parseScopes(params.getAll('scope'));
  } catch (e) {
    if (isMamoriError(e)) return badRequest('invalid_scope', e.message);
    throw e;
  }

  let caller: Caller | undefined;
  if (method === 'POST') {
    const grant = params.get('grant_type');
    if (grant !== 'password') {
      return badRequest(
        'unsupported_grant_type',
        'only grant_type=password is supported (no refresh tokens)',
      );
    }
    caller = await access.login(params.get('username') ?? '', params.get('password') ?? '');
    if (!caller) return unauthorized(access, BAD_CREDENTIALS);
  } else {
    const c = readCredentials(req.headers);
    if (c.scheme === 'invalid') return unauthorized(access, c.reason);
    if (c.scheme === 'bearer') return unauthorized(access, 'the token endpoint takes Basic credentials');
    if (c.scheme === 'basic') {
      const account = params.get('account');
      if (account !== null && account !== '' && account !== c.name) {
        return badRequest('invalid_request', 'the account parameter does not match the credentials');
      }
      caller = await access.login(c.name, c.password);
      if (!caller) return unauthorized(access, BAD_CREDENTIALS);
    } else {
      caller = access.anonymous();
    }
  }

  const t = await access.issueToken(caller, scopes);
  const json: Record<string, unknown> = {
    token: t.token,
    access_token: t.token,
    expires_in: t.expiresIn,
    issued_at: t.issuedAt,
  };
  if (method === 'POST')
    json['scope'] = t.access
      .filter((g) => g.actions.length > 0)
      .map(formatScope)
      .join(' ');
  return { status: 200, headers: HEADERS, json };
}
