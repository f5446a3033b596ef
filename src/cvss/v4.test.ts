/**
 * CVSS v4.0 scores against the reference calculator's own values (a fixture
 * covering every MacroVector and the rounding ties) and against
 * ae-cvss-calculator, an independent implementation, on every combination of
 * each equivalence class's metrics and thousands of random vectors.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ae from 'ae-cvss-calculator';
import fc from 'fast-check';
import { cvssScore, parseCvss } from './index.js';
import { V4_METRICS } from './metrics.js';
import { MACROVECTOR_SCORES } from './v4-data.js';
import { vectorArb } from './testdata/arbitraries.js';

const { Cvss4P0 } = ae;
const seed = randomInt(2 ** 31);

/** Score of a vector by ae-cvss-calculator. */
function theirs(vector: string): number {
  return new Cvss4P0(vector).calculateScores().overall;
}

function reference(): [string, number][] {
  return readFileSync(new URL('./testdata/v4-reference.tsv', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [v, s] = l.split('\t');
      return [v ?? '', Number(s)];
    });
}

const BASE = 'AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

describe('CVSS v4.0 scores', () => {
  it('equal the reference calculator’s on one vector of every MacroVector and on the rounding ties', () => {
    const rows = reference();
    assert.ok(rows.length >= 370);
    for (const [vector, score] of rows) assert.equal(cvssScore(vector).score, score, vector);
  });

  it('include the examples whose exact score is a tie, rounded half up', () => {
    // 0.35 → 0.4 and 8.95 → 9.0 (RedHatProductSecurity/cvss-v4-calculator#48), 8.55 → 8.6 (#66).
    assert.equal(cvssScore('CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U').score, 0.4);
    const critical = cvssScore('CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P');
    assert.equal(critical.score, 9);
    assert.equal(critical.scoreSeverity, 'Critical');
    assert.equal(cvssScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H').score, 8.6);
  });

  it('match well-known Base scores', () => {
    const known: [string, number][] = [
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10],
      [`CVSS:4.0/${BASE}`, 9.3],
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N', 6.9],
      ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5],
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0],
    ];
    for (const [v, s] of known) assert.equal(cvssScore(v).baseScore, s, v);
  });

  it('name the score by the metric groups the vector defines; CVSS-B ignores Threat and Environmental', () => {
    const b = cvssScore(`CVSS:4.0/${BASE}/S:P/AU:Y/U:Red`);
    assert.deepEqual(
      [b.nomenclature, b.baseScore, b.score, b.severity],
      ['CVSS-B', 9.3, 9.3, 'Critical'],
      'Supplemental metrics do not change the score',
    );
    const bt = cvssScore(`CVSS:4.0/${BASE}/E:U`);
    assert.deepEqual(
      [bt.nomenclature, bt.baseScore, bt.score, bt.scoreSeverity],
      ['CVSS-BT', 9.3, 8.1, 'High'],
    );
    const be = cvssScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MVC:H');
    assert.deepEqual([be.nomenclature, be.baseScore, be.severity, be.score], ['CVSS-BE', 0, 'None', 8.7]);
    const bte = cvssScore(`CVSS:4.0/${BASE}/E:P/CR:L`);
    assert.equal(bte.nomenclature, 'CVSS-BTE');
    assert.equal(cvssScore(`CVSS:4.0/${BASE}/E:X/CR:X/MAV:X`).nomenclature, 'CVSS-B', 'X is not defined');
  });

  it('have a score for each of the 270 MacroVectors that exist, and for no other', () => {
    const keys = Object.keys(MACROVECTOR_SCORES).sort();
    const expected: string[] = [];
    for (const eq1 of [0, 1, 2])
      for (const eq2 of [0, 1])
        for (const eq3 of [0, 1, 2])
          for (const eq4 of [0, 1, 2])
            for (const eq5 of [0, 1, 2])
              for (const eq6 of [0, 1])
                if (!(eq3 === 2 && eq6 === 0)) expected.push(`${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`);
    assert.deepEqual(keys, expected.sort());
    for (const k of keys) {
      const s = MACROVECTOR_SCORES[k] ?? -1;
      assert.ok(s >= 0 && s <= 10 && Math.round(s * 10) === s * 10, `${k}: ${s}`);
    }
  });
});

/** Vectors that take the metrics of one equivalence class through all their values, Modified ones too. */
function classSweeps(): string[] {
  const values = (m: keyof typeof V4_METRICS): readonly string[] => V4_METRICS[m];
  const sweep = (metrics: (keyof typeof V4_METRICS)[], rest: Record<string, string>): string[] => {
    let out: Record<string, string>[] = [rest];
    for (const m of metrics) out = out.flatMap((o) => values(m).map((v) => ({ ...o, [m]: v })));
    const order = Object.keys(V4_METRICS);
    return out.map(
      (o) =>
        `CVSS:4.0/${order
          .filter((k) => o[k] !== undefined && o[k] !== 'X')
          .map((k) => `${k}:${o[k]}`)
          .join('/')}`,
    );
  };
  const base = Object.fromEntries(BASE.split('/').map((c) => c.split(':') as [string, string]));
  return [
    ...sweep(['AV', 'PR', 'UI'], { ...base, AT: 'P', VA: 'L' }),
    ...sweep(['AC', 'AT', 'MAT'], { ...base, PR: 'L', SC: 'L' }),
    ...sweep(['VC', 'VI', 'VA', 'CR', 'IR', 'AR'], { ...base, UI: 'P', SI: 'H' }),
    ...sweep(['SC', 'SI', 'SA', 'MSI', 'MSA'], { ...base, AV: 'A', VI: 'L' }),
    ...sweep(['E', 'MAV', 'MUI'], { ...base, VC: 'L', SA: 'L' }),
  ];
}

describe(`CVSS v4.0 scores agree with ae-cvss-calculator (fast-check seed ${seed})`, () => {
  it('on every combination of each equivalence class’s metrics', () => {
    const sweeps = classSweeps();
    assert.ok(sweeps.length > 2000);
    for (const v of sweeps) assert.equal(cvssScore(v).score, theirs(v), v);
  });

  it('on 3000 random vectors with Threat, Environmental and Supplemental metrics', () => {
    for (const v of fc.sample(vectorArb('4.0'), { numRuns: 3000, seed })) {
      assert.equal(cvssScore(v).score, theirs(v), v);
    }
  });

  it('on the Base score of random full vectors (CVSS-B)', () => {
    for (const v of fc.sample(vectorArb('4.0'), { numRuns: 500, seed: seed + 1 })) {
      const base = `CVSS:4.0/${v.split('/').slice(1, 12).join('/')}`;
      assert.equal(parseCvss(base).version, '4.0');
      assert.equal(cvssScore(v).baseScore, theirs(base), v);
    }
  });
});
