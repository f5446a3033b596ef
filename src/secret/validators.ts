import { isSecretPlaceholder } from './filters.js';
import { isOpenPgpKeyReference, isPublishedChecksum } from './public-values.js';
import { GENERIC_STOPWORDS } from './stopwords.js';
import type { SecretContext } from './types.js';

/** Decodes standard or URL-safe base64 (padding optional) to bytes; undefined when it is not base64. */
export function decodeBase64(s: string): Buffer | undefined {
  const t = s.replace(/\\[nr]|\s/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(t) || t.length % 4 === 1) return undefined;
  return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function isPrintable(b: Buffer): boolean {
  for (const c of b) if (c < 0x20 || c === 0x7f) return false;
  return true;
}

/** `user:password` as base64 (docker `auth`, npm `_auth`) with a real-looking password. */
export function isBasicCredential(secret: string): boolean {
  const b = decodeBase64(secret);
  if (b === undefined || b.length < 3 || !isPrintable(b)) return false;
  const text = b.toString('latin1');
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) return false;
  return !isSecretPlaceholder(text.slice(i + 1));
}

// -- PEM private keys -------------------------------------------------------

const PEM_LABEL = /^-----BEGIN ([ A-Z0-9_-]{0,100})-----/;

/** The base64 body of a PEM block (header lines such as `Version:` removed), or undefined. */
function pemBody(block: string): { label: string; headers: string; body: string } | undefined {
  const label = PEM_LABEL.exec(block)?.[1] ?? '';
  const inner = block.slice(block.indexOf('-----', 10) + 5, block.lastIndexOf('-----END'));
  const lines = inner.split(/\\r\\n|\\n|\r?\n/);
  const headers: string[] = [];
  const body: string[] = [];
  for (const line of lines) {
    const l = line.trim();
    if (l === '') continue;
    if (body.length === 0 && /^[A-Za-z][\w-]{0,40}: ?\S/.test(l)) headers.push(l);
    else body.push(l);
  }
  const b = body.join('');
  // A PGP armour ends with a `=CRC` checksum line.
  const withoutCrc = b.replace(/=[A-Za-z0-9+/]{4}$/, '');
  if (!/^[A-Za-z0-9+/]{64,}={0,2}$/.test(withoutCrc)) return undefined;
  return { label, headers: headers.join('\n'), body: b };
}

/** Whether an OpenSSH private key body names a cipher other than `none`. */
function opensshEncrypted(body: string): boolean {
  const raw = Buffer.from(body.slice(0, 128), 'base64');
  const magic = 'openssh-key-v1\0';
  if (raw.length < magic.length + 4 || raw.toString('latin1', 0, magic.length) !== magic) return false;
  const n = raw.readUInt32BE(magic.length);
  const cipher = raw.toString('latin1', magic.length + 4, magic.length + 4 + Math.min(n, 64));
  return cipher !== 'none';
}

/** `undefined` when the block is no real key, else whether it is encrypted. */
export function privateKeyEncrypted(block: string): boolean | undefined {
  const pem = pemBody(block);
  if (pem === undefined) return undefined;
  if (/ENCRYPTED/.test(pem.label) || /^Proc-Type: *4, *ENCRYPTED/m.test(pem.headers)) return true;
  if (pem.label === 'OPENSSH PRIVATE KEY') return opensshEncrypted(pem.body);
  return false;
}

export function isPlainPrivateKey(_secret: string, ctx: SecretContext): boolean {
  return privateKeyEncrypted(ctx.text.slice(ctx.start, ctx.end)) === false;
}

export function isEncryptedPrivateKey(_secret: string, ctx: SecretContext): boolean {
  return privateKeyEncrypted(ctx.text.slice(ctx.start, ctx.end)) === true;
}

/** The private key of a GCP service-account JSON must be a real PEM body. */
export function isServiceAccountKey(secret: string): boolean {
  return privateKeyEncrypted(secret) !== undefined;
}

// -- JWT --------------------------------------------------------------------

/** A JWT's header decodes to a JSON object with a string `alg`, and its payload to a JSON object. */
export function isJwt(secret: string): boolean {
  const [header, payload] = secret.split('.');
  if (header === undefined || payload === undefined) return false;
  const json = (part: string): unknown => {
    const b = decodeBase64(part);
    if (b === undefined) return undefined;
    try {
      return JSON.parse(b.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
  const h = json(header);
  const p = json(payload);
  return (
    typeof h === 'object' &&
    h !== null &&
    typeof (h as Record<string, unknown>)['alg'] === 'string' &&
    typeof p === 'object' &&
    p !== null
  );
}

// -- generic assignments ----------------------------------------------------

/**
 * Identifiers whose value is not a secret although the name contains a
 * keyword (`public_key`, `key_id`, `author`, `csrf_token` …). After gitleaks'
 * generic-api-key match allow-list (config/gitleaks.toml, MIT).
 */
const NOT_SECRET_NAME =
  /(?:access(?:ibility|or)|access[_.-]?id|random[_.-]?access|api[_.-]?(?:id|name|version)|rapid|capital|[a-z0-9-]{0,40}?api[a-z0-9-]{0,40}?:jar:|author|X-MS-Exchange-Organization-Auth|Authentication-Results|(?:credentials?[_.-]?id|withCredentials)|(?:bucket|foreign|hot|idx|natural|primary|pub(?:lic)?|schema|sequence)[_.-]?key|turkey|key[_.-]?(?:alias|board|code|frame|id|length|mesh|name|pair|press(?:ed)?|ring|selector|signature|size|stone|storetype|word|up|down|left|right)|key[_.-]?vault[_.-]?(?:id|name)|keyVaultToStoreSecrets|key(?:store|tab)[_.-]?(?:file|path)|issuerkeyhash|[dm]onkey|keying|secret[_.-]?(?:length|name|size)|UserSecretsId|csrf[_.-]?token|io\.jsonwebtoken[ \t]?:[ \t]?[\w-]{1,100}|(?:api|credentials|token)[_.-]?(?:endpoint|ur[il])|public[_.-]?token|(?:key|token)[_.-]?file|pin[gs]?[_.-]?sha256)/i;

/** `[A-Z_]+=\n[A-Z_]+=` : a list of empty environment assignments, not a value. */
const EMPTY_ASSIGNMENTS =
  /^(?:[A-Z_]{1,100}=\n[A-Z_]{1,100}=|[a-z_]{1,100}=\n[a-z_]{1,100}=|[A-Z.]{1,100}=\n[A-Z.]{1,100}=|[a-z.]{1,100}=\n[a-z.]{1,100}=)(?:\n|$)/;

/** The identifier the keyword sits in: up to 50 name characters before the match. */
function identifierPrefix(ctx: SecretContext): string {
  let i = ctx.start;
  const min = Math.max(0, ctx.start - 50);
  while (i > min && /[\w.-]/.test(ctx.text[i - 1]!)) i--;
  return ctx.text.slice(i, ctx.start);
}

/** Source files, where an unquoted value is an expression (`key = module.attr`), not a literal. */
const SOURCE_FILE =
  /\.(?:py|pyi|js|mjs|cjs|jsx|ts|tsx|java|kt|scala|groovy|go|rb|php|c|h|cc|cpp|hpp|cs|rs|swift|pl|pm|lua|m|r)$/i;

/** A value that names a file (`key.pem`, `out.xml`) rather than holding a secret. */
const FILE_NAME =
  /\.(?:xml|json|ya?ml|toml|txt|pem|key|crt|cer|der|csr|p12|pfx|jks|keystore|bin|conf|cfg|ini|properties|env|log|html?|js|ts|py|rb|go|java|c|h|sh|md|rst|csv|tmp|bak|db|sqlite|zip|gz|tgz|tar|jar|war|so|dll|exe)$/i;

/**
 * Whether a value reads as a name built of words (`win32api.RegEnumKey`,
 * `SANITIZER_IGNORE_CVE_2016_2143`, `croatian-cp1250`, `Ipv6CidrAssociations`):
 * its camel-case pieces average three characters or more (four without
 * separators). Random tokens break into one- and two-character pieces.
 */
export function isIdentifierLike(value: string): boolean {
  const v = value.replace(/=+$/, '');
  if (!/^[A-Za-z0-9_./-]+$/.test(v)) return false;
  const pieces = v.match(/[A-Z][a-z]+|[a-z]+|[A-Z]+(?![a-z])|\d+/g) ?? [];
  if (pieces.length === 0) return false;
  const average = pieces.reduce((n, p) => n + p.length, 0) / pieces.length;
  return /[_./-]/.test(v) ? average >= 3 : pieces.length >= 3 && average >= 4;
}

/** Identifiers that hold a name, a path or a kind rather than a secret (`token_type`, `key_path`). */
const DESCRIPTIVE_NAME =
  /(?:name|id|type|path|file|dir|url|uri|endpoint|mode|size|length|len|count|version|format|algorithm|alg|prefix|suffix|field|header|param|env|var|label|kind|class|style|scope|policy)s?$/i;

export function isGenericSecret(secret: string, ctx: SecretContext): boolean {
  if (isIdentifierLike(secret)) return false;
  // base64 of a placeholder (`bm90IG15IHJlYWwgcGFzc3dvcmQ=`: "not my real password").
  const decoded = /^[A-Za-z0-9+/]{12,}={0,2}$/.test(secret) ? decodeBase64(secret) : undefined;
  if (decoded && isPrintable(decoded) && isSecretPlaceholder(decoded.toString('latin1'))) return false;
  // Letters and punctuation only: a word, a name or a path, not a secret (gitleaks: `^[a-zA-Z_.-]+$`).
  if (/^[a-zA-Z_./-]+$/.test(secret) || FILE_NAME.test(secret)) return false;
  if (SOURCE_FILE.test(ctx.path) && !/['"\x60]/.test(ctx.text[ctx.secretStart - 1] ?? '')) return false;
  const keyword = ctx.groups[1] ?? '';
  // `api` counts only as `api`, `Api` or `API`, not as a fragment of a word like `rAPId`.
  if (/^api$/i.test(keyword) && !/^(?:api|Api|API)$/.test(keyword)) return false;
  const prefix = identifierPrefix(ctx);
  const name = prefix + keyword + (ctx.groups[2] ?? '').trimEnd();
  if (DESCRIPTIVE_NAME.test(name)) return false;
  // Published by design: OpenPGP key ids named for verifying downloads, checksums of downloads.
  if (isPublishedChecksum(name, secret)) return false;
  if (isOpenPgpKeyReference(name, secret, ctx.text, ctx.start - prefix.length, ctx.secretEnd)) return false;
  const match = identifierPrefix(ctx) + ctx.text.slice(ctx.start, ctx.end);
  if (NOT_SECRET_NAME.test(match) || EMPTY_ASSIGNMENTS.test(ctx.text.slice(ctx.start, ctx.end + 1)))
    return false;
  const lower = secret.toLowerCase();
  return !GENERIC_STOPWORDS.some((w) => lower.includes(w));
}

/** npm `_auth` is base64 `user:password`; `_password` is a base64 password; `_authToken` a token. */
export function isNpmCredential(secret: string, ctx: SecretContext): boolean {
  const key = ctx.groups[1];
  if (key === '_auth') return isBasicCredential(secret);
  if (key === '_password') {
    const b = decodeBase64(secret);
    return b !== undefined && b.length > 0 && isPrintable(b) && !isSecretPlaceholder(b.toString('latin1'));
  }
  return true;
}

/** docker `auth` is base64 `user:password`; identity and registry tokens are opaque. */
export function isDockerCredential(secret: string, ctx: SecretContext): boolean {
  return ctx.groups[1] === 'auth' ? isBasicCredential(secret) : secret.length >= 16;
}
