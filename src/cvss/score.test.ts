/** cvssScore and severityFromScore: published example scores, the result's shape, the rating bands. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMamoriError } from '../core/errors.js';
import { cvssScore, severityFromScore } from './index.js';
import { roundup30, roundup31 } from './v3.js';

describe('cvssScore', () => {
  it('gives the v3.1 Base scores NVD publishes for well-known CVEs', () => {
    const known: [string, number, string][] = [
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'High'], // CVE-2014-0160
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'Critical'], // CVE-2014-6271
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10, 'Critical'], // CVE-2021-44228
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'Medium'], // CVE-2013-1937
      ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4, 'Medium'], // CVE-2013-0375
      ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1, 'Low'], // CVE-2014-3566
      ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', 7.4, 'High'], // CVE-2014-0224
      ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8, 'High'], // CVE-2021-4034
      ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9, 'Critical'],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8, 'High'],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'None'],
      ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'Critical'],
      ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'Medium'],
    ];
    for (const [vector, score, severity] of known) {
      const r = cvssScore(vector);
      assert.deepEqual([r.baseScore, r.severity, r.score], [score, severity, score], vector);
    }
  });

  it('gives the v2 scores of the CVSS v2 guide’s examples (§3.3) and of NVD', () => {
    const guide: [string, number, number, number][] = [
      // CVE-2002-0392, CVE-2003-0818, CVE-2003-0062
      ['AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H', 7.8, 6.4, 9.2],
      ['AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:L', 10, 8.3, 9.0],
      ['AV:L/AC:H/Au:N/C:C/I:C/A:C/E:POC/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:M', 6.2, 4.9, 7.5],
    ];
    for (const [vector, base, temporal, environmental] of guide) {
      const r = cvssScore(vector);
      assert.deepEqual(
        [r.baseScore, r.temporalScore, r.environmentalScore, r.score],
        [base, temporal, environmental, environmental],
        vector,
      );
    }
    const nvd: [string, number, string][] = [
      ['(AV:N/AC:L/Au:N/C:P/I:P/A:P)', 7.5, 'High'],
      ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10, 'High'],
      ['AV:L/AC:L/Au:N/C:C/I:C/A:C', 7.2, 'High'],
      ['AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3, 'Medium'],
      ['AV:N/AC:L/Au:S/C:P/I:P/A:P', 6.5, 'Medium'],
      ['AV:L/AC:L/Au:N/C:P/I:N/A:N', 2.1, 'Low'],
      ['AV:N/AC:M/Au:N/C:C/I:C/A:C', 9.3, 'High'],
      ['AV:N/AC:L/Au:N/C:N/I:N/A:N', 0, 'Low'],
    ];
    for (const [vector, score, severity] of nvd) {
      assert.deepEqual([cvssScore(vector).baseScore, cvssScore(vector).severity], [score, severity], vector);
    }
  });

  it('reports Temporal and Environmental scores only for the groups a vector defines', () => {
    const base = cvssScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X');
    assert.deepEqual(base, {
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      baseScore: 9.8,
      severity: 'Critical',
      score: 9.8,
      scoreSeverity: 'Critical',
    });
    const temporal = cvssScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R');
    assert.deepEqual(
      [temporal.temporalScore, temporal.environmentalScore, temporal.score],
      [8.2, undefined, 8.2],
    );
    // cvss-suite: 6.6
    const env = cvssScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:L/CR:L/IR:L/AR:L');
    assert.deepEqual(
      [env.temporalScore, env.environmentalScore, env.score, env.scoreSeverity],
      [undefined, 6.6, 6.6, 'Medium'],
    );
    assert.equal(cvssScore('AV:N/AC:L/Au:N/C:C/I:C/A:C/TD:N').environmentalScore, 0);
    assert.equal(cvssScore('AV:N/AC:L/Au:N/C:C/I:C/A:C').nomenclature, undefined);
  });

  it('throws MamoriError INVALID_ARGUMENT for an invalid vector', () => {
    assert.throws(
      () => cvssScore('CVSS:3.1/AV:N'),
      (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });
});

describe('Roundup', () => {
  it('v3.1 works on integers, so floating-point noise does not add a tenth', () => {
    assert.equal(roundup31(4.000000000000001), 4);
    assert.equal(roundup31(4), 4);
    assert.equal(roundup31(4.02), 4.1);
    assert.equal(roundup31(4.00001), 4.1);
    assert.equal(roundup31(0), 0);
    assert.equal(roundup31(9.99), 10);
  });

  it('v3.0 is a plain ceiling to one decimal', () => {
    assert.equal(roundup30(4.000000000000001), 4.1);
    assert.equal(roundup30(4), 4);
    assert.equal(roundup30(4.02), 4.1);
  });
});

describe('severityFromScore', () => {
  it('uses the v3.x and v4.0 rating scale', () => {
    const bands: [number, string][] = [
      [0, 'None'],
      [0.1, 'Low'],
      [3.9, 'Low'],
      [4, 'Medium'],
      [6.9, 'Medium'],
      [7, 'High'],
      [8.9, 'High'],
      [9, 'Critical'],
      [10, 'Critical'],
    ];
    for (const version of ['3.0', '3.1', '4.0'] as const) {
      for (const [score, severity] of bands)
        assert.equal(severityFromScore(version, score), severity, `${version} ${score}`);
    }
  });

  it('uses NVD’s three bands for v2.0', () => {
    const bands: [number, string][] = [
      [0, 'Low'],
      [3.9, 'Low'],
      [4, 'Medium'],
      [6.9, 'Medium'],
      [7, 'High'],
      [10, 'High'],
    ];
    for (const [score, severity] of bands)
      assert.equal(severityFromScore('2.0', score), severity, String(score));
  });

  it('rejects unknown versions and scores outside 0–10', () => {
    for (const [version, score] of [
      ['3.1', -0.1],
      ['3.1', 10.1],
      ['3.1', Number.NaN],
      ['4.0', Number.POSITIVE_INFINITY],
      ['4.0', '7' as unknown as number],
      ['5.0', 5],
      [undefined, 5],
    ] as [string, number][]) {
      assert.throws(
        () => severityFromScore(version as '3.1', score),
        (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
        `${version} ${score}`,
      );
    }
  });
});
