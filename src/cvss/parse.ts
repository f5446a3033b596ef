import { MamoriError } from '../core/errors.js';
import { V2_GRAMMAR, V3_GRAMMAR, V4_GRAMMAR, type Grammar } from './metrics.js';
import type { CvssVector, CvssVersion } from './types.js';

/**
 * Longest vector string accepted. The longest valid one (CVSS v4.0 with every
 * metric defined, Provider Urgency "Amber") is under 200 characters.
 */
export const MAX_VECTOR_LENGTH = 256;

const PREFIXES: Readonly<Record<string, { version: CvssVersion; grammar: Grammar }>> = {
  'CVSS:3.0': { version: '3.0', grammar: V3_GRAMMAR },
  'CVSS:3.1': { version: '3.1', grammar: V3_GRAMMAR },
  'CVSS:4.0': { version: '4.0', grammar: V4_GRAMMAR },
};

const COMPONENT = /^([A-Za-z]{1,3}):([A-Za-z]{1,5})$/;

function invalid(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', message);
}

/** A piece of untrusted input, quoted and cut short so that it is safe to print. */
function quote(s: string): string {
  return JSON.stringify(s.length > 24 ? `${s.slice(0, 24)}…` : s);
}

/**
 * Checks the metric components of a vector (the part after the prefix)
 * against a version's grammar: each `NAME:VALUE`, names known, each at most
 * once, values among the metric's values, every Base metric present. The
 * specifications list metrics in a fixed order, but vectors in the wild
 * (advisory feeds) do not always keep it, so any order is accepted.
 */
function parseComponents(body: string, grammar: Grammar): Record<string, string> {
  const { label, table, mandatory, notDefined } = grammar;
  const names = Object.keys(table);
  const seen = new Map<string, string>();
  const parts = body.split('/');
  for (const [i, part] of parts.entries()) {
    const m = COMPONENT.exec(part);
    if (!m) {
      throw invalid(
        part === ''
          ? `${label} vector has an empty metric at position ${i + 1}`
          : `${label} vector has a malformed metric ${quote(part)} at position ${i + 1} (expected NAME:VALUE)`,
      );
    }
    const name = m[1] as string;
    const value = m[2] as string;
    const allowed = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!allowed) throw invalid(`${label} vector has an unknown metric ${quote(name)}`);
    if (seen.has(name)) throw invalid(`${label} vector defines metric ${name} more than once`);
    if (!allowed.includes(value)) {
      throw invalid(
        `${label} vector has an invalid value ${quote(value)} for metric ${name} (expected one of ${allowed.join(', ')})`,
      );
    }
    seen.set(name, value);
  }
  const missing = names.slice(0, mandatory).filter((n) => !seen.has(n));
  if (missing.length > 0) {
    throw invalid(
      `${label} vector lacks mandatory Base metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    );
  }
  const out: Record<string, string> = {};
  for (const n of names) out[n] = seen.get(n) ?? notDefined;
  return out;
}

/**
 * Parses and validates a CVSS vector string: `CVSS:3.0/…`, `CVSS:3.1/…`,
 * `CVSS:4.0/…`, or a CVSS v2 vector `AV:N/AC:L/Au:N/C:P/I:P/A:P`, bare or in
 * parentheses. Grammar is strict (case-sensitive names and values, no
 * whitespace); anything else throws MamoriError INVALID_ARGUMENT naming the
 * offending metric.
 */
export function parseCvss(vector: string): CvssVector {
  if (typeof vector !== 'string') throw invalid('CVSS vector must be a string');
  if (vector.length === 0) throw invalid('CVSS vector is empty');
  if (vector.length > MAX_VECTOR_LENGTH) {
    throw invalid(`CVSS vector is too long (${vector.length} characters, at most ${MAX_VECTOR_LENGTH})`);
  }
  if (vector.startsWith('CVSS:')) {
    const slash = vector.indexOf('/');
    const prefix = slash === -1 ? vector : vector.slice(0, slash);
    const known = Object.hasOwn(PREFIXES, prefix) ? PREFIXES[prefix] : undefined;
    if (!known) throw invalid(`unsupported CVSS version prefix ${quote(prefix)}`);
    if (slash === -1) throw invalid(`${known.grammar.label} vector has no metrics`);
    const metrics = parseComponents(vector.slice(slash + 1), known.grammar);
    return Object.freeze({ version: known.version, metrics: Object.freeze(metrics) }) as CvssVector;
  }
  let body = vector;
  if (vector.startsWith('(')) {
    if (!vector.endsWith(')')) throw invalid('CVSS v2 vector has an unclosed "("');
    body = vector.slice(1, -1);
  }
  const first = /^([A-Za-z]{1,3}):/.exec(body)?.[1];
  if (first === undefined || !Object.hasOwn(V2_GRAMMAR.table, first)) {
    throw invalid(
      'not a CVSS vector: expected a CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ prefix, or a CVSS v2 vector such as AV:N/AC:L/Au:N/C:P/I:P/A:P',
    );
  }
  const metrics = parseComponents(body, V2_GRAMMAR);
  return Object.freeze({ version: '2.0', metrics: Object.freeze(metrics) }) as CvssVector;
}

/** The normalised string of a vector: specification order, "Not Defined" metrics left out, no parentheses. */
export function formatCvss(vector: CvssVector): string {
  const grammar = vector.version === '2.0' ? V2_GRAMMAR : vector.version === '4.0' ? V4_GRAMMAR : V3_GRAMMAR;
  const metrics: Readonly<Record<string, string>> = vector.metrics;
  const parts: string[] = [];
  if (vector.version !== '2.0') parts.push(`CVSS:${vector.version}`);
  for (const name of Object.keys(grammar.table)) {
    const value = metrics[name];
    if (value !== undefined && value !== grammar.notDefined) parts.push(`${name}:${value}`);
  }
  return parts.join('/');
}
