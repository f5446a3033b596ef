/**
 * CVSS v4.0 scores (https://www.first.org/cvss/v4.0/specification-document,
 * "CVSS v4.0 Scoring"). A vector falls into a MacroVector, the combination of
 * its levels in six equivalence classes EQ1–EQ6, whose score is looked up.
 * The vector's score is that score lowered by the mean, over the classes
 * that have a next lower MacroVector, of: the score drop to that MacroVector
 * times the vector's severity distance from the highest-severity vector of
 * its class, as a proportion of the class's depth.
 *
 * All of it is done on integers (scores in tenths, distances in steps of
 * 0.1, the mean as an exact fraction), so the final rounding to one decimal,
 * half up, is decided on the exact value.
 */
import { MamoriError } from '../core/errors.js';
import type { CvssV4Metrics } from './metrics.js';
import { MACROVECTOR_SCORES, MAX_COMPOSED, MAX_SEVERITY } from './v4-data.js';

/** Metrics that take part in scoring. */
type ScoredMetric =
  'AV' | 'AC' | 'AT' | 'PR' | 'UI' | 'VC' | 'VI' | 'VA' | 'SC' | 'SI' | 'SA' | 'E' | 'CR' | 'IR' | 'AR';

/** Effective value of each metric that takes part in scoring. */
type Effective = Readonly<Record<ScoredMetric, string>>;

/** Severity of each metric value in steps of 0.1, 0 the most severe. */
const LEVELS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  AV: { N: 0, A: 1, L: 2, P: 3 },
  PR: { N: 0, L: 1, H: 2 },
  UI: { N: 0, P: 1, A: 2 },
  AC: { L: 0, H: 1 },
  AT: { N: 0, P: 1 },
  VC: { H: 0, L: 1, N: 2 },
  VI: { H: 0, L: 1, N: 2 },
  VA: { H: 0, L: 1, N: 2 },
  SC: { H: 1, L: 2, N: 3 },
  SI: { S: 0, H: 1, L: 2, N: 3 },
  SA: { S: 0, H: 1, L: 2, N: 3 },
  CR: { H: 0, M: 1, L: 2 },
  IR: { H: 0, M: 1, L: 2 },
  AR: { H: 0, M: 1, L: 2 },
};

/** Metrics whose severity distances make up each class's distance (EQ5 has none: its distance is 0). */
const CLASS_METRICS = {
  eq1: ['AV', 'PR', 'UI'],
  eq2: ['AC', 'AT'],
  eq3eq6: ['VC', 'VI', 'VA', 'CR', 'IR', 'AR'],
  eq4: ['SC', 'SI', 'SA'],
} as const;

type MaxVector = Readonly<Record<string, string>>;
type ByLevel<T> = Readonly<Record<number, T>>;

function parseMaxVector(s: string): MaxVector {
  const out: Record<string, string> = {};
  for (const part of s.split('/')) {
    const [name, value] = part.split(':');
    if (name && value) out[name] = value;
  }
  return Object.freeze(out);
}

function parseLevels(table: ByLevel<readonly string[]>): ByLevel<readonly MaxVector[]> {
  return Object.freeze(Object.fromEntries(Object.entries(table).map(([k, v]) => [k, v.map(parseMaxVector)])));
}

/** The highest-severity vectors of MAX_COMPOSED, parsed once. */
const HIGHEST = {
  eq1: parseLevels(MAX_COMPOSED.eq1),
  eq2: parseLevels(MAX_COMPOSED.eq2),
  eq4: parseLevels(MAX_COMPOSED.eq4),
  eq3eq6: Object.freeze(
    Object.fromEntries(Object.entries(MAX_COMPOSED.eq3eq6).map(([k, v]) => [k, parseLevels(v)])),
  ) as ByLevel<ByLevel<readonly MaxVector[]>>,
};

const DEPTH: {
  readonly eq1: ByLevel<number>;
  readonly eq2: ByLevel<number>;
  readonly eq4: ByLevel<number>;
  readonly eq3eq6: ByLevel<ByLevel<number>>;
} = MAX_SEVERITY;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Common multiple of every class depth, so that each proportion is a whole number of 1/DEPTH_LCM. */
const DEPTH_LCM = [DEPTH.eq1, DEPTH.eq2, DEPTH.eq4, ...Object.values(DEPTH.eq3eq6)]
  .flatMap((levels) => Object.values(levels))
  .reduce((acc, d) => (acc * d) / gcd(acc, d), 1);

function internal(message: string): MamoriError {
  return new MamoriError('INTERNAL', `CVSS v4.0 scoring: ${message}`);
}

/**
 * The values scoring uses: a Modified metric replaces its Base metric, and
 * undefined Threat and Security Requirement metrics take their most severe
 * value (E:A, CR/IR/AR:H). With `base` only the Base metrics count (CVSS-B).
 */
function effectiveValues(m: CvssV4Metrics, base: boolean): Effective {
  const mod = (b: string, modified: string): string => (base || modified === 'X' ? b : modified);
  const worst = (v: string, dflt: string): string => (base || v === 'X' ? dflt : v);
  return {
    AV: mod(m.AV, m.MAV),
    AC: mod(m.AC, m.MAC),
    AT: mod(m.AT, m.MAT),
    PR: mod(m.PR, m.MPR),
    UI: mod(m.UI, m.MUI),
    VC: mod(m.VC, m.MVC),
    VI: mod(m.VI, m.MVI),
    VA: mod(m.VA, m.MVA),
    SC: mod(m.SC, m.MSC),
    SI: mod(m.SI, m.MSI),
    SA: mod(m.SA, m.MSA),
    E: worst(m.E, 'A'),
    CR: worst(m.CR, 'H'),
    IR: worst(m.IR, 'H'),
    AR: worst(m.AR, 'H'),
  };
}

/** Levels of the six equivalence classes EQ1…EQ6, as the specification defines them. */
function macroVector(x: Effective): readonly [number, number, number, number, number, number] {
  const eq1 =
    x.AV === 'N' && x.PR === 'N' && x.UI === 'N'
      ? 0
      : (x.AV === 'N' || x.PR === 'N' || x.UI === 'N') && x.AV !== 'P'
        ? 1
        : 2;
  const eq2 = x.AC === 'L' && x.AT === 'N' ? 0 : 1;
  const eq3 = x.VC === 'H' && x.VI === 'H' ? 0 : x.VC === 'H' || x.VI === 'H' || x.VA === 'H' ? 1 : 2;
  const eq4 = x.SI === 'S' || x.SA === 'S' ? 0 : x.SC === 'H' || x.SI === 'H' || x.SA === 'H' ? 1 : 2;
  const eq5 = x.E === 'A' ? 0 : x.E === 'P' ? 1 : 2;
  const eq6 =
    (x.CR === 'H' && x.VC === 'H') || (x.IR === 'H' && x.VI === 'H') || (x.AR === 'H' && x.VA === 'H')
      ? 0
      : 1;
  return [eq1, eq2, eq3, eq4, eq5, eq6];
}

/** Score of a MacroVector in tenths, or undefined when no such MacroVector exists. */
function lookup(eq: readonly number[]): number | undefined {
  const key = eq.join('');
  if (!Object.hasOwn(MACROVECTOR_SCORES, key)) return undefined;
  return Math.round((MACROVECTOR_SCORES[key] as number) * 10);
}

function withLevel(eq: readonly number[], index: number, level: number): number[] {
  const next = [...eq];
  next[index] = level;
  return next;
}

/** Score in tenths of the next lower MacroVector in EQ3 and EQ6 together, the higher one where there are two. */
function lowerEq3Eq6(eq: readonly number[]): number | undefined {
  const [eq3, eq6] = [eq[2], eq[5]];
  if (eq3 === 0 && eq6 === 0) {
    const a = lookup(withLevel(eq, 5, 1));
    const b = lookup(withLevel(eq, 2, 1));
    return a === undefined ? b : b === undefined ? a : Math.max(a, b);
  }
  if (eq3 === 1 && eq6 === 0) return lookup(withLevel(eq, 5, 1));
  return lookup(withLevel(eq, 2, (eq3 ?? 0) + 1));
}

/**
 * Severity distance of the vector from the first highest-severity vector of
 * its class level that is at least as severe in every metric.
 */
function classDistance(
  x: Effective,
  metrics: readonly ScoredMetric[],
  candidates: readonly MaxVector[],
): number {
  for (const max of candidates) {
    let total = 0;
    let dominates = true;
    for (const metric of metrics) {
      const levels = LEVELS[metric] ?? {};
      const d = (levels[x[metric]] ?? NaN) - (levels[max[metric] ?? ''] ?? NaN);
      if (!(d >= 0)) {
        dominates = false;
        break;
      }
      total += d;
    }
    if (dominates) return total;
  }
  throw internal('no highest-severity vector dominates the vector');
}

/**
 * CVSS v4.0 score of a vector. With `base` true only the Base metrics count
 * (CVSS-B); otherwise every metric the vector defines does (CVSS-BT, -BE, -BTE).
 */
export function scoreV4(metrics: CvssV4Metrics, base: boolean): number {
  const x = effectiveValues(metrics, base);
  if ([x.VC, x.VI, x.VA, x.SC, x.SI, x.SA].every((v) => v === 'N')) return 0;
  const eq = macroVector(x);
  const value = lookup(eq);
  if (value === undefined) throw internal(`no score for MacroVector ${eq.join('')}`);
  const [eq1, eq2, eq3, eq4, eq5, eq6] = eq;

  const classes = [
    {
      lower: lookup(withLevel(eq, 0, eq1 + 1)),
      metrics: CLASS_METRICS.eq1,
      max: HIGHEST.eq1[eq1],
      depth: DEPTH.eq1[eq1],
    },
    {
      lower: lookup(withLevel(eq, 1, eq2 + 1)),
      metrics: CLASS_METRICS.eq2,
      max: HIGHEST.eq2[eq2],
      depth: DEPTH.eq2[eq2],
    },
    {
      lower: lowerEq3Eq6(eq),
      metrics: CLASS_METRICS.eq3eq6,
      max: HIGHEST.eq3eq6[eq3]?.[eq6],
      depth: DEPTH.eq3eq6[eq3]?.[eq6],
    },
    {
      lower: lookup(withLevel(eq, 3, eq4 + 1)),
      metrics: CLASS_METRICS.eq4,
      max: HIGHEST.eq4[eq4],
      depth: DEPTH.eq4[eq4],
    },
  ];

  // Sum of the proportional distances, in units of 1/DEPTH_LCM of a tenth.
  let drop = 0;
  let existing = 0;
  for (const c of classes) {
    if (c.lower === undefined) continue;
    if (c.max === undefined || c.depth === undefined)
      throw internal(`no highest-severity data for ${eq.join('')}`);
    existing += 1;
    drop += (value - c.lower) * classDistance(x, c.metrics, c.max) * (DEPTH_LCM / c.depth);
  }
  // EQ5 counts towards the mean when a lower MacroVector exists, with a distance of 0.
  if (lookup(withLevel(eq, 4, eq5 + 1)) !== undefined) existing += 1;

  // score = value − drop / (existing · DEPTH_LCM), clamped to [0, 10], rounded half up to a tenth.
  const den = Math.max(existing, 1) * DEPTH_LCM;
  const exact = Math.min(Math.max(value * den - drop, 0), 100 * den);
  return Math.floor((2 * exact + den) / (2 * den)) / 10;
}
