/**
 * The detector: built-in and user rules, compiled once, evaluated per event.
 * Per event it looks only at the rules of that event's kind; facts shared by
 * rules (program names, normalised path, parent) are computed at most once.
 */
import type { Alert, AlertSeverity, ContainerEvent, ProcessInfo } from '../model/index.js';
import { compileCondition } from './condition.js';
import { execProcess, matchContext } from './context.js';
import { eventEvidence } from './evidence.js';
import { type DetectionRules, EMPTY_RULES } from './model.js';
import { readsArguments } from './programs.js';
import { BUILTIN_RULES } from './registry.js';
import {
  DETECT_EVENT_KINDS,
  type DetectableEvent,
  type DetectContext,
  type DetectEventKind,
  type Evidence,
  type MatchContext,
  type Predicate,
} from './types.js';

export interface DetectorOptions {
  /** The user's configuration, from parseDetectionRules / validateDetectionRules. */
  readonly rules?: DetectionRules;
  /** Also alert on host processes (events without a container). Off by default. */
  readonly includeHost?: boolean;
}

/** A rule as the detector runs it. */
export interface ActiveRule {
  readonly id: string;
  readonly title: string;
  /** After the user's override. */
  readonly severity: AlertSeverity;
  readonly source: 'builtin' | 'user';
  readonly events: readonly DetectEventKind[];
  readonly enabled: boolean;
}

export interface Detector {
  detect(event: ContainerEvent, context: DetectContext): Alert[];
  /**
   * Which execs like this one the rules would judge as this one, whoever
   * their parent: `argv` — those with the same file, path, arguments, uid
   * and stdio; `argv0` — also with other arguments after argv[0] (no rule
   * reads this program's arguments); `none` when a rule matches it (before
   * exceptions, which may look at the process tree) or a user rule looks at
   * execs at all (its conditions may look at anything). Built-in exec rules
   * match on the event alone. Exec compaction relies on this.
   */
  repeatable(event: ContainerEvent, context: DetectContext): 'none' | 'argv' | 'argv0';
  readonly rules: readonly ActiveRule[];
}

interface Compiled extends ActiveRule {
  readonly match: (e: DetectableEvent, ctx: MatchContext) => Evidence | undefined;
  /** Default exceptions, then the user's. */
  readonly exceptions: readonly Predicate[];
}

const MAX_TREE = 32;

function processTree(event: DetectableEvent, tree: readonly ProcessInfo[]): readonly ProcessInfo[] {
  const head = event.kind === 'exec' && tree[0]?.pid !== event.pid ? [execProcess(event)] : [];
  return [...head, ...tree].slice(0, MAX_TREE);
}

export function createDetector(options: DetectorOptions = {}): Detector {
  const cfg = options.rules ?? EMPTY_RULES;
  const disabled = new Set(cfg.disable);
  const userExceptions = new Map<string, Predicate[]>();
  for (const ex of cfg.exceptions) {
    const p = compileCondition(ex.condition);
    for (const id of ex.rules) userExceptions.set(id, [...(userExceptions.get(id) ?? []), p]);
  }
  const common = (id: string, severity: AlertSeverity) => ({
    severity: (Object.hasOwn(cfg.severity, id) ? cfg.severity[id] : undefined) ?? severity,
    enabled: !disabled.has(id),
  });
  const all: Compiled[] = [
    ...BUILTIN_RULES.map((r) => ({
      id: r.id,
      title: r.title,
      source: 'builtin' as const,
      events: r.events,
      ...common(r.id, r.severity),
      match: r.match,
      exceptions: [...r.exceptions.map((d) => d.test), ...(userExceptions.get(r.id) ?? [])],
    })),
    ...cfg.rules.map((r) => {
      const cond = compileCondition(r.condition);
      return {
        id: r.id,
        title: r.title,
        source: 'user' as const,
        events: r.events,
        ...common(r.id, r.severity),
        match: (e: DetectableEvent, ctx: MatchContext): Evidence | undefined =>
          cond(e, ctx) ? {} : undefined,
        exceptions: userExceptions.get(r.id) ?? [],
      };
    }),
  ];
  const byKind = new Map<string, readonly Compiled[]>(
    DETECT_EVENT_KINDS.map((k) => [k, all.filter((r) => r.enabled && r.events.includes(k))]),
  );
  const includeHost = options.includeHost === true;
  const userExec = all.some((r) => r.source === 'user' && r.enabled && r.events.includes('exec'));

  return {
    rules: all.map(({ id, title, severity, source, events, enabled }) => ({
      id,
      title,
      severity,
      source,
      events,
      enabled,
    })),
    repeatable(event, context) {
      if (event.kind !== 'exec' || userExec) return 'none';
      const e = event as DetectableEvent;
      const ctx = matchContext(e, context);
      if ((byKind.get('exec') ?? []).some((r) => r.match(e, ctx) !== undefined)) return 'none';
      return readsArguments(ctx.invocations()) ? 'argv' : 'argv0';
    },
    detect(event, context) {
      const rules = byKind.get(event.kind);
      if (rules === undefined || rules.length === 0) return [];
      const e = event as DetectableEvent;
      const container = context.container ?? e.container;
      if (container === undefined && !includeHost) return [];
      const ctx = matchContext(e, context);
      const alerts: Alert[] = [];
      for (const rule of rules) {
        const found = rule.match(e, ctx);
        if (found === undefined || rule.exceptions.some((ex) => ex(e, ctx))) continue;
        alerts.push({
          kind: 'alert',
          time: e.time,
          rule: rule.id,
          severity: rule.severity,
          title: rule.title,
          ...(container !== undefined ? { container } : {}),
          processTree: processTree(e, context.processTree),
          evidence: { ...eventEvidence(e), ...found },
        });
      }
      return alerts;
    },
  };
}
