/**
 * Secrets in the image config: known-format secrets found by the secret
 * scanner in Env, Labels and history, and values of variables whose name
 * says they hold a credential (`DB_PASSWORD=hunter2`), which no format rule
 * can recognise. Nothing here keeps a secret: findings carry the scanner's
 * redacted evidence, and the history text the other checks quote has every
 * secret found in it masked first.
 */
import type { RuleFinding } from '../core/index.js';
import { isSecretPlaceholder, secretHash, type SecretScanner } from '../secret/index.js';
import { shown } from './config.js';

/** Credential words a variable name ends with, after `camelCase`, `.` and `-` become `_`. */
const CREDENTIAL_NAME =
  /(?:^|_)(?:PASSWORD|PASSWD|PASSPHRASE|PASS|PWD|SECRET|TOKEN|APIKEY|CREDENTIALS?|(?:API|ACCESS|SECRET|PRIVATE|AUTH|ENCRYPTION|SIGNING|MASTER)_KEY|KEY_BASE)$/;
/** Shell and runtime variables that end like a credential but are not one. */
const NOT_CREDENTIAL = new Set(['PWD', 'OLDPWD']);

/** Whether a variable or label name says it holds a credential. */
export function isCredentialName(name: string): boolean {
  if (name.length > 256) return false;
  const n = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[.\-/]/g, '_')
    .toUpperCase();
  return !NOT_CREDENTIAL.has(n) && CREDENTIAL_NAME.test(n);
}

/** A credential-named variable with a real-looking value. */
export function isCredentialAssignment(key: string, value: string): boolean {
  return isCredentialName(key) && !isSecretPlaceholder(value);
}

/** Byte range (UTF-8) of each finding's secret in `text`, where its location gives one. */
function spans(text: string, findings: readonly RuleFinding[]): Array<[number, number] | undefined> {
  const buf = Buffer.from(text, 'utf8');
  const lineStarts = [0];
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lineStarts.push(i + 1);
  return findings.map((f) => {
    const l = f.location;
    if (!l.startLine || !l.startColumn || !l.endLine || !l.endColumn) return undefined;
    const s = (lineStarts[l.startLine - 1] ?? 0) + l.startColumn - 1;
    const e = (lineStarts[l.endLine - 1] ?? 0) + l.endColumn - 1;
    return s >= 0 && e > s && e <= buf.length ? [s, e] : undefined;
  });
}

/** `text` with the byte ranges replaced by `*`. */
function maskSpans(text: string, ranges: ReadonlyArray<[number, number] | undefined>): string {
  const buf = Buffer.from(text, 'utf8');
  for (const r of ranges) if (r) buf.fill(0x2a, r[0], r[1]);
  return buf.toString('utf8');
}

export interface ScannedText {
  /** Findings with the scanner's redacted evidence, located at `image-config` without line numbers. */
  readonly findings: RuleFinding[];
  /** The text with every secret found replaced by `*`; empty when a secret could not be placed to mask it. */
  readonly masked: string;
  /** Hashes of the secrets, to tell one secret seen twice (Env and the ENV history entry) from two. */
  readonly hashes: readonly string[];
}

/**
 * Scans one config text: `what` names where it is (`Env DB_URL`,
 * `history[3]`) in each finding's evidence.
 */
export function scanConfigText(
  scanner: SecretScanner,
  text: string,
  what: string,
  layer?: RuleFinding['location']['layer'],
): ScannedText {
  const found = scanner.scanText('image-config', text);
  if (found.length === 0) return { findings: [], masked: text, hashes: [] };
  const ranges = spans(text, found);
  const buf = Buffer.from(text, 'utf8');
  const hashes = found.map((f, i) => {
    const r = ranges[i];
    return r ? secretHash(buf.toString('latin1', r[0], r[1])) : `${f.ruleId}:${f.evidence ?? ''}`;
  });
  const findings = found.map((f): RuleFinding => ({
    ...f,
    location: { path: 'image-config', ...(layer ? { layer } : {}) },
    evidence: `${shown(what)}: ${f.evidence ?? 'secret'}`,
  }));
  const masked = ranges.every((r) => r !== undefined) ? maskSpans(text, ranges) : '';
  return { findings, masked, hashes };
}

export interface ConfigSecrets {
  readonly findings: RuleFinding[];
  /** Hashes of every secret found, so a secret is reported once and the name rule skips it. */
  readonly hashes: Set<string>;
  /** `Env KEY`, `Label KEY`, `Entrypoint`, `Cmd`, `Healthcheck`: the fields the scanner found a secret in. */
  readonly keys: Set<string>;
}

/** One config field to scan; `key` is empty for the command fields. */
export interface ConfigVar {
  readonly kind: 'Env' | 'Label' | 'Entrypoint' | 'Cmd' | 'Healthcheck';
  readonly key: string;
  readonly value: string;
}

/**
 * Scans Env and Labels entry by entry, as `KEY=value`, so a rule that needs
 * the name (`aws_secret_access_key=`, `GPG_KEY=` for a published key id) sees
 * it, and the command fields as text.
 */
export function scanConfigVars(scanner: SecretScanner, vars: readonly ConfigVar[]): ConfigSecrets {
  const findings: RuleFinding[] = [];
  const hashes = new Set<string>();
  const keys = new Set<string>();
  for (const v of vars) {
    if (v.value === '') continue;
    const what = v.key === '' ? v.kind : `${v.kind} ${v.key}`;
    const scan = scanConfigText(scanner, v.key === '' ? v.value : `${v.key}=${v.value}`, what);
    if (scan.findings.length === 0) continue;
    keys.add(what);
    scan.findings.forEach((f, i) => {
      const h = scan.hashes[i] ?? '';
      if (hashes.has(h)) return;
      hashes.add(h);
      findings.push(f);
    });
  }
  return { findings, hashes, keys };
}

/** The hash the secret scanner would give `value`, to match a value against the secrets it found. */
export function valueHash(value: string): string {
  return secretHash(Buffer.from(value, 'utf8').toString('latin1'));
}
