import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSimpleSigning } from './payload.js';

const D = `sha256:${'a'.repeat(64)}`;
const parse = (v: unknown): ReturnType<typeof parseSimpleSigning> =>
  parseSimpleSigning(Buffer.from(JSON.stringify(v)));

describe('parseSimpleSigning', () => {
  it('reads the digest and reference of a cosign payload', () => {
    const r = parse({
      critical: {
        identity: { 'docker-reference': 'r/x' },
        image: { 'docker-manifest-digest': D },
        type: 'cosign container image signature',
      },
      optional: { creator: 'x' },
    });
    assert.deepEqual(r, { ok: true, claim: { manifestDigest: D, dockerReference: 'r/x' } });
  });

  it('accepts the "Docker-manifest-digest" spelling of the specification example', () => {
    const r = parse({
      critical: { image: { 'Docker-manifest-digest': D }, type: 'cosign container image signature' },
    });
    assert.deepEqual(r, { ok: true, claim: { manifestDigest: D } });
  });

  it('rejects two spellings of one member', () => {
    const r = parse({
      critical: {
        image: { 'docker-manifest-digest': D, 'Docker-Manifest-Digest': D },
        type: 'cosign container image signature',
      },
    });
    assert.equal(r.ok, false);
  });

  it('rejects malformed payloads with a reason', () => {
    const cases: [unknown, RegExp][] = [
      [[], /not a JSON object/],
      [{}, /no "critical" object/],
      [{ critical: { type: 'x', image: { 'docker-manifest-digest': D } } }, /"critical.type"/],
      [{ critical: { type: 'cosign container image signature' } }, /no "critical.image"/],
      [
        { critical: { type: 'cosign container image signature', image: { 'docker-manifest-digest': 5 } } },
        /docker-manifest-digest" string/,
      ],
      [
        {
          critical: {
            type: 'cosign container image signature',
            image: { 'docker-manifest-digest': 'sha256:zz' },
          },
        },
        /not a digest/,
      ],
    ];
    for (const [doc, re] of cases) {
      const r = parse(doc);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, re);
    }
    const bin = parseSimpleSigning(Buffer.from([0xff, 0xfe, 0x7b]));
    assert.deepEqual(bin, { ok: false, reason: 'malformed payload: not UTF-8 JSON' });
  });
});
