/**
 * Values the generic assignment rule would take for tokens although they are
 * published by design: OpenPGP key ids and fingerprints, which official
 * images name to verify their downloads (python's `GPG_KEY`, php's
 * `GPG_KEYS`, nginx's `NGINX_GPGKEYS`, postgres' `key='…'; gpg --recv-keys
 * "$key"`), and checksums of downloads (`HTTPD_SHA256`, nginx's `KEY_SHA512`).
 *
 * The criterion, applied to a candidate value V assigned to the name N (the
 * whole identifier around the rule's keyword: `GPG_KEY`, `gpgKeys`,
 * `--recv-keys`, `key`):
 *
 * OpenPGP key reference — all of
 * 1. V is one key id or fingerprint: an optional `0x`, then exactly 8 or 16
 *    hex digits (short and long key id), 32 (v3 fingerprint), 40 (v4) or 64
 *    (v6, RFC 9580);
 * 2. N names no secret: it contains none of `pass`, `pwd`, `secret`, `priv`,
 *    `token`, `cred`, `auth`, `seed` (`GPG_PASSPHRASE=<40 hex>` is reported);
 * 3. N says the value is an OpenPGP key, in one of three ways:
 *    a. N contains `gpg`, `pgp` (so `openpgp`), `gnupg` or `fingerprint`, or
 *       is git's `signingkey` option (`user.signingkey`);
 *    b. N is a `--…key`/`--…keys` option of a `gpg`, `gpg1`, `gpg2`, `gpgv`
 *       or `apt-key` command on the same line (`gpg --recv-keys=0x…`);
 *    c. N is a shell variable that the next 512 bytes pass to such a command,
 *       directly (`gpg --recv-keys "$key"`) or through a loop
 *       (`for k in $KEYS; do gpg --recv-keys "$k"; done`).
 *    A 40-hex value under `API_KEY`, `SECRET`, `SIGNING_KEY` or `key` with no
 *    gpg command using it meets none of these and is still reported.
 *
 * Checksum — all of
 * 1. N ends with a digest word: `md5`, `sha`, `sha1`, `sha224`, `sha256`,
 *    `sha384`, `sha512`, `sha3_…`, `shasum`, `checksum`, `digest` or `hash`;
 * 2. V is hex of the length that digest has (32, 40, 56, 64, 96 or 128 for
 *    the words that name no algorithm);
 * 3. N contains no `pass` or `pwd`: a password's digest (PostgreSQL's md5
 *    hashes) logs in by itself or is cracked offline, and stays reported.
 */

/** Words that make a name a secret's name whatever else it says. */
const SECRET_WORD = /pass|pwd|secret|priv|token|cred|auth|seed/i;

/** Key id (short, long) or fingerprint (v3, v4, v6) in hex, optionally `0x`-prefixed. */
const KEY_ID = /^(?:0x)?(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{16}|[0-9A-Fa-f]{32}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/;

/** 3a: a name that says it holds an OpenPGP key id or fingerprint. */
const KEY_NAME = /gpg|pgp|gnupg|fingerprint|(?:^|\.)signingkey$/i;

/** The commands whose arguments are key ids. */
const GPG_COMMAND = String.raw`(?:^|[^\w.-])(?:gpg[12v]?|apt-key)(?![\w.-])`;

/** 3b: a `--…key(s)` option. */
const KEY_OPTION = /^--[a-z][a-z-]{0,40}keys?$/i;

/** Bytes after the value searched for a command that uses the variable (3c). */
const USE_DISTANCE = 512;

/** One shell "simple command" character: anything but a separator; a backslash-newline continues it. */
const IN_COMMAND = String.raw`(?:[^\n;&|]|\\\r?\n)`;

const DIGEST_HEX: ReadonlyMap<string, readonly number[]> = new Map([
  ['md5', [32]],
  ['sha1', [40]],
  ['sha224', [56]],
  ['sha256', [64]],
  ['sha384', [96]],
  ['sha512', [128]],
]);
const ANY_DIGEST = [32, 40, 56, 64, 96, 128];

/** The last word of a name, camel case split and lower-cased (`KEY_SHA512`, `fileSha256`, `SHA3_256`). */
const DIGEST_WORD =
  /(?:^|[^a-z0-9])(md5|sha(?:1|224|256|384|512)?|sha3[_-]?(?:224|256|384|512)|shasum|checksums?|digest|hash)$/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/** 3b: `name` is a `--…key(s)` option of a gpg command that starts on the same line before `at`. */
function isGpgKeyOption(name: string, text: string, at: number): boolean {
  if (!KEY_OPTION.test(name)) return false;
  const lineStart = Math.max(text.lastIndexOf('\n', at - 1) + 1, at - 256);
  const before = text.slice(lineStart, at);
  // The command is the last one on the line before the option.
  const command = before.split(/;|&&|\|\|?/).pop() ?? '';
  return new RegExp(GPG_COMMAND).test(command);
}

/** 3c: the shell variable `name` is passed to a gpg command in `after`. */
function isPassedToGpg(name: string, after: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return false;
  const ref = (v: string) => String.raw`\$(?:\{${v}\}|${v}(?![A-Za-z0-9_]))`;
  const n = escapeRegExp(name);
  if (new RegExp(String.raw`${GPG_COMMAND}${IN_COMMAND}{0,300}?${ref(n)}`).test(after)) return true;
  // for k in $NAME; do … gpg … "$k" … done
  const loop = new RegExp(
    String.raw`(?:^|[^\w])for[ \t]+([A-Za-z_][A-Za-z0-9_]{0,63})[ \t]+in[ \t]${IN_COMMAND}{0,200}?${ref(n)}${IN_COMMAND}{0,100};[\s\\]{0,20}do(?![\w])([\s\S]{0,400})`,
  ).exec(after);
  if (loop === null) return false;
  const body = loop[2] ?? '';
  return new RegExp(String.raw`${GPG_COMMAND}${IN_COMMAND}{0,300}?${ref(escapeRegExp(loop[1]!))}`).test(body);
}

/** Offset of the last whitespace-separated word of a name (`apt-key adv --recv-keys` → `--recv-keys`). */
function lastWord(name: string): number {
  const i = name.search(/\S+$/);
  return i < 0 ? name.length : i;
}

/**
 * Whether `value`, assigned to the name written at `nameStart` of `text` as
 * `name`, is an OpenPGP key id or fingerprint in a key context (criterion
 * above); `valueEnd` is where the value ends in `text`. Of a name with spaces
 * (`apt-key adv --recv-keys`) the last word is the name.
 */
export function isOpenPgpKeyReference(
  name: string,
  value: string,
  text: string,
  nameStart: number,
  valueEnd: number,
): boolean {
  const cut = lastWord(name);
  const n = name.slice(cut);
  if (!KEY_ID.test(value) || SECRET_WORD.test(n)) return false;
  if (KEY_NAME.test(n)) return true;
  if (isGpgKeyOption(n, text, nameStart + cut)) return true;
  return isPassedToGpg(n, text.slice(valueEnd, valueEnd + USE_DISTANCE));
}

/** Whether `value` is the hex digest a checksum variable `name` names (criterion above). */
export function isPublishedChecksum(name: string, value: string): boolean {
  const n = name.slice(lastWord(name));
  if (/pass|pwd/i.test(n) || !/^[0-9A-Fa-f]+$/.test(value)) return false;
  const words = n.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const word = DIGEST_WORD.exec(words)?.[1]?.replace(/[_-]/g, '');
  if (word === undefined) return false;
  const sha3 = /^sha3(224|256|384|512)$/.exec(word)?.[1];
  const lengths = sha3 !== undefined ? [Number(sha3) / 4] : (DIGEST_HEX.get(word) ?? ANY_DIGEST);
  return lengths.includes(value.length);
}
