/**
 * Reading the detection configuration (YAML): user rules, exceptions,
 * disabled rules, severity overrides. Every problem is reported at once
 * with its path; sizes, aliases and nesting are bounded.
 *
 * ```yaml
 * rules:
 *   - id: U001
 *     title: curl or wget in production
 *     severity: medium
 *     event: exec
 *     condition: { exe: [curl, wget], namespace: 'prod-*' }
 * exceptions:
 *   - { rule: MR001, image: 'registry.example.com/debug/*', reason: debug images }
 * disable: [MR009]
 * severity: { MR002: high }
 * ```
 */
import { parseDocument } from 'yaml';
import type { AlertSeverity } from '../model/index.js';
import { didYouMean } from '../../core/index.js';
import { at, Checker, DetectionRulesError, kind, orList, shown } from './check.js';
import { CONDITION_KEYS, conditionScope, parseCondition } from './parse-condition.js';
import { DETECT_LIMITS, type DetectionRules, type RuleException, type UserRule } from './model.js';
import { BUILTIN_RULES, RESERVED_ID_PREFIXES } from './registry.js';
import { ALERT_SEVERITIES, DETECT_EVENT_KINDS, type DetectEventKind } from './types.js';

const ID_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function list(c: Checker, path: string, v: unknown, max: number): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return c.fail(path, `expected a list, got ${kind(v)}`) ?? [];
  if (v.length > max) return c.fail(path, `more than ${max} entries`) ?? [];
  return v;
}

function parseRule(c: Checker, path: string, v: unknown, taken: Set<string>): UserRule | undefined {
  const o = c.obj(path, v, ['id', 'title', 'severity', 'description', 'event', 'condition']);
  if (!o) return undefined;
  const id = c.str(at(path, 'id'), o.id, 64);
  if (id !== undefined) {
    const reserved = RESERVED_ID_PREFIXES.find((p) => id.toUpperCase().startsWith(p));
    if (!ID_RE.test(id))
      c.fail(at(path, 'id'), `expected a letter then letters, digits, _ . or -, got ${shown(id)}`);
    else if (reserved !== undefined)
      c.fail(
        at(path, 'id'),
        `ids starting with ${orList(RESERVED_ID_PREFIXES)} are mamori's own; pick another (like U001)`,
      );
    else if (taken.has(id)) c.fail(at(path, 'id'), `duplicate rule id ${shown(id)}`);
    else taken.add(id);
  }
  const title = c.str(at(path, 'title'), o.title, 200);
  const severity = c.oneOf<AlertSeverity>(at(path, 'severity'), o.severity, ALERT_SEVERITIES);
  const description = o.description === undefined ? undefined : c.str(at(path, 'description'), o.description);
  const events = c.oneOrMany(at(path, 'event'), o.event, (p, x) =>
    c.oneOf<DetectEventKind>(p, x, DETECT_EVENT_KINDS),
  );
  const condition =
    o.condition === undefined
      ? c.fail(at(path, 'condition'), 'a rule needs a condition')
      : // With the events unreadable, the condition is still checked (for every kind).
        parseCondition(conditionScope(c, events ?? DETECT_EVENT_KINDS), at(path, 'condition'), o.condition);
  if (!id || !title || !severity || !events || !condition) return undefined;
  return {
    id,
    title,
    severity,
    ...(description ? { description } : {}),
    events: [...new Set(events)],
    condition,
  };
}

function parseException(
  c: Checker,
  path: string,
  v: unknown,
  kindsOf: ReadonlyMap<string, readonly DetectEventKind[]>,
): RuleException | undefined {
  const o = c.obj(path, v, ['rule', 'reason', ...CONDITION_KEYS]);
  if (!o) return undefined;
  const ids = [...kindsOf.keys()];
  const rules =
    o.rule === undefined
      ? c.fail(at(path, 'rule'), 'name the rule (or rules) the exception lifts')
      : c.oneOrMany(at(path, 'rule'), o.rule, (p, x) => {
          const id = c.str(p, x, 64);
          if (id !== undefined && !kindsOf.has(id))
            return c.fail(p, `no rule ${shown(id)}${didYouMean(id, ids)}`);
          return id;
        });
  const reason =
    o.reason === undefined
      ? c.fail(at(path, 'reason'), 'an exception needs a reason')
      : c.str(at(path, 'reason'), o.reason);
  if (!CONDITION_KEYS.some((k) => o[k] !== undefined)) {
    c.fail(
      path,
      `an exception needs at least one of ${CONDITION_KEYS.join(', ')} (to turn a rule off, list it under disable)`,
    );
    return undefined;
  }
  if (!rules) return undefined;
  const kinds = [...new Set(rules.flatMap((r) => kindsOf.get(r) ?? []))];
  const condition = parseCondition(conditionScope(c, kinds), path, o, 0, ['rule', 'reason']);
  if (!reason || !condition) return undefined;
  return { rules, reason, condition };
}

/**
 * Validates a parsed detection configuration; throws DetectionRulesError
 * listing every problem with its path under `prefix`.
 */
export function validateDetectionRules(doc: unknown, prefix = ''): DetectionRules {
  const c = new Checker();
  const o = c.obj(prefix, doc ?? {}, ['rules', 'exceptions', 'disable', 'severity']);
  const kindsOf = new Map<string, readonly DetectEventKind[]>(BUILTIN_RULES.map((r) => [r.id, r.events]));
  const taken = new Set<string>();
  const rules: UserRule[] = [];
  list(c, at(prefix, 'rules'), o?.rules, DETECT_LIMITS.rules).forEach((r, i) => {
    const rule = parseRule(c, at(at(prefix, 'rules'), i), r, taken);
    if (rule) {
      rules.push(rule);
      kindsOf.set(rule.id, rule.events);
    }
  });
  // Ids declared by rules that failed validation still exist for the references below.
  for (const id of taken) if (!kindsOf.has(id)) kindsOf.set(id, DETECT_EVENT_KINDS);
  const ids = [...kindsOf.keys()];
  const known = (p: string, x: unknown): string | undefined => {
    const id = c.str(p, x, 64);
    return id !== undefined && !kindsOf.has(id)
      ? c.fail(p, `no rule ${shown(id)}${didYouMean(id, ids)}`)
      : id;
  };
  const exceptions: RuleException[] = [];
  list(c, at(prefix, 'exceptions'), o?.exceptions, DETECT_LIMITS.exceptions).forEach((e, i) => {
    const ex = parseException(c, at(at(prefix, 'exceptions'), i), e, kindsOf);
    if (ex) exceptions.push(ex);
  });
  const disable = list(c, at(prefix, 'disable'), o?.disable, DETECT_LIMITS.list).flatMap((x, i) => {
    const id = known(at(at(prefix, 'disable'), i), x);
    return id === undefined ? [] : [id];
  });
  const severity: Record<string, AlertSeverity> = {};
  if (o?.severity !== undefined) {
    const s = c.obj(at(prefix, 'severity'), o.severity, Object.keys((o.severity as object | null) ?? {}));
    const entries = Object.entries(s ?? {});
    if (entries.length > DETECT_LIMITS.list)
      c.fail(at(prefix, 'severity'), `more than ${DETECT_LIMITS.list} entries`);
    else
      for (const [id, v] of entries) {
        const p = at(at(prefix, 'severity'), id);
        const sev = known(p, id) === undefined ? undefined : c.oneOf<AlertSeverity>(p, v, ALERT_SEVERITIES);
        if (sev) severity[id] = sev;
      }
  }
  if (c.problems.length > 0) throw new DetectionRulesError(c.problems);
  return { rules, exceptions, disable: [...new Set(disable)], severity };
}

/**
 * Parses detection rules from YAML text (YAML 1.2 core schema, one
 * document, no duplicate keys, aliases and size bounded) and validates them.
 * `source` names the file in messages.
 */
export function parseDetectionRules(text: string, source = 'detection rules'): DetectionRules {
  const fail = (why: string): DetectionRulesError =>
    new DetectionRulesError([`${source}: ${why.split('\n')[0]?.slice(0, 300) ?? ''}`]);
  if (text.length > DETECT_LIMITS.bytes || Buffer.byteLength(text) > DETECT_LIMITS.bytes)
    throw fail(`larger than ${DETECT_LIMITS.bytes} bytes`);
  let value: unknown;
  try {
    const doc = parseDocument(text, {
      version: '1.2',
      schema: 'core',
      uniqueKeys: true,
      prettyErrors: false,
    });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem && /call stack/i.test(problem.message)) throw fail('nested too deeply to read: refused');
    if (problem) throw fail(`not valid YAML: ${problem.message}`);
    value = doc.toJS({ maxAliasCount: DETECT_LIMITS.aliases });
  } catch (e) {
    if (e instanceof DetectionRulesError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/alias/i.test(msg))
      throw fail(`too many YAML aliases (more than ${DETECT_LIMITS.aliases} expansions): refused`);
    if (e instanceof RangeError || /call stack/i.test(msg)) throw fail('nested too deeply to read: refused');
    throw fail(`not valid YAML: ${msg}`);
  }
  return validateDetectionRules(value ?? {});
}
