/** parseCvss: the vector grammar of each version, normalisation, and hostile input. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../core/errors.js';
import { MAX_VECTOR_LENGTH, cvssScore, formatCvss, parseCvss, scoreVector } from './index.js';
import { anyVectorArb, shuffledVectorArb, vectorArb } from './testdata/arbitraries.js';

const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const V40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
const V2 = 'AV:N/AC:L/Au:N/C:P/I:P/A:P';

/** Asserts that parsing throws MamoriError INVALID_ARGUMENT with a message matching `message`. */
function rejects(input: unknown, message: RegExp): void {
  assert.throws(
    () => parseCvss(input as string),
    (e: unknown) => {
      assert.ok(isMamoriError(e, 'INVALID_ARGUMENT'), `not a MamoriError INVALID_ARGUMENT: ${String(e)}`);
      assert.match(e.message, message);
      assert.ok(e.message.length < 200, `message too long: ${e.message.length}`);
      return true;
    },
    `${String(input).slice(0, 80)} should be rejected`,
  );
}

describe('parseCvss accepts', () => {
  it('each version and fills optional metrics with "Not Defined"', () => {
    const v3 = parseCvss(V31);
    assert.equal(v3.version, '3.1');
    assert.equal(v3.metrics.AV, 'N');
    assert.ok(v3.version === '3.1' && v3.metrics.MAV === 'X' && v3.metrics.E === 'X');
    assert.equal(parseCvss(V31.replace('3.1', '3.0')).version, '3.0');
    const v4 = parseCvss(V40);
    assert.ok(v4.version === '4.0' && v4.metrics.E === 'X' && v4.metrics.U === 'X');
    const v2 = parseCvss(V2);
    assert.ok(v2.version === '2.0' && v2.metrics.Au === 'N' && v2.metrics.CDP === 'ND');
    assert.deepEqual(parseCvss(`(${V2})`), v2, 'NVD wraps v2 vectors in parentheses');
    assert.ok(Object.isFrozen(v2) && Object.isFrozen(v2.metrics));
  });

  it('metrics in any order and explicit "Not Defined", and normalises them away', () => {
    const odd = 'CVSS:3.1/S:U/A:H/AV:N/E:X/AC:L/PR:N/UI:N/C:H/I:H/MAV:X/RL:O';
    assert.equal(formatCvss(parseCvss(odd)), `${V31}/RL:O`);
    assert.equal(cvssScore(odd).vector, `${V31}/RL:O`);
    assert.equal(formatCvss(parseCvss(`(${V2}/E:ND/TD:H)`)), `${V2}/TD:H`);
    assert.equal(
      formatCvss(
        parseCvss('CVSS:4.0/U:Amber/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSI:S/E:X'),
      ),
      `${V40}/MSI:S/U:Amber`,
    );
  });

  it('any valid vector, whatever its order, as the same vector as in specification order', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom('2.0', '3.0', '3.1', '4.0' as const)
          .chain((v) => fc.tuple(fc.constant(v), shuffledVectorArb(v))),
        ([, vector]) => {
          const parsed = parseCvss(vector);
          const normal = formatCvss(parsed);
          assert.deepEqual(parseCvss(normal), parsed);
          assert.equal(formatCvss(parseCvss(normal)), normal);
          assert.deepEqual(cvssScore(vector), cvssScore(normal));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseCvss rejects', () => {
  it('duplicates, unknown and missing metrics, and unknown values, naming the metric', () => {
    rejects(`${V31}/AV:N`, /defines metric AV more than once/);
    rejects(`${V31}/E:X/E:X`, /defines metric E more than once/);
    rejects(`${V2}/Au:N`, /defines metric Au more than once/);
    rejects(`${V31}/XX:Y`, /CVSS v3 vector has an unknown metric "XX"/);
    rejects(`${V31}/AT:N`, /unknown metric "AT"/);
    rejects(`${V40}/S:U`, /invalid value "U" for metric S \(expected one of X, N, P\)/);
    rejects(`${V40}/C:H`, /unknown metric "C"/);
    rejects(`${V2}/S:U`, /CVSS v2 vector has an unknown metric "S"/);
    rejects('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', /lacks mandatory Base metric A$/);
    rejects('CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H', /lacks mandatory Base metrics AT, SC, SI, SA/);
    rejects('AV:N/AC:L/C:P/I:P/A:P', /lacks mandatory Base metric Au/);
    rejects(V31.replace('AV:N', 'AV:Q'), /invalid value "Q" for metric AV \(expected one of N, A, L, P\)/);
    rejects(V31.replace('AV:N', 'AV:n'), /invalid value "n" for metric AV/);
    rejects(V31.replace('AV:N', 'AV:X'), /invalid value "X" for metric AV/);
    rejects(`${V40}/U:clear`, /invalid value "clear" for metric U/);
    rejects(`${V40}/SI:S`.replace('/SI:N', ''), /invalid value "S" for metric SI/);
    rejects(`${V2}/E:X`, /invalid value "X" for metric E/);
  });

  it('names inherited from Object.prototype as unknown metrics', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      rejects(`${V31}/${name}:N`, /malformed metric|unknown metric/);
    }
    rejects(`${V31}/toS:N`, /unknown metric "toS"/);
  });

  it('malformed components and prefixes', () => {
    rejects('', /empty/);
    rejects(`${V31}/`, /empty metric at position 9/);
    rejects(V31.replace('/AC:L', '//AC:L'), /empty metric at position 2/);
    rejects(V31.replace('AC:L', 'AC'), /malformed metric "AC" at position 2/);
    rejects(V31.replace('AC:L', 'AC:L:H'), /malformed metric "AC:L:H"/);
    rejects(V31.replace('AC:L', 'AC: L'), /malformed metric/);
    rejects(`${V31} `, /malformed metric "A:H "/);
    rejects(` ${V31}`, /not a CVSS vector/);
    rejects(V31.toLowerCase(), /not a CVSS vector/);
    rejects(V31.replace('3.1', '3.2'), /unsupported CVSS version prefix "CVSS:3.2"/);
    rejects(`CVSS:2.0/${V2}`, /unsupported CVSS version prefix "CVSS:2.0"/);
    rejects('CVSS:3.1', /CVSS v3 vector has no metrics/);
    rejects('CVSS:', /unsupported CVSS version prefix "CVSS:"/);
    rejects(`(${V2}`, /unclosed "\("/);
    rejects(`${V2})`, /malformed metric "A:P\)"/);
    rejects('((AV:N/AC:L/Au:N/C:P/I:P/A:P))', /not a CVSS vector/);
    rejects('hello world', /not a CVSS vector/);
    rejects(`${V31}\n`, /malformed metric/);
    rejects(`${V31}/E:P\u0000`, /malformed metric/);
  });

  it('inputs that are not strings, and oversized strings, without echoing them', () => {
    for (const x of [undefined, null, 42, {}, [], Symbol('x'), () => V31]) rejects(x, /must be a string/);
    rejects(`CVSS:3.1/${'AV:N/'.repeat(2048)}`, /too long \(10249 characters, at most 256\)/);
    rejects('x'.repeat(10 * 1024), /too long/);
    rejects(`${V40}/${'AV:N/'.repeat(40)}`.slice(0, MAX_VECTOR_LENGTH), /more than once|malformed/);
    rejects(`CVSS:3.1/AV:${'N'.repeat(200)}`, /malformed metric "AV:NNNNNNNNNNNNNNNNNNNNN…"/);
  });
});

/** Valid vectors mangled: components dropped, repeated, swapped for random text, or random text inserted. */
const mangledArb: fc.Arbitrary<string> = fc
  .tuple(
    anyVectorArb,
    fc.nat(),
    fc.nat(),
    fc.constantFrom('drop', 'repeat', 'replace', 'insert', 'cut'),
    fc.string(),
  )
  .map(([vector, i, j, op, text]) => {
    const parts = vector.split('/');
    const at = i % parts.length;
    if (op === 'drop') parts.splice(at, 1);
    else if (op === 'repeat') parts.splice(at, 0, parts[j % parts.length] ?? '');
    else if (op === 'replace') parts[at] = text;
    else if (op === 'insert') parts.splice(at, 0, text);
    else return vector.slice(0, j % (vector.length + 1));
    return parts.join('/');
  });

describe('parseCvss on hostile input (fuzz)', () => {
  it('throws nothing but MamoriError INVALID_ARGUMENT, and what it accepts scores from 0 to 10', () => {
    const input = fc.oneof(
      mangledArb,
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.stringMatching(/^(CVSS:[34]\.[01]\/)?([A-Za-z_]{1,4}:[A-Za-z()]{0,6}\/?){0,40}$/),
      fc.anything(),
    );
    fc.assert(
      fc.property(input, (x) => {
        let parsed;
        try {
          parsed = parseCvss(x as string);
        } catch (e) {
          if (!isMamoriError(e, 'INVALID_ARGUMENT')) {
            const what = typeof x === 'string' ? JSON.stringify(x.slice(0, 80)) : typeof x;
            assert.fail(`unexpected ${e instanceof Error ? e.name : typeof e} for ${what}`);
          }
          return;
        }
        const s = scoreVector(parsed);
        for (const n of [s.baseScore, s.score])
          assert.ok(n >= 0 && n <= 10 && Number.isInteger(Math.round(n * 10)));
        assert.deepEqual(parseCvss(s.vector), parsed);
      }),
      { numRuns: 20000 },
    );
  });

  it('accepts every vector the generators make', () => {
    for (const version of ['2.0', '3.0', '3.1', '4.0'] as const) {
      for (const v of fc.sample(vectorArb(version), 300)) assert.equal(parseCvss(v).version, version);
    }
  });
});
