/** The `Authorization` header: `Basic` credentials and `Bearer` tokens, bounded and strictly decoded. */
import type { IncomingHttpHeaders } from 'node:http';

export const MAX_AUTHORIZATION_LENGTH = 20 * 1024;

export type Credentials =
  | { readonly scheme: 'none' }
  | { readonly scheme: 'basic'; readonly name: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string }
  | { readonly scheme: 'invalid'; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readCredentials(headers: IncomingHttpHeaders): Credentials {
  const raw: unknown = headers.authorization;
  if (raw === undefined) return { scheme: 'none' };
  if (typeof raw !== 'string') return { scheme: 'invalid', reason: 'malformed Authorization header' };
  if (raw.length > MAX_AUTHORIZATION_LENGTH)
    return { scheme: 'invalid', reason: 'Authorization header too long' };
  const m = /^([A-Za-z]+) +([^ ]+) *$/.exec(raw);
  if (!m) return { scheme: 'invalid', reason: 'malformed Authorization header' };
  const scheme = (m[1] ?? '').toLowerCase();
  const value = m[2] ?? '';
  if (scheme === 'bearer') return { scheme: 'bearer', token: value };
  if (scheme !== 'basic')
    return { scheme: 'invalid', reason: `unsupported authorization scheme ${JSON.stringify(m[1])}` };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) {
    return { scheme: 'invalid', reason: 'malformed Basic credentials' };
  }
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(value, 'base64'));
  } catch {
    return { scheme: 'invalid', reason: 'Basic credentials are not UTF-8' };
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return { scheme: 'invalid', reason: 'malformed Basic credentials' };
  return { scheme: 'basic', name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
