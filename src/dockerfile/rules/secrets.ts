/**
 * Secrets written into the Dockerfile: MD020 by the name a value is assigned
 * to, MD021 by what the value is, found by mamori's secret scanner
 * (`src/secret`). Evidence never holds the secret: only the name, the
 * scanner's redacted form (a prefix of at most four characters) and the length.
 */
import { severityRank } from '../../core/finding.js';
import type { RuleFinding } from '../../core/finding.js';
import type { DockerfileRule, LintContext, RuleHit } from '../context.js';
import type { Instruction, MappedText, Property, SourceRange } from '../model.js';
import { offsetAt, positionAt, rangeIn } from '../model.js';
import { alignValue, findingSpans } from './secret-positions.js';
import type { Span } from './secret-positions.js';

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

/** MD020's test: a literal value under a secret's name (of an ENV, ARG or LABEL). */
function namedSecretValue(p: Property): boolean {
  return secretLikeName(p.name) && literal(p.value);
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
        if (!namedSecretValue(p)) continue;
        yield {
          instruction: ins,
          range: p.valueRange ?? p.range,
          evidence: `${ins.keyword} ${p.name}=${redacted(p.value ?? '')}`,
        };
      }
    }
  },
};

/**
 * Secret rules that judge a value by the name it is assigned to. Where MD020
 * already reports a property (a literal value under a secret's name), their
 * findings in its value would repeat it and are left out; in other values
 * they stay (`JAVA_OPTS="-Ddb.password=…"` names its secret inside the value).
 */
const NAMED_SECRET_RULES = new Set(['generic-api-key']);

const MAX_NAME = 64;

function shortName(name: string): string {
  return name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name;
}

/** Texts of an instruction other than ENV, ARG and LABEL: its arguments and heredoc bodies. */
function texts(ins: Instruction): MappedText[] {
  if (ins.keyword === 'ENV' || ins.keyword === 'ARG' || ins.keyword === 'LABEL') return [];
  return [ins.argsText, ...ins.heredocs.map((h) => h.content)];
}

function hit(ins: Instruction, name: string | undefined, range: SourceRange, f: RuleFinding): RuleHit {
  const what = name === undefined ? ins.keyword : `${ins.keyword} ${shortName(name)}`;
  return {
    instruction: ins,
    range,
    severity: f.severity,
    // The scanner's evidence is redacted: a prefix of at most four characters and the length.
    evidence: `${what} holds ${f.title}: ${f.evidence ?? 'a secret'}`,
  };
}

/**
 * One finding per secret: where two secret rules match the same characters
 * (an npm token in an `.npmrc` line is both an npm token and an `.npmrc`
 * credential), the more severe, else the first, is kept.
 */
function distinct(found: readonly RuleFinding[], spans: readonly Span[]): [RuleFinding, Span][] {
  const kept = new Map<string, [RuleFinding, Span]>();
  for (const [k, f] of found.entries()) {
    const s = spans[k] as Span;
    const key = `${s.start}:${s.end}`;
    const seen = kept.get(key);
    if (seen === undefined || severityRank(f.severity) > severityRank(seen[0].severity))
      kept.set(key, [f, s]);
  }
  return [...kept.values()];
}

function* textHits(ctx: LintContext, ins: Instruction, t: MappedText): Generator<RuleHit> {
  if (t.text === '') return;
  const first = positionAt(t, 0).line;
  const found = ctx.secrets.scanText(ctx.path, t.text, { line: first });
  if (found.length === 0) return;
  for (const [f, s] of distinct(found, findingSpans(t.text, found, first))) {
    yield hit(ins, undefined, rangeIn(t, s.start, s.end), f);
  }
}

/**
 * Where a span of a property's value is in the file: the value is read with
 * quotes and escapes removed, so its characters are found again in the
 * instruction's text; the whole value when they cannot be.
 */
function valueRanges(ins: Instruction, p: Property, value: string): (s: Span) => SourceRange {
  const whole = p.valueRange ?? p.range;
  const vr = p.valueRange;
  if (vr === undefined) return () => whole;
  const source = ins.argsText;
  const from = offsetAt(source, vr.startLine, vr.startColumn);
  const to = offsetAt(source, vr.endLine, vr.endColumn);
  const at = from === undefined || to === undefined ? undefined : alignValue(source.text, from, to, value);
  if (at === undefined || at.length === 0) return () => whole;
  return (s) => {
    const last = at.length - 1;
    const a = at[Math.min(s.start, last)] as number;
    const b = at[Math.min(Math.max(s.start, s.end - 1), last)] as number;
    return rangeIn(source, a, b + 1);
  };
}

function* propertyHits(ctx: LintContext, ins: Instruction, p: Property): Generator<RuleHit> {
  const value = p.value;
  if (value === null || value === '') return;
  const first = (p.valueRange ?? p.range).startLine;
  const md020 = namedSecretValue(p);
  const found = ctx.secrets
    .scanText(ctx.path, value, { line: first })
    .filter((f) => !md020 || !NAMED_SECRET_RULES.has(f.ruleId));
  if (found.length === 0) return;
  const place = valueRanges(ins, p, value);
  for (const [f, s] of distinct(found, findingSpans(value, found, first)))
    yield hit(ins, p.name, place(s), f);
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
    // Every rule of mamori's secret scanner, with its validators and false-positive guards;
    // each finding takes the severity of the secret rule that matched.
    for (const ins of ctx.model.instructions) {
      for (const p of ins.properties) yield* propertyHits(ctx, ins, p);
      for (const t of texts(ins)) yield* textHits(ctx, ins, t);
    }
  },
};

export const secretRules: readonly DockerfileRule[] = [namedSecret, knownFormat];
