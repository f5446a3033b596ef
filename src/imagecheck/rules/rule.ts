/** The shape of an image rule and what rules share. */
import type { SeverityLevel } from '../../core/index.js';
import type { CheckContext } from '../context.js';
import type { ImageHit } from '../types.js';
import { shown } from '../config.js';

export interface ImageRule {
  /** Stable id: `MI` and three digits, or the Dockerfile rule's `MD` id for rules run on the history. */
  readonly id: string;
  readonly title: string;
  readonly severity: SeverityLevel;
  /** One line: why it matters. */
  readonly rationale: string;
  /** One line: how to fix it (a hit may give a more concrete one). */
  readonly fix: string;
  /** The Dockle / CIS Docker Benchmark / Trivy checks it covers (`CIS-DI-0001`, `DS002`). */
  readonly covers: readonly string[];
  readonly references: readonly string[];
  readonly check: (ctx: CheckContext) => Iterable<ImageHit>;
}

export const DOCKLE = 'https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md';
export const CIS_DOCKER = 'https://www.cisecurity.org/benchmark/docker';
export const AVD = 'https://avd.aquasec.com/misconfig/';
export const DOCKERFILE_REF = 'https://docs.docker.com/reference/dockerfile/';

/** `a, b, c and 3 more`: a bounded list for evidence. */
export function listed(items: readonly string[], max = 8): string {
  const head = items.slice(0, max).join(', ');
  return items.length > max ? `${head} and ${items.length - max} more` : head;
}

export function mib(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `layer 2 (COPY app /app)`: a layer with the instruction that made it, where the history records one. */
export function layerNote(ctx: CheckContext, index: number): string {
  const ins = ctx.history.find((h) => h.layer?.index === index)?.instruction;
  return ins === undefined ? `layer ${index}` : `layer ${index} (${shown(ins, 60)})`;
}
