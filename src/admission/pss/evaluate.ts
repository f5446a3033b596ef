/**
 * Evaluates a pod (spec plus metadata) against a Pod Security Standards
 * level pinned to a Kubernetes version, as Pod Security Admission does.
 */
import { MamoriError } from '../../core/errors.js';
import { BASELINE_CHECKS } from './baseline.js';
import type { Check } from './check.js';
import { buildContext, isObject } from './context.js';
import type { Violation } from './context.js';
import { RESTRICTED_CHECKS } from './restricted.js';
import { minorOf, parseVersion } from './version.js';
import type { PssLevel, PssPolicy, PssVersion } from './version.js';

/** A pod spec with the metadata (annotations) of the same pod or template. */
export interface PodSpecWithMetadata {
  readonly spec: unknown;
  readonly metadata?: unknown;
  /** Field path of `spec` in the object; default `spec`. */
  readonly specPath?: string;
  /** Field path of `metadata` in the object; default `metadata`. */
  readonly metadataPath?: string;
}

export interface PssControl {
  readonly id: string;
  readonly level: PssLevel;
  /** First minor version (1.N) the control applies from. */
  readonly since: number;
}

/** Every modelled control, Baseline first. */
export const PSS_CONTROLS: readonly PssControl[] = Object.freeze(
  [...BASELINE_CHECKS, ...RESTRICTED_CHECKS].map((c) =>
    Object.freeze({ id: c.id, level: c.level, since: c.since }),
  ),
);

/** The checks that apply to a level at a minor version, with PSA's overrides applied. */
function checksFor(level: PssLevel, minor: number): Check[] {
  const restricted = level === 'restricted' ? RESTRICTED_CHECKS.filter((c) => minor >= c.since) : [];
  const overridden = new Set(restricted.map((c) => c.overrides).filter((o): o is string => o !== undefined));
  const baseline = BASELINE_CHECKS.filter((c) => minor >= c.since && !overridden.has(c.id));
  return [...baseline, ...restricted];
}

/**
 * Every violation of `level` at `version` (default `latest`). An empty list
 * means the pod is allowed. Throws MamoriError (INVALID_ARGUMENT) when the
 * spec is not an object or the level or version is unknown.
 */
export function evaluatePodSecurity(
  pod: PodSpecWithMetadata,
  policy: { level: PssLevel; version?: PssVersion | string } | PssPolicy,
): Violation[] {
  if (!isObject(pod) || !isObject(pod.spec)) {
    throw new MamoriError('INVALID_ARGUMENT', 'pod security: the pod spec must be an object');
  }
  if (policy.level !== 'baseline' && policy.level !== 'restricted') {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `pod security: unknown level "${String(policy.level).slice(0, 64)}"`,
    );
  }
  const minor = minorOf(parseVersion(policy.version ?? 'latest'));
  const ctx = buildContext(
    pod.spec,
    isObject(pod.metadata) ? pod.metadata : {},
    typeof pod.specPath === 'string' ? pod.specPath : 'spec',
    typeof pod.metadataPath === 'string' ? pod.metadataPath : 'metadata',
    minor,
  );
  return checksFor(policy.level, minor).flatMap((c) => c.run(ctx));
}
