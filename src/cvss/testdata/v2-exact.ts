/**
 * The CVSS v2.0 equations (guide §3.2) evaluated in exact decimal arithmetic
 * on BigInt fixed point, rounding half away from zero like
 * round_to_1_decimal. A test oracle: it also tells whether any rounding step
 * met an exact tie (x.x5), where floating-point implementations may differ.
 */
import type { CvssV2Metrics } from '../metrics.js';

const SCALE = 10n ** 24n;
const TENTH = SCALE / 10n;

function dec(s: string): bigint {
  const [int = '0', frac = ''] = s.split('.');
  return BigInt(int) * SCALE + BigInt((frac + '0'.repeat(24)).slice(0, 24));
}

/** Product of two fixed-point numbers; exact as long as the decimals add up to at most 24. */
function mul(a: bigint, b: bigint): bigint {
  return (a * b) / SCALE;
}

const W: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  AV: { L: '0.395', A: '0.646', N: '1.0' },
  AC: { H: '0.35', M: '0.61', L: '0.71' },
  Au: { M: '0.45', S: '0.56', N: '0.704' },
  CIA: { N: '0.0', P: '0.275', C: '0.660' },
  E: { ND: '1.0', U: '0.85', POC: '0.9', F: '0.95', H: '1.00' },
  RL: { ND: '1.0', OF: '0.87', TF: '0.90', W: '0.95', U: '1.00' },
  RC: { ND: '1.0', UC: '0.90', UR: '0.95', C: '1.00' },
  CDP: { ND: '0', N: '0', L: '0.1', LM: '0.3', MH: '0.4', H: '0.5' },
  TD: { ND: '1.0', N: '0', L: '0.25', M: '0.75', H: '1.0' },
  REQ: { ND: '1.0', L: '0.5', M: '1.0', H: '1.51' },
};

function w(table: string, value: string): bigint {
  const v = W[table]?.[value];
  if (v === undefined) throw new Error(`no weight ${table}:${value}`);
  return dec(v);
}

export interface ExactV2 {
  readonly base: number;
  readonly temporal: number;
  readonly environmental: number;
  /** Some rounding step met an exact tie. */
  readonly tie: boolean;
}

export function exactV2(m: CvssV2Metrics): ExactV2 {
  let tie = false;
  const round1 = (x: bigint): bigint => {
    const a = x < 0n ? -x : x;
    const q = a / TENTH;
    const rem = a % TENTH;
    if (rem * 2n === TENTH) tie = true;
    const r = (rem * 2n >= TENTH ? q + 1n : q) * TENTH;
    return x < 0n ? -r : r;
  };
  const one = SCALE;
  const baseEquation = (adjusted: boolean): bigint => {
    const [cr, ir, ar] = adjusted ? [w('REQ', m.CR), w('REQ', m.IR), w('REQ', m.AR)] : [one, one, one];
    const keep = mul(
      mul(one - mul(w('CIA', m.C), cr), one - mul(w('CIA', m.I), ir)),
      one - mul(w('CIA', m.A), ar),
    );
    let impact = mul(dec('10.41'), one - keep);
    if (adjusted && impact > dec('10')) impact = dec('10');
    const exploitability = mul(mul(mul(dec('20'), w('AV', m.AV)), w('AC', m.AC)), w('Au', m.Au));
    const f = impact === 0n ? 0n : dec('1.176');
    return round1(mul(mul(dec('0.6'), impact) + mul(dec('0.4'), exploitability) - dec('1.5'), f));
  };
  const temporalOf = (base: bigint): bigint =>
    round1(mul(mul(mul(base, w('E', m.E)), w('RL', m.RL)), w('RC', m.RC)));
  const base = baseEquation(false);
  const temporal = temporalOf(base);
  const adjustedTemporal = temporalOf(baseEquation(true));
  const env = round1(mul(adjustedTemporal + mul(dec('10') - adjustedTemporal, w('CDP', m.CDP)), w('TD', m.TD)));
  const num = (x: bigint): number => Math.max(0, Number(x / TENTH) / 10);
  return { base: num(base), temporal: num(temporal), environmental: num(env), tie };
}
