import { createHash } from 'node:crypto';

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Values that are never secrets, whatever rule found them: template
 * variables, format verbs, runs of one character, plain paths. After
 * gitleaks' global allow-list (config/gitleaks.toml, MIT).
 */
const NEVER_SECRET: readonly RegExp[] = [
  /^(?:true|false|null|none|nil|undefined)$/i,
  /^(.)\1*$/,
  /^\$(?:\d+|\{\d+\})$/,
  /^\$(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*)$/,
  /^\$\{[^}]{1,200}\}$/,
  /^\$\(.{1,200}\)$/,
  /^\{\{.{1,200}\}\}$/,
  /^%(?:[A-Z_]+|[a-z_]+)%$/,
  /^%[+\-# 0]?[bcdeEfFgGoOpqstTUvxX]$/,
  /^@(?:[A-Z_]+|[a-z_]+)@$/,
  /^\/(?:bin|etc|home|opt|tmp|usr|var|run|srv|root)\/[\w ./-]{0,200}$/,
];

/**
 * Stand-ins people write where a secret belongs, each matched against the
 * whole value (case-insensitively unless it spells case out).
 */
const PLACEHOLDER: readonly RegExp[] = [
  // Nothing, or too short to protect anything.
  /^\s*$/,
  /^.{1,2}$/s,
  // Words for a setting rather than a value.
  /^(?:true|false|yes|no|on|off|none|null|nil|undefined|unset|empty|disabled?|enabled?|default|auto|required|optional)$/i,
  /^<[^<>]{0,100}>$/,
  /^\[[^[\]]{0,100}\]$/,
  /x{4,}|\*{3,}|\.{3,}|#{4,}/i,
  /your[-_ .]|^my[-_ .]?(?:api[-_ .]?|access[-_ .]?|secret[-_ .]?)?(?:key|token|secret|password|pass|pwd)/i,
  /change[-_ .]?(?:me|it|this)|replace[-_ .]?(?:me|this|with)|fill[-_ .]?(?:me|in)/i,
  /placeholder|example|dummy|sample|redacted|fake|insert|todo|fixme|not[-_ ]?(?:my[-_ ]?)?real|not[-_ ]a[-_ ]secret/i,
  // The field's own name, perhaps numbered (`password123`, `token1`). Real default
  // passwords (`admin123`, `root1234`) are not stand-ins and stay reported.
  /^(?:password|passwd|secret|token|pass|pwd|test|demo|default)\d{0,4}$/i,
  /^(?:admin|root|guest|user)$/i,
  // Template variables and references to a value set elsewhere.
  /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/,
  /\$\{[^}]{0,200}\}|\$\([^)]{0,200}\)|\{\{[^}]{0,200}\}\}|%\([a-z_]{1,64}\)s|<%=?[^%]{0,200}%>/i,
  /^%[A-Za-z_]+%$/,
  // A pointer to a secret kept elsewhere: a file path, a vault, a cloud secret store.
  /^\.{0,2}(?:\/[\w.@-]{0,255}){1,64}$/,
  /^(?:file:|vault:|arn:aws:secretsmanager:|arn:aws:ssm:|sm:\/\/|secretsmanager:)/i,
];

/** Longest prefix of a value the placeholder patterns look at. */
const PLACEHOLDER_SCAN = 4096;

/** Example credentials printed in RFCs 5849 and 6749 (OAuth) and quoted by every OAuth library. */
const PUBLIC_EXAMPLES: ReadonlySet<string> = new Set([
  '2YotnFZFEjr1zCsicMWpAA',
  'tGzv3JOkF0XG5Qx2TlKWIA',
  'SplxlOBeZQQYbYS6WxSbIA',
  'czZCaGRSa3F0MzpnWDFmQmF0M2JW',
  's6BhdRkqt3',
  '7Fjfp0ZBr1KtDRbnfVdmIw',
  'dpf43f3p2l4k3l03',
  'kd94hf93k423kf44',
  'hh5s93j4hdidpola',
  'hdhd0244k9j7ao03',
  'nnch734d00sl2jdk',
  'pfkkdhi9sl3r4s00',
  '9djdj82h48djs9d2',
  'kkk9d7dh3k39sjv7',
  '0685bd9184jfhq22',
  // The Azure storage emulator's (Azurite's) published development key.
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  // RFC 6455's Sec-WebSocket-Key example, Ruby's URI documentation.
  'dGhlIHNhbXBsZSBub25jZQ==',
  'V3ry_S3nsit1ve',
]);

/** DER public keys in base64 (SubjectPublicKeyInfo of EC, Ed25519, Ed448 and RSA keys): never secret. */
const PUBLIC_KEY_DER =
  /^(?:MFkwEwYHKoZIzj0CAQY|MHYwEAYHKoZIzj0CAQYFK4EEACI|MIGbMBAGByqGSM49AgEGBSuBBAAj|MCowBQYDK2Vw|MEMwBQYDK2Vx|MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A|MIICIjANBgkqhkiG9w0BAQEFAAOCAg8A|MIIBojANBgkqhkiG9w0BAQEFAAOCAY8A|MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCB)/;

export function isNeverSecret(value: string): boolean {
  return PUBLIC_EXAMPLES.has(value) || PUBLIC_KEY_DER.test(value) || NEVER_SECRET.some((r) => r.test(value));
}

/**
 * Whether a value written where a secret belongs is a stand-in rather than a
 * secret: empty or one or two characters, a word for a setting (`true`,
 * `none`, `default`), a placeholder (`changeme`, `<your-token>`,
 * `xxxxxxxx`, `password123`), a template or variable reference (`${TOKEN}`,
 * `{{ .Values.pw }}`, `%PASSWORD%`), or a pointer to a secret kept elsewhere
 * (`/run/secrets/db`, `file:…`, `vault:…`, an AWS Secrets Manager or SSM
 * ARN). Real weak passwords (`hunter2`, `admin123`) are not stand-ins.
 *
 * The scanner drops such values for the rules that read free-form values;
 * other checks use it to judge a value found under a credential's name.
 * Only the first 4 KiB of a longer value are examined.
 */
export function isSecretPlaceholder(value: string): boolean {
  const v = value.length > PLACEHOLDER_SCAN ? value.slice(0, PLACEHOLDER_SCAN) : value;
  return PLACEHOLDER.some((r) => r.test(v));
}

/**
 * The redacted form of a secret kept as evidence: its first characters (at
 * most four, fewer for short secrets) — for a PEM block its BEGIN line, which
 * only names the kind of key —, stars and its length. Nothing else of the
 * secret survives.
 */
export function redact(secret: string): string {
  // A PEM block's BEGIN line names the kind of key and is no part of the secret: show it whole.
  const pem = /^-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(secret);
  if (pem) return `-----BEGIN ${pem[1]}----- ***** (${secret.length} chars)`;
  const shown = secret.length >= 16 ? 4 : secret.length >= 10 ? 2 : 0;
  const head = secret.slice(0, shown).replace(/[^\x21-\x7e]/g, '?');
  return `${head}***** (${secret.length} chars)`;
}

/** `sha256:<hex>` of a secret: what allow-list entries name a secret by. */
export function secretHash(secret: string): string {
  return 'sha256:' + createHash('sha256').update(secret, 'latin1').digest('hex');
}
