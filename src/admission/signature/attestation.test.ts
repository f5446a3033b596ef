import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestRegistry, type TestRegistry } from '../../registry/http/testing.js';
import {
  ATTESTATION_ARTIFACT_TYPE,
  DSSE_MEDIA_TYPE,
  distributionSignatureSource,
  parsePublicKey,
  verifyImageAttestations,
} from './index.js';
import {
  Pusher,
  dsseEnvelope,
  inTotoStatement,
  makeKey,
  pushReferrerSignatures,
  pushTagSignatures,
  sha256,
  type TestKey,
} from './testing.js';

const SLSA = 'https://slsa.dev/provenance/v1';
const SPDX = 'https://spdx.dev/Document';

let reg: TestRegistry;
let dir: string;
let ec: TestKey;
let ed: TestKey;

before(async () => {
  reg = await startTestRegistry();
  dir = await mkdtemp(join(tmpdir(), 'mamori-attestation-'));
  [ec, ed] = await Promise.all([makeKey(dir, 'ec', 'ec'), makeKey(dir, 'ed', 'ed25519')]);
});
after(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

async function setup(repo: string): Promise<{ p: Pusher; image: { digest: string; size: number } }> {
  const p = new Pusher(reg.url, repo);
  return { p, image: await p.image(repo) };
}

const verify = (repo: string, digest: string, keys: string[], predicateTypes?: string[]) =>
  verifyImageAttestations({
    source: distributionSignatureSource({ url: reg.url, repository: repo }),
    digest,
    keys,
    ...(predicateTypes !== undefined ? { predicateTypes } : {}),
  });

describe('verifyImageAttestations against a real registry', () => {
  it('accepts DSSE in-toto attestations under the .att tag and as referrers, both key types', async () => {
    const { p, image } = await setup('att/valid');
    const slsa = inTotoStatement(image.digest, SLSA, { buildDefinition: { buildType: 'x' } });
    const sbom = inTotoStatement(image.digest, SPDX);
    await pushTagSignatures(
      p,
      image.digest,
      [{ payload: await dsseEnvelope(dir, ec, slsa), mediaType: DSSE_MEDIA_TYPE, annotations: {} }],
      '.att',
    );
    await pushReferrerSignatures(
      p,
      image,
      [{ payload: await dsseEnvelope(dir, ed, sbom), mediaType: DSSE_MEDIA_TYPE, annotations: {} }],
      ATTESTATION_ARTIFACT_TYPE,
    );
    const r = await verify('att/valid', image.digest, [ec.publicPem, ed.publicPem]);
    assert.deepEqual(r.failures, []);
    assert.deepEqual(
      r.verified.map((v) => [v.where, v.predicateType, v.keyFingerprint]),
      [
        ['tag', SLSA, parsePublicKey(ec.publicPem).fingerprint],
        ['referrer', SPDX, parsePublicKey(ed.publicPem).fingerprint],
      ],
    );
    assert.deepEqual(r.verified[0]?.predicate, { buildDefinition: { buildType: 'x' } });
    const onlySlsa = await verify('att/valid', image.digest, [ec.publicPem, ed.publicPem], [SLSA]);
    assert.deepEqual(
      onlySlsa.verified.map((v) => v.predicateType),
      [SLSA],
    );
    assert.deepEqual(
      onlySlsa.failures.map((f) => f.reason),
      [`predicate type "${SPDX}" is not accepted`],
    );
  });

  it('rejects a tampered statement, an untrusted key and another subject', async () => {
    const { p, image } = await setup('att/bad');
    const good = inTotoStatement(image.digest, SLSA);
    const tampered = inTotoStatement(image.digest, SLSA, { forged: true });
    const elsewhere = inTotoStatement(sha256('other'), SLSA);
    await pushTagSignatures(
      p,
      image.digest,
      [
        { payload: await dsseEnvelope(dir, ec, tampered, good), mediaType: DSSE_MEDIA_TYPE, annotations: {} },
        { payload: await dsseEnvelope(dir, ed, good), mediaType: DSSE_MEDIA_TYPE, annotations: {} },
        { payload: await dsseEnvelope(dir, ec, elsewhere), mediaType: DSSE_MEDIA_TYPE, annotations: {} },
        { payload: Buffer.from('{"payloadType":"text/plain"}'), mediaType: DSSE_MEDIA_TYPE, annotations: {} },
      ],
      '.att',
    );
    const r = await verify('att/bad', image.digest, [ec.publicPem]);
    assert.deepEqual(r.verified, []);
    assert.deepEqual(
      r.failures.map((f) => f.reason),
      [
        'signature does not verify with any trusted key',
        'signature does not verify with any trusted key',
        `attested subjects do not include ${image.digest}`,
        'malformed envelope: payloadType is not application/vnd.in-toto+json',
      ],
    );
  });

  it('reports a missing attestation', async () => {
    const { image } = await setup('att/missing');
    const r = await verify('att/missing', image.digest, [ec.publicPem]);
    assert.deepEqual(
      r.failures.map((f) => f.reason),
      [`no attestation found for ${image.digest}`],
    );
  });
});
