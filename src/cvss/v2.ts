/**
 * CVSS v2.0 scores (https://www.first.org/cvss/v2/guide §3.2, equations
 * 3.2.1–3.2.3). Scores are rounded half up to one decimal, as the guide's
 * round_to_1_decimal; ties are decided on the decimal value the equations
 * mean, not on a binary approximation one unit in the last place below it.
 */
import type { CvssV2Vector } from './types.js';

const AV = { L: 0.395, A: 0.646, N: 1 } as const;
const AC = { H: 0.35, M: 0.61, L: 0.71 } as const;
const AU = { M: 0.45, S: 0.56, N: 0.704 } as const;
const CIA = { N: 0, P: 0.275, C: 0.66 } as const;
const E = { ND: 1, U: 0.85, POC: 0.9, F: 0.95, H: 1 } as const;
const RL = { ND: 1, OF: 0.87, TF: 0.9, W: 0.95, U: 1 } as const;
const RC = { ND: 1, UC: 0.9, UR: 0.95, C: 1 } as const;
const CDP = { ND: 0, N: 0, L: 0.1, LM: 0.3, MH: 0.4, H: 0.5 } as const;
const TD = { ND: 1, N: 0, L: 0.25, M: 0.75, H: 1 } as const;
const REQ = { ND: 1, L: 0.5, M: 1, H: 1.51 } as const;

/**
 * round_to_1_decimal: to the nearest tenth, ties away from zero. The inputs
 * are sums and products of decimals with few digits, so a value within 1e-9
 * of a tie is that tie.
 */
export function round1(x: number): number {
  const r = Math.floor(Math.abs(x) * 10 + 0.5 + 1e-9) / 10;
  return x < 0 ? -r : r;
}

export interface V2Scores {
  readonly base: number;
  readonly temporal: number;
  readonly environmental: number;
}

/**
 * BaseScore equation 3.2.1; with Security Requirements (`adjusted`), the
 * same with AdjustedImpact, which alone is capped at 10 (equation 3.2.3).
 */
function baseEquation(m: CvssV2Vector['metrics'], adjusted: boolean): number {
  const [cr, ir, ar] = adjusted ? [REQ[m.CR], REQ[m.IR], REQ[m.AR]] : [1, 1, 1];
  const raw = 10.41 * (1 - (1 - CIA[m.C] * cr) * (1 - CIA[m.I] * ir) * (1 - CIA[m.A] * ar));
  const impact = adjusted ? Math.min(10, raw) : raw;
  const exploitability = 20 * AV[m.AV] * AC[m.AC] * AU[m.Au];
  const f = impact === 0 ? 0 : 1.176;
  return round1((0.6 * impact + 0.4 * exploitability - 1.5) * f);
}

/**
 * Base, Temporal and Environmental scores of a v2 vector (optional metrics
 * "ND" where absent). A low Security Requirement can drive the adjusted
 * equations below zero; the intermediate values keep their sign and the
 * published scores are floored at 0.
 */
export function scoreV2(vector: CvssV2Vector): V2Scores {
  const m = vector.metrics;
  const temporalFactor = (score: number): number => round1(score * E[m.E] * RL[m.RL] * RC[m.RC]);
  const base = baseEquation(m, false);
  const temporal = temporalFactor(base);
  const adjustedTemporal = temporalFactor(baseEquation(m, true));
  const environmental = round1((adjustedTemporal + (10 - adjustedTemporal) * CDP[m.CDP]) * TD[m.TD]);
  return {
    base: Math.max(0, base),
    temporal: Math.max(0, temporal),
    environmental: Math.max(0, environmental),
  };
}
