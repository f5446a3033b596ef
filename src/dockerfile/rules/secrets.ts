/**
 * Secrets written into the Dockerfile. Evidence never holds the secret: only
 * the name, a four-character prefix for known formats, and the length.
 */
import type { DockerfileRule, RuleHit } from '../context.js';
import type { Instruction, MappedText, Property } from '../model.js';
import { rangeIn } from '../model.js';

const SECRET_WORDS = [
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'SECRET',
  'TOKEN',
  'APIKEY',
  'API_KEY',
  'PRIVATE_KEY',
  'PRIVATEKEY',
  'ACCESS_KEY',
  'ACCESSKEY',
  'CREDENTIAL',
  'AUTH_KEY',
];
const SECRET_PARTS = new Set(['PASS', 'PWD', 'PW']);
/** Names that hold where a secret is or how it is used, not the secret. */
const NOT_SECRET_SUFFIX = [
  '_FILE',
  '_PATH',
  '_DIR',
  '_URL',
  '_URI',
  '_ENDPOINT',
  '_HOST',
  '_PORT',
  '_USER',
  '_USERNAME',
  '_NAME',
  '_ID',
  '_LENGTH',
  '_MIN',
  '_MAX',
  '_TTL',
  '_EXPIRY',
  '_EXPIRES',
  '_TIMEOUT',
  '_HEADER',
  '_TYPE',
  '_ENABLED',
  '_REQUIRED',
  '_POLICY',
  '_ENV',
  '_VAR',
  '_MODE',
  '_SECONDS',
];
const NOT_SECRET_VALUES = new Set([
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'none',
  'null',
  'nil',
  'empty',
  'disabled',
  'enabled',
]);

export function secretLikeName(name: string): boolean {
  const n = name.toUpperCase().replace(/[.-]/g, '_');
  if (n === 'PWD' || n === 'OLDPWD') return false;
  if (NOT_SECRET_SUFFIX.some((s) => n.endsWith(s))) return false;
  if (SECRET_WORDS.some((w) => n.includes(w))) return true;
  return n.split('_').some((p) => SECRET_PARTS.has(p));
}

/** A value written out in the file, not taken from a build argument or another variable. */
function literal(value: string | null): boolean {
  if (value === null) return false;
  const rest = value.replace(/\$\{[^}]{0,256}\}|\$[A-Za-z_][A-Za-z0-9_]{0,256}/g, '').trim();
  return rest.length >= 3 && !NOT_SECRET_VALUES.has(rest.toLowerCase()) && !/^[0-9]{1,3}$/.test(rest);
}

function redacted(value: string): string {
  return `<redacted, ${value.length} characters>`;
}

const namedSecret: DockerfileRule = {
  id: 'MD020',
  title: 'Secret value in ENV, ARG or LABEL',
  severity: 'HIGH',
  rationale:
    'ENV and LABEL values are stored in the image configuration and ARG defaults in its history: anyone who can pull the image can read them.',
  fix: 'Pass secrets at build time with `RUN --mount=type=secret,id=…` and at run time from the orchestrator, never as ENV, ARG or LABEL.',
  references: [
    'https://docs.docker.com/build/building/secrets/',
    'https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/',
  ],
  hadolint: [],
  *check(ctx): Generator<RuleHit> {
    for (const ins of ctx.model.instructions) {
      if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG' && ins.keyword !== 'LABEL') continue;
      for (const p of ins.properties) {
        if (!secretLikeName(p.name) || !literal(p.value)) continue;
        yield {
          instruction: ins,
          range: p.valueRange ?? p.range,
          evidence: `${ins.keyword} ${p.name}=${redacted(p.value ?? '')}`,
        };
      }
    }
  },
};

interface KeyFormat {
  readonly name: string;
  readonly pattern: RegExp;
}

/** Formats precise enough to flag whatever the variable is called. Bounded quantifiers only. */
const FORMATS: readonly KeyFormat[] = [
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { name: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36}\b/g },
  { name: 'GitHub fine-grained token', pattern: /\bgithub_pat_[A-Za-z0-9_]{82}\b/g },
  { name: 'GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20}\b/g },
  { name: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,64}/g },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'Stripe live key', pattern: /\b[rs]k_live_[0-9A-Za-z]{24,99}\b/g },
  { name: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { name: 'private key', pattern: /-----BEGIN[ A-Z]{0,24} PRIVATE KEY-----/g },
];

function* matches(text: string): Generator<{ format: string; index: number; value: string }> {
  for (const f of FORMATS) {
    for (const m of text.matchAll(f.pattern)) yield { format: f.name, index: m.index, value: m[0] };
  }
}

function texts(ins: Instruction): MappedText[] {
  if (ins.keyword === 'ENV' || ins.keyword === 'ARG' || ins.keyword === 'LABEL') return [];
  return [ins.argsText, ...ins.heredocs.map((h) => h.content)];
}

function shown(format: string, value: string): string {
  return format === 'private key'
    ? 'a PEM private key'
    : `${format} ${value.slice(0, 4)}… (${value.length} characters)`;
}

const knownFormat: DockerfileRule = {
  id: 'MD021',
  title: 'Credential in a known key format',
  severity: 'CRITICAL',
  rationale:
    'A live credential in a Dockerfile is in the source repository, the build log and the image; treat it as leaked.',
  fix: 'Revoke the credential now, remove it from the file and its history, and pass it with `RUN --mount=type=secret`.',
  references: ['https://docs.docker.com/build/building/secrets/'],
  hadolint: [],
  *check(ctx): Generator<RuleHit> {
    for (const ins of ctx.model.instructions) {
      for (const p of ins.properties as readonly Property[]) {
        if (p.value === null) continue;
        for (const m of matches(p.value)) {
          yield {
            instruction: ins,
            range: p.valueRange ?? p.range,
            evidence: `${ins.keyword} ${p.name} holds ${shown(m.format, m.value)}`,
          };
        }
      }
      for (const t of texts(ins)) {
        for (const m of matches(t.text)) {
          yield {
            instruction: ins,
            range: rangeIn(t, m.index, m.index + m.value.length),
            evidence: `${ins.keyword} holds ${shown(m.format, m.value)}`,
          };
        }
      }
    }
  },
};

export const secretRules: readonly DockerfileRule[] = [namedSecret, knownFormat];
