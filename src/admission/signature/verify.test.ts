import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { RegistryClient } from '../../image/registry/index.js';
import { startTestRegistry, type TestRegistry } from '../../registry/http/testing.js';
import {
  MAX_PAYLOAD_BYTES,
  MAX_SIGNATURES,
  SIGNATURE_ANNOTATION,
  SIGNATURE_ARTIFACT_TYPE,
  blobStoreSignatureSource,
  distributionSignatureSource,
  parsePublicKey,
  verifyImageSignatures,
  type SignatureSource,
  type VerificationResult,
} from './index.js';
import {
  Pusher,
  makeKey,
  pushReferrerSignatures,
  pushTagSignatures,
  sha256,
  signWithOpenssl,
  simpleSigningPayload,
  type TestKey,
} from './testing.js';

const run = promisify(execFile);

let reg: TestRegistry;
let dir: string;
let ec: TestKey;
let ed: TestKey;
let other: TestKey;

before(async () => {
  reg = await startTestRegistry();
  dir = await mkdtemp(join(tmpdir(), 'mamori-signature-'));
  [ec, ed, other] = await Promise.all([
    makeKey(dir, 'ec', 'ec'),
    makeKey(dir, 'ed', 'ed25519'),
    makeKey(dir, 'other', 'ec'),
  ]);
});
after(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

const source = (repository: string): SignatureSource =>
  distributionSignatureSource({ url: reg.url, repository });

/** A fresh repository with one image in it. */
async function setup(repo: string): Promise<{ p: Pusher; image: { digest: string; size: number } }> {
  const p = new Pusher(reg.url, repo);
  return { p, image: await p.image(repo) };
}

const reasons = (r: VerificationResult): string[] => r.failures.map((f) => f.reason);

describe('verifyImageSignatures against a real registry', () => {
  it('accepts ECDSA P-256 and Ed25519 signatures under the .sig tag', async () => {
    const { p, image } = await setup('sig/tag-valid');
    const payload = simpleSigningPayload(image.digest);
    await pushTagSignatures(p, image.digest, [
      { payload, signature: await signWithOpenssl(dir, ec, payload) },
      { payload, signature: await signWithOpenssl(dir, ed, payload) },
    ]);
    const r = await verifyImageSignatures({
      source: source('sig/tag-valid'),
      digest: image.digest,
      keys: [ec.publicPem, ed.publicPem],
    });
    assert.deepEqual(r.failures, []);
    assert.deepEqual(
      r.verified.map((v) => [v.keyFingerprint, v.where, v.payloadDigest]),
      [
        [parsePublicKey(ec.publicPem).fingerprint, 'tag', sha256(payload)],
        [parsePublicKey(ed.publicPem).fingerprint, 'tag', sha256(payload)],
      ],
    );
    assert.equal(r.verified[0]?.dockerReference, 'registry.local/app');
  });

  it('accepts ECDSA P-256 and Ed25519 signatures attached as OCI 1.1 referrers', async () => {
    const { p, image } = await setup('sig/referrer-valid');
    const payload = simpleSigningPayload(image.digest);
    await pushReferrerSignatures(p, image, [{ payload, signature: await signWithOpenssl(dir, ec, payload) }]);
    await pushReferrerSignatures(p, image, [{ payload, signature: await signWithOpenssl(dir, ed, payload) }]);
    const r = await verifyImageSignatures({
      source: source('sig/referrer-valid'),
      digest: image.digest,
      keys: [ed.publicPem, ec.publicPem],
    });
    assert.deepEqual(r.failures, []);
    assert.equal(r.verified.length, 2);
    assert.ok(r.verified.every((v) => v.where === 'referrer'));
    assert.deepEqual(
      new Set(r.verified.map((v) => v.keyFingerprint)),
      new Set([parsePublicKey(ec.publicPem).fingerprint, parsePublicKey(ed.publicPem).fingerprint]),
    );
  });

  it('ignores referrers of other artifact types', async () => {
    const { p, image } = await setup('sig/referrer-other-type');
    const payload = simpleSigningPayload(image.digest);
    await pushReferrerSignatures(
      p,
      image,
      [{ payload, signature: await signWithOpenssl(dir, ec, payload) }],
      'application/spdx+json',
    );
    const r = await verifyImageSignatures({
      source: source('sig/referrer-other-type'),
      digest: image.digest,
      keys: [ec.publicPem],
    });
    assert.deepEqual(r.verified, []);
    assert.deepEqual(reasons(r), [`no signature found for ${image.digest}`]);
  });

  it('works over mamori RegistryClient for the tag', async () => {
    const { p, image } = await setup('sig/client');
    const payload = simpleSigningPayload(image.digest);
    await pushTagSignatures(p, image.digest, [
      { payload, signature: await signWithOpenssl(dir, ed, payload) },
    ]);
    const client = new RegistryClient(
      { registry: reg.host, repository: 'sig/client' },
      { tlsVerify: false, retries: 0 },
    );
    try {
      const r = await verifyImageSignatures({
        source: blobStoreSignatureSource(client),
        digest: image.digest,
        keys: [ed.publicPem],
      });
      assert.deepEqual(r.failures, []);
      assert.deepEqual(
        r.verified.map((v) => v.where),
        ['tag'],
      );
    } finally {
      await client.close();
    }
  });

  it('over RegistryClient, reads referrers from the OCI 1.1 referrers tag and checks their subject', async () => {
    const { p, image } = await setup('sig/fallback');
    const other = await p.image('sig/fallback-other');
    const payload = simpleSigningPayload(image.digest);
    const signature = await signWithOpenssl(dir, ec, payload);
    const good = await pushReferrerSignatures(p, image, [{ payload, signature }]);
    const foreign = await pushReferrerSignatures(p, other, [{ payload, signature }]);
    const entry = (digest: string): unknown => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: 1,
      artifactType: SIGNATURE_ARTIFACT_TYPE,
    });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [entry(good), entry(foreign)],
      }),
    );
    await p.manifest(image.digest.replace(':', '-'), index, 'application/vnd.oci.image.index.v1+json');
    const client = new RegistryClient(
      { registry: reg.host, repository: 'sig/fallback' },
      { tlsVerify: false, retries: 0 },
    );
    try {
      const r = await verifyImageSignatures({
        source: blobStoreSignatureSource(client),
        digest: image.digest,
        keys: [ec.publicPem],
      });
      assert.deepEqual(
        r.verified.map((v) => v.where),
        ['referrer'],
      );
      assert.deepEqual(reasons(r), [`referrer ${foreign} does not name ${image.digest} as its subject`]);
    } finally {
      await client.close();
    }
  });

  it('reports a missing signature', async () => {
    const { image } = await setup('sig/missing');
    const r = await verifyImageSignatures({
      source: source('sig/missing'),
      digest: image.digest,
      keys: [ec.publicPem],
    });
    assert.deepEqual(r.verified, []);
    assert.deepEqual(reasons(r), [`no signature found for ${image.digest}`]);
  });

  it('rejects a tampered payload', async () => {
    const { p, image } = await setup('sig/tampered');
    const signed = simpleSigningPayload(image.digest);
    const tampered = simpleSigningPayload(image.digest, 'registry.local/evil');
    const signature = await signWithOpenssl(dir, ec, signed);
    await pushTagSignatures(p, image.digest, [{ payload: tampered, signature }]);
    await pushReferrerSignatures(p, image, [{ payload: tampered, signature }]);
    const r = await verifyImageSignatures({
      source: source('sig/tampered'),
      digest: image.digest,
      keys: [ec.publicPem],
    });
    assert.deepEqual(r.verified, []);
    assert.deepEqual(r.failures, [
      {
        reason: 'signature does not verify with any trusted key',
        where: 'tag',
        payloadDigest: sha256(tampered),
      },
      {
        reason: 'signature does not verify with any trusted key',
        where: 'referrer',
        payloadDigest: sha256(tampered),
      },
    ]);
  });

  it('rejects a signature made with an untrusted key', async () => {
    const { p, image } = await setup('sig/wrong-key');
    const payload = simpleSigningPayload(image.digest);
    await pushTagSignatures(p, image.digest, [
      { payload, signature: await signWithOpenssl(dir, other, payload) },
    ]);
    const r = await verifyImageSignatures({
      source: source('sig/wrong-key'),
      digest: image.digest,
      keys: [ec.publicPem, ed.publicPem],
    });
    assert.deepEqual(r.verified, []);
    assert.deepEqual(reasons(r), ['signature does not verify with any trusted key']);
    // The same signature verifies once its key is trusted: the failure above is the key's.
    const ok = await verifyImageSignatures({
      source: source('sig/wrong-key'),
      digest: image.digest,
      keys: [other.publicPem],
    });
    assert.equal(ok.verified.length, 1);
  });

  it('rejects a valid signature over a payload naming another digest', async () => {
    const { p, image } = await setup('sig/other-digest');
    const elsewhere = sha256('another image');
    const payload = simpleSigningPayload(elsewhere);
    await pushTagSignatures(p, image.digest, [
      { payload, signature: await signWithOpenssl(dir, ed, payload) },
    ]);
    const r = await verifyImageSignatures({
      source: source('sig/other-digest'),
      digest: image.digest,
      keys: [ed.publicPem],
    });
    assert.deepEqual(r.verified, []);
    assert.deepEqual(reasons(r), [`signed payload names another digest ${elsewhere}`]);
  });

  it('rejects malformed annotations and payloads, one failure each', async () => {
    const { p, image } = await setup('sig/malformed');
    const payload = simpleSigningPayload(image.digest);
    const notJson = Buffer.from('not json at all');
    const wrongType = simpleSigningPayload(image.digest, 'x', 'atomic container signature');
    await pushTagSignatures(p, image.digest, [
      { payload, annotations: {} },
      { payload, annotations: { [SIGNATURE_ANNOTATION]: 'not base64!' } },
      { payload, annotations: { [SIGNATURE_ANNOTATION]: 'QUJD' + '='.repeat(3) } },
      { payload: notJson, signature: await signWithOpenssl(dir, ec, notJson) },
      { payload: wrongType, signature: await signWithOpenssl(dir, ec, wrongType) },
      { payload, signature: await signWithOpenssl(dir, ec, payload), mediaType: 'application/json' },
    ]);
    const r = await verifyImageSignatures({
      source: source('sig/malformed'),
      digest: image.digest,
      keys: [ec.publicPem],
    });
    assert.deepEqual(r.verified, []);
    const got = reasons(r);
    assert.equal(got.length, 6);
    assert.match(got[0] ?? '', /no dev\.cosignproject\.cosign\/signature annotation/);
    assert.match(got[1] ?? '', /is not base64/);
    assert.match(got[2] ?? '', /is not base64/);
    assert.equal(got[3], 'malformed payload: not UTF-8 JSON');
    assert.equal(got[4], 'malformed payload: "critical.type" is not "cosign container image signature"');
    assert.match(
      got[5] ?? '',
      /media type "application\/json", not application\/vnd\.dev\.cosign\.simplesigning\.v1\+json/,
    );
  });

  it('refuses payloads over the size limit without reading them, and bounds lying descriptors', async () => {
    const { p, image } = await setup('sig/oversized');
    const big = Buffer.concat([simpleSigningPayload(image.digest), Buffer.alloc(MAX_PAYLOAD_BYTES, 0x20)]);
    const small = simpleSigningPayload(image.digest);
    await pushTagSignatures(p, image.digest, [
      { payload: big, signature: await signWithOpenssl(dir, ec, big) },
      // The descriptor claims fewer bytes than the blob holds.
      {
        payload: Buffer.concat([small, Buffer.from(' ')]),
        signature: await signWithOpenssl(dir, ec, small),
        size: small.length,
      },
    ]);
    const fetched: string[] = [];
    const inner = source('sig/oversized');
    const counting: SignatureSource = {
      ...inner,
      fetchBlob: (d, max) => {
        fetched.push(d);
        return inner.fetchBlob(d, max);
      },
    };
    const r = await verifyImageSignatures({ source: counting, digest: image.digest, keys: [ec.publicPem] });
    assert.deepEqual(r.verified, []);
    const got = reasons(r);
    assert.equal(got[0], `payload of ${big.length} bytes exceeds the ${MAX_PAYLOAD_BYTES}-byte limit`);
    assert.match(got[1] ?? '', /is larger than \d+ bytes/);
    assert.deepEqual(fetched, [sha256(Buffer.concat([small, Buffer.from(' ')]))]);
  });

  it(`reads at most ${MAX_SIGNATURES} signatures`, async () => {
    const { p, image } = await setup('sig/many');
    const payload = simpleSigningPayload(image.digest);
    const signature = await signWithOpenssl(dir, ed, payload);
    await pushTagSignatures(
      p,
      image.digest,
      Array.from({ length: MAX_SIGNATURES + 10 }, () => ({ payload, signature })),
    );
    await pushReferrerSignatures(p, image, [{ payload, signature }]);
    let blobs = 0;
    let manifests = 0;
    const inner = source('sig/many');
    const counting: SignatureSource = {
      listReferrers: (d, max) => inner.listReferrers(d, max),
      fetchManifest: (ref, max) => {
        manifests++;
        return inner.fetchManifest(ref, max);
      },
      fetchBlob: (d, max) => {
        blobs++;
        return inner.fetchBlob(d, max);
      },
    };
    const r = await verifyImageSignatures({ source: counting, digest: image.digest, keys: [ed.publicPem] });
    assert.equal(r.verified.length, MAX_SIGNATURES);
    assert.equal(blobs, MAX_SIGNATURES);
    assert.equal(manifests, 1, 'the referrer manifest is not fetched once the budget is spent');
    assert.deepEqual(reasons(r), [
      `more than ${MAX_SIGNATURES} signatures; only the first ${MAX_SIGNATURES} were checked`,
    ]);
  });
});

describe('trusted keys', () => {
  it('rejects key types other than ECDSA P-256 and Ed25519, and non-keys', async () => {
    const p384 = join(dir, 'p384.key');
    await run('openssl', ['ecparam', '-genkey', '-name', 'secp384r1', '-noout', '-out', p384]);
    await run('openssl', ['pkey', '-in', p384, '-pubout', '-out', `${p384}.pub`]);
    const p384Pem = await readFile(`${p384}.pub`, 'utf8');
    assert.throws(() => parsePublicKey(p384Pem), /EC curve secp384r1 keys are not supported/);
    const rsa = join(dir, 'rsa.key');
    await run('openssl', ['genpkey', '-algorithm', 'rsa', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rsa]);
    await run('openssl', ['pkey', '-in', rsa, '-pubout', '-out', `${rsa}.pub`]);
    const rsaPem = await readFile(`${rsa}.pub`, 'utf8');
    assert.throws(() => parsePublicKey(rsaPem), /rsa keys are not supported/);
    assert.throws(
      () => parsePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
      /cannot be parsed/,
    );
    await assert.rejects(
      verifyImageSignatures({ source: source('x'), digest: sha256('x'), keys: [] }),
      /at least one trusted public key/,
    );
    await assert.rejects(
      verifyImageSignatures({ source: source('x'), digest: 'latest', keys: [ec.publicPem] }),
      /is not an image digest/,
    );
  });
});
