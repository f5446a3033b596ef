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
 * Placeholders people write where a secret belongs. Matched against the
 * whole value (case-insensitively) by rules that read free-form values.
 */
const PLACEHOLDER: readonly RegExp[] = [
  /^<[^<>]{0,100}>$/,
  /^\[[^[\]]{0,100}\]$/,
  /x{4,}|\*{3,}|\.{3,}|#{4,}/i,
  /^(?:your|my)[-_ .]?(?:api[-_ .]?|access[-_ .]?|secret[-_ .]?)?(?:key|token|secret|password|pass|pwd)/i,
  /change[-_ .]?(?:me|it|this)|replace[-_ .]?(?:me|this|with)|fill[-_ .]?(?:me|in)/i,
  /placeholder|example|dummy|sample|redacted|fake|insert|todo|fixme|not[-_ ]?(?:my[-_ ]?)?real|not[-_ ]a[-_ ]secret/i,
  /^(?:password|passwd|secret|token|pass|pwd|admin|root|guest|user|test|demo|default)\d{0,4}$/i,
  /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/,
  /\$\{[^}]{0,200}\}|\$\([^)]{0,200}\)|\{\{[^}]{0,200}\}\}|%\([a-z_]{1,64}\)s|<%=?[^%]{0,200}%>/i,
];

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

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.some((r) => r.test(value));
}

/**
 * The redacted form of a secret kept as evidence: its first characters (at
 * most four, fewer for short secrets), stars and its length. Nothing else of
 * the secret survives.
 */
export function redact(secret: string): string {
  const shown = secret.length >= 16 ? 4 : secret.length >= 10 ? 2 : 0;
  const head = secret.slice(0, shown).replace(/[^\x21-\x7e]/g, '?');
  return `${head}***** (${secret.length} chars)`;
}

/** `sha256:<hex>` of a secret: what allow-list entries name a secret by. */
export function secretHash(secret: string): string {
  return 'sha256:' + createHash('sha256').update(secret, 'latin1').digest('hex');
}
