/**
 * CVSS v3.0 and v3.1 scores (https://www.first.org/cvss/v3.1/specification-document
 * §7 and Appendix A; v3.0 specification §8). The arithmetic is done in the
 * order FIRST's reference calculators use, so that floating-point results,
 * and therefore rounding, agree with them.
 */
import type { CvssV3Vector } from './types.js';

const AV = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 } as const;
const AC = { L: 0.77, H: 0.44 } as const;
const PR_UNCHANGED = { N: 0.85, L: 0.62, H: 0.27 } as const;
const PR_CHANGED = { N: 0.85, L: 0.68, H: 0.5 } as const;
const UI = { N: 0.85, R: 0.62 } as const;
const CIA = { H: 0.56, L: 0.22, N: 0 } as const;
const E = { X: 1, H: 1, F: 0.97, P: 0.94, U: 0.91 } as const;
const RL = { X: 1, U: 1, W: 0.97, T: 0.96, O: 0.95 } as const;
const RC = { X: 1, C: 1, R: 0.96, U: 0.92 } as const;
const REQ = { X: 1, H: 1.5, M: 1, L: 0.5 } as const;

/**
 * v3.1 Roundup (Appendix A): the smallest number with one decimal that is
 * equal to or higher than its input, computed on an integer so that
 * floating-point noise below 0.00001 does not push a score up a tenth.
 */
export function roundup31(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

/** v3.0 Round up, as its specification and reference calculator define it: ceil to one decimal. */
export function roundup30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

export interface V3Scores {
  readonly base: number;
  readonly temporal: number;
  readonly environmental: number;
}

/** Base, Temporal and Environmental scores of a v3.0 or v3.1 vector (optional metrics "X" where absent). */
export function scoreV3(vector: CvssV3Vector): V3Scores {
  const m = vector.metrics;
  const v31 = vector.version === '3.1';
  const roundup = v31 ? roundup31 : roundup30;

  const changed = m.S === 'C';
  const iss = 1 - (1 - CIA[m.C]) * (1 - CIA[m.I]) * (1 - CIA[m.A]);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const pr = (changed ? PR_CHANGED : PR_UNCHANGED)[m.PR];
  const exploitability = 8.22 * AV[m.AV] * AC[m.AC] * pr * UI[m.UI];
  let base = 0;
  if (impact > 0) {
    base = roundup(Math.min(changed ? (impact + exploitability) * 1.08 : impact + exploitability, 10));
  }

  const temporal = roundup(base * E[m.E] * RL[m.RL] * RC[m.RC]);

  const mChanged = (m.MS === 'X' ? m.S : m.MS) === 'C';
  const mc = CIA[m.MC === 'X' ? m.C : m.MC];
  const mi = CIA[m.MI === 'X' ? m.I : m.MI];
  const ma = CIA[m.MA === 'X' ? m.A : m.MA];
  const miss = Math.min(1 - (1 - mc * REQ[m.CR]) * (1 - mi * REQ[m.IR]) * (1 - ma * REQ[m.AR]), 0.915);
  let mImpact: number;
  if (!mChanged) mImpact = 6.42 * miss;
  else if (v31) mImpact = 7.52 * (miss - 0.029) - 3.25 * Math.pow(miss * 0.9731 - 0.02, 13);
  else mImpact = 7.52 * (miss - 0.029) - 3.25 * Math.pow(miss - 0.02, 15);
  const mpr = (mChanged ? PR_CHANGED : PR_UNCHANGED)[m.MPR === 'X' ? m.PR : m.MPR];
  const mExploitability =
    8.22 *
    AV[m.MAV === 'X' ? m.AV : m.MAV] *
    AC[m.MAC === 'X' ? m.AC : m.MAC] *
    mpr *
    UI[m.MUI === 'X' ? m.UI : m.MUI];
  let environmental = 0;
  if (mImpact > 0) {
    const inner = mChanged ? 1.08 * (mImpact + mExploitability) : mImpact + mExploitability;
    environmental = roundup(roundup(Math.min(inner, 10)) * E[m.E] * RL[m.RL] * RC[m.RC]);
  }
  return { base, temporal, environmental };
}
