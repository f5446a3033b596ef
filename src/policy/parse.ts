/**
 * Validation of a policy document (`policy:` in mamori.yaml, or a separate
 * file): every problem reported at once with its path
 * (`policy.rules[0].mode: expected enforce, audit or warn, got "block"`),
 * unknown keys refused with a hint, sizes bounded.
 */
import { didYouMean, MamoriError } from '../core/index.js';
import {
  type AttestationRule,
  type Exemption,
  type ImageRules,
  type IsolationRules,
  type Match,
  type Policy,
  type PolicyMode,
  type PolicyRule,
  POLICY_MODES,
  PSS_LEVELS,
  type PssLevel,
  type PssSetting,
  SEVERITIES,
  type Severity,
} from './model.js';

export const POLICY_LIMITS = {
  rules: 500,
  exemptions: 1000,
  list: 200,
  string: 4096,
  keyPem: 16 * 1024,
} as const;

/** A policy that failed validation: `problems` lists each one with its path. */
export class PolicyError extends MamoriError {
  constructor(readonly problems: readonly string[]) {
    super('INVALID_ARGUMENT', `invalid policy:\n  ${problems.slice(0, 50).join('\n  ')}`);
    this.name = 'PolicyError';
  }
}

type Obj = Readonly<Record<string, unknown>>;

class Checker {
  readonly problems: string[] = [];
  fail(path: string, message: string): undefined {
    this.problems.push(`${path}: ${message}`);
    return undefined;
  }
  obj(path: string, v: unknown, keys: readonly string[]): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return this.fail(path, `expected a mapping, got ${kind(v)}`);
    for (const k of Object.keys(v)) {
      if (!keys.includes(k))
        this.fail(`${path}.${k}`, `unknown key${didYouMean(k, keys)}; known: ${keys.join(', ')}`);
    }
    return v as Obj;
  }
  str(path: string, v: unknown, max: number = POLICY_LIMITS.string): string | undefined {
    if (typeof v !== 'string') return this.fail(path, `expected a string, got ${kind(v)}`);
    if (v.length === 0) return this.fail(path, 'must not be empty');
    if (v.length > max) return this.fail(path, `longer than ${max} characters`);
    return v;
  }
  bool(path: string, v: unknown, dflt: boolean): boolean {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') {
      this.fail(path, `expected true or false, got ${kind(v)}`);
      return dflt;
    }
    return v;
  }
  list(path: string, v: unknown): string[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.fail(path, `expected a list, got ${kind(v)}`);
      return [];
    }
    if (v.length > POLICY_LIMITS.list) {
      this.fail(path, `more than ${POLICY_LIMITS.list} entries`);
      return [];
    }
    return v.flatMap((x, i) => {
      const s = this.str(`${path}[${i}]`, x);
      return s === undefined ? [] : [s];
    });
  }
  oneOf<T extends string>(path: string, v: unknown, allowed: readonly T[]): T | undefined {
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    return this.fail(path, `expected ${orList(allowed)}, got ${shown(v)}`);
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'string' ? `the string ${shown(v)}` : `${typeof v} ${shown(v)}`;
}
function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
function orList(items: readonly string[]): string {
  return items.length < 2
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}
const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const VERSION_RE = /^(latest|v1\.[0-9]{1,2})$/;

/** `restricted`, `baseline:v1.30`, `restricted:latest`. */
export function parsePssSetting(v: string): PssSetting | string {
  const [level, version = 'latest', ...rest] = v.split(':');
  if (rest.length > 0 || !(PSS_LEVELS as readonly string[]).includes(level ?? '')) {
    return `expected LEVEL[:VERSION] with LEVEL ${orList(PSS_LEVELS)}, got ${shown(v)}`;
  }
  if (!VERSION_RE.test(version)) return `version must be latest or v1.N (like v1.30), got ${shown(version)}`;
  return { level: level as PssLevel, version };
}

function parseMatch(c: Checker, path: string, v: unknown): Match {
  if (v === undefined) return { namespaces: [], excludeNamespaces: [], labels: {} };
  const o = c.obj(path, v, ['namespaces', 'excludeNamespaces', 'labels']);
  const labels: Record<string, string> = {};
  if (o?.labels !== undefined) {
    const l = c.obj(`${path}.labels`, o.labels, Object.keys((o.labels as Obj | null) ?? {}));
    for (const [k, val] of Object.entries(l ?? {})) {
      const s = c.str(
        `${path}.labels.${k}`,
        typeof val === 'number' || typeof val === 'boolean' ? String(val) : val,
      );
      if (s !== undefined) labels[k] = s;
    }
  }
  return {
    namespaces: c.list(`${path}.namespaces`, o?.namespaces),
    excludeNamespaces: c.list(`${path}.excludeNamespaces`, o?.excludeNamespaces),
    labels,
  };
}

function parseImages(c: Checker, path: string, v: unknown): ImageRules | undefined {
  const o = c.obj(path, v, [
    'allowedRegistries',
    'requireDigest',
    'mutateToDigest',
    'maxSeverity',
    'requireScan',
    'signatures',
    'attestations',
  ]);
  if (!o) return undefined;
  const maxSeverity =
    o.maxSeverity === undefined
      ? undefined
      : c.oneOf<Severity>(`${path}.maxSeverity`, o.maxSeverity, SEVERITIES);
  let signatureKeys: string[] = [];
  if (o.signatures !== undefined) {
    const s = c.obj(`${path}.signatures`, o.signatures, ['keys']);
    signatureKeys = parseKeys(c, `${path}.signatures.keys`, s?.keys, s !== undefined);
  }
  const attestations: AttestationRule[] = [];
  if (o.attestations !== undefined) {
    if (!Array.isArray(o.attestations)) {
      c.fail(`${path}.attestations`, `expected a list, got ${kind(o.attestations)}`);
    } else if (o.attestations.length > POLICY_LIMITS.list) {
      c.fail(`${path}.attestations`, `more than ${POLICY_LIMITS.list} entries`);
    } else {
      o.attestations.forEach((a: unknown, i) => {
        const at = `${path}.attestations[${i}]`;
        const e = c.obj(at, a, ['predicateType', 'keys']);
        if (!e) return;
        const raw = c.str(`${at}.predicateType`, e.predicateType);
        const keys = parseKeys(c, `${at}.keys`, e.keys, true);
        if (raw === undefined) return;
        const predicateType = PREDICATE_ALIASES[raw] ?? raw;
        if (!/^https?:\/\/[^\s]{1,500}$/.test(predicateType)) {
          c.fail(
            `${at}.predicateType`,
            `expected a predicate type URI or one of ${Object.keys(PREDICATE_ALIASES).join(', ')}, got ${shown(raw)}`,
          );
          return;
        }
        attestations.push({ predicateType, keys });
      });
    }
  }
  const mutateToDigest = c.bool(`${path}.mutateToDigest`, o.mutateToDigest, false);
  return {
    allowedRegistries: c.list(`${path}.allowedRegistries`, o.allowedRegistries),
    requireDigest: c.bool(`${path}.requireDigest`, o.requireDigest, false),
    mutateToDigest,
    ...(maxSeverity ? { maxSeverity } : {}),
    requireScan: c.bool(`${path}.requireScan`, o.requireScan, false),
    signatureKeys,
    attestations,
  };
}

/** Short names of the usual attestation predicate types. */
export const PREDICATE_ALIASES: Readonly<Record<string, string>> = {
  'slsa-provenance': 'https://slsa.dev/provenance/v1',
  'slsa-provenance-v0.2': 'https://slsa.dev/provenance/v0.2',
  cyclonedx: 'https://cyclonedx.org/bom',
  spdx: 'https://spdx.dev/Document',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
};

/** PEM public keys or paths to them (read later by resolveKeyFiles). */
function parseKeys(c: Checker, path: string, v: unknown, required: boolean): string[] {
  const keys = c.list(path, v);
  keys.forEach((k, i) => {
    if (k.length > POLICY_LIMITS.keyPem) c.fail(`${path}[${i}]`, 'key is too long');
    else if (!/^-----BEGIN PUBLIC KEY-----/.test(k.trim()) && !k.startsWith('/') && !k.startsWith('./')) {
      c.fail(`${path}[${i}]`, 'expected a PEM public key or a path to one');
    }
  });
  if (required && keys.length === 0) c.fail(path, 'name at least one public key');
  return keys;
}

function parseIsolation(c: Checker, path: string, v: unknown): IsolationRules | undefined {
  const o = c.obj(path, v, ['untrustedLabel', 'runtimeClassNames', 'toleration', 'requireResources']);
  if (!o) return undefined;
  let untrustedLabel: IsolationRules['untrustedLabel'];
  if (o.untrustedLabel !== undefined) {
    const s = c.str(`${path}.untrustedLabel`, o.untrustedLabel);
    const m = s === undefined ? null : /^([^=\s]{1,253})=([^=\s]{0,63})$/.exec(s);
    if (s !== undefined && !m) c.fail(`${path}.untrustedLabel`, `expected KEY=VALUE, got ${shown(s)}`);
    if (m?.[1] !== undefined) untrustedLabel = { key: m[1], value: m[2] ?? '' };
  }
  let toleration: IsolationRules['toleration'];
  if (o.toleration !== undefined) {
    const t = c.obj(`${path}.toleration`, o.toleration, ['key', 'value', 'effect']);
    const key = c.str(`${path}.toleration.key`, t?.key);
    const value = t?.value === undefined ? undefined : c.str(`${path}.toleration.value`, t.value);
    const effect =
      t?.effect === undefined
        ? undefined
        : c.oneOf(`${path}.toleration.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
    if (key !== undefined)
      toleration = { key, ...(value !== undefined ? { value } : {}), ...(effect ? { effect } : {}) };
  }
  const runtimeClassNames = c.list(`${path}.runtimeClassNames`, o.runtimeClassNames);
  if (untrustedLabel && runtimeClassNames.length === 0) {
    c.fail(
      `${path}.runtimeClassNames`,
      'name the sandboxing runtime classes untrusted workloads must use (gvisor, kata, …)',
    );
  }
  return {
    ...(untrustedLabel ? { untrustedLabel } : {}),
    runtimeClassNames,
    ...(toleration ? { toleration } : {}),
    requireResources: c.bool(`${path}.requireResources`, o.requireResources, false),
  };
}

function parseRule(c: Checker, path: string, v: unknown, names: Set<string>): PolicyRule | undefined {
  const o = c.obj(path, v, ['name', 'mode', 'match', 'podSecurity', 'images', 'isolation']);
  if (!o) return undefined;
  const name = c.str(`${path}.name`, o.name, 63);
  if (name !== undefined && !NAME_RE.test(name))
    c.fail(`${path}.name`, `expected a DNS label (a-z, 0-9, -), got ${shown(name)}`);
  if (name !== undefined && names.has(name)) c.fail(`${path}.name`, `duplicate rule name ${shown(name)}`);
  if (name !== undefined) names.add(name);
  const mode = o.mode === undefined ? 'enforce' : c.oneOf<PolicyMode>(`${path}.mode`, o.mode, POLICY_MODES);
  let podSecurity: PssSetting | undefined;
  if (o.podSecurity !== undefined) {
    const s = c.str(`${path}.podSecurity`, o.podSecurity);
    const p = s === undefined ? undefined : parsePssSetting(s);
    if (typeof p === 'string') c.fail(`${path}.podSecurity`, p);
    else podSecurity = p;
  }
  const images = o.images === undefined ? undefined : parseImages(c, `${path}.images`, o.images);
  const isolation =
    o.isolation === undefined ? undefined : parseIsolation(c, `${path}.isolation`, o.isolation);
  if (o.podSecurity === undefined && o.images === undefined && o.isolation === undefined)
    c.fail(path, 'a rule needs at least one of podSecurity, images, isolation');
  if (name === undefined || mode === undefined) return undefined;
  return {
    name,
    mode,
    match: parseMatch(c, `${path}.match`, o.match),
    ...(podSecurity ? { podSecurity } : {}),
    ...(images ? { images } : {}),
    ...(isolation ? { isolation } : {}),
  };
}

function parseExemption(c: Checker, path: string, v: unknown, rules: Set<string>): Exemption | undefined {
  const o = c.obj(path, v, ['namespaces', 'users', 'images', 'rules', 'reason', 'expires']);
  if (!o) return undefined;
  const reason =
    o.reason === undefined
      ? c.fail(`${path}.reason`, 'an exemption needs a reason')
      : c.str(`${path}.reason`, o.reason);
  let expires: number | undefined;
  if (o.expires !== undefined) {
    const raw = o.expires instanceof Date ? o.expires.toISOString() : o.expires;
    const t = typeof raw === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(raw) ? Date.parse(raw) : NaN;
    if (Number.isNaN(t)) c.fail(`${path}.expires`, `expected a date like 2027-01-31, got ${shown(raw)}`);
    else expires = t;
  }
  const ruleNames = c.list(`${path}.rules`, o.rules);
  ruleNames.forEach((r, i) => {
    if (!rules.has(r)) c.fail(`${path}.rules[${i}]`, `no rule named ${shown(r)}`);
  });
  const e = {
    namespaces: c.list(`${path}.namespaces`, o.namespaces),
    users: c.list(`${path}.users`, o.users),
    images: c.list(`${path}.images`, o.images),
    rules: ruleNames,
  };
  if (e.namespaces.length + e.users.length + e.images.length === 0) {
    c.fail(path, 'an exemption names at least one of namespaces, users, images');
  }
  if (reason === undefined) return undefined;
  return { ...e, reason, ...(expires !== undefined ? { expires } : {}) };
}

/**
 * Validates a parsed policy document (the value of `policy:`); throws
 * PolicyError listing every problem with its path under `at`.
 */
export function parsePolicy(doc: unknown, at = 'policy'): Policy {
  const c = new Checker();
  const o = c.obj(at, doc ?? {}, ['rules', 'exemptions']);
  const names = new Set<string>();
  const rawRules = o?.rules === undefined ? [] : o.rules;
  const rawExemptions = o?.exemptions === undefined ? [] : o.exemptions;
  const rules: PolicyRule[] = [];
  if (!Array.isArray(rawRules)) c.fail(`${at}.rules`, `expected a list, got ${kind(rawRules)}`);
  else if (rawRules.length > POLICY_LIMITS.rules)
    c.fail(`${at}.rules`, `more than ${POLICY_LIMITS.rules} rules`);
  else
    rawRules.forEach((r, i) => {
      const rule = parseRule(c, `${at}.rules[${i}]`, r, names);
      if (rule) rules.push(rule);
    });
  const exemptions: Exemption[] = [];
  if (!Array.isArray(rawExemptions))
    c.fail(`${at}.exemptions`, `expected a list, got ${kind(rawExemptions)}`);
  else if (rawExemptions.length > POLICY_LIMITS.exemptions)
    c.fail(`${at}.exemptions`, `more than ${POLICY_LIMITS.exemptions} exemptions`);
  else
    rawExemptions.forEach((e, i) => {
      const ex = parseExemption(c, `${at}.exemptions[${i}]`, e, names);
      if (ex) exemptions.push(ex);
    });
  if (c.problems.length > 0) throw new PolicyError(c.problems);
  return { rules, exemptions };
}
