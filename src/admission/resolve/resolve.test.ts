import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../image/registry/index.js';
import type { BlobStore } from '../../image/types.js';
import { parsePolicy, type PolicyRule } from '../../policy/index.js';
import { startTestRegistry, type TestRegistry } from '../../registry/http/testing.js';
import { applyPatch, mutateObject } from '../engine/index.js';
import { checkImage } from '../images/index.js';
import { DSSE_MEDIA_TYPE } from '../signature/index.js';
import {
  Pusher,
  dsseEnvelope,
  inTotoStatement,
  makeKey,
  pushTagSignatures,
  signWithOpenssl,
  simpleSigningPayload,
  type TestKey,
} from '../signature/testing.js';
import { createImageResolver, type ImageAccess, type ScanFacts } from './index.js';

let reg: TestRegistry;
let host: string;
let dir: string;
let key: TestKey;

before(async () => {
  reg = await startTestRegistry();
  host = new URL(reg.url).host;
  dir = await mkdtemp(join(tmpdir(), 'mamori-resolve-'));
  key = await makeKey(dir, 'signer', 'ec');
});
after(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

/** Access to the test registry over HTTP that counts manifest fetches. */
function counted(scan?: ImageAccess['scan']): { access: ImageAccess; manifests: () => number } {
  let n = 0;
  return {
    manifests: () => n,
    access: {
      store(repository: string): BlobStore {
        const client = new RegistryClient({ registry: host, repository }, { insecure: true });
        return {
          name: client.name,
          fetchManifest: (ref, max) => {
            n++;
            return client.fetchManifest(ref, max);
          },
          openBlob: (d, size) => client.openBlob(d, size),
          close: () => client.close(),
        };
      },
      ...(scan ? { scan } : {}),
    },
  };
}

function rule(images: Record<string, unknown>, mode = 'enforce'): PolicyRule {
  const p = parsePolicy({ rules: [{ name: 'img', mode, images: { allowedRegistries: [host], ...images } }] });
  const r = p.rules[0];
  assert.ok(r);
  return r;
}

describe('image resolver', () => {
  it('resolves a tag to the digest of its manifest once, then from the cache', async () => {
    const p = new Pusher(reg.url, 'team/app');
    const { digest } = await p.image('tag-resolution');
    const c = counted();
    const r = createImageResolver({ access: (h) => (h === host ? c.access : undefined) });
    const ruleD = rule({ mutateToDigest: true });
    const a = await r.resolve(`${host}/team/app:latest`, ruleD);
    assert.equal(a.digest, digest);
    const b = await r.resolve(`${host}/team/app:latest`, ruleD);
    assert.equal(b.digest, digest);
    assert.equal(c.manifests(), 1);
    assert.equal(r.stats().hits, 1);
    const missing = await r.resolve(`${host}/team/app:nope`, ruleD);
    assert.equal(missing.digest, undefined);
    assert.match(missing.problem ?? '', /tag nope not found/);
  });

  it('looks nothing up for rules that need no facts, or images from registries the rule does not allow', async () => {
    let asked = 0;
    const r = createImageResolver({
      access: () => {
        asked++;
        return undefined;
      },
    });
    assert.deepEqual(await r.resolve(`${host}/team/app:1`, rule({ requireDigest: true })), {});
    const foreign = await r.resolve('evil.example.com/x:1', rule({ requireScan: true }));
    assert.match(foreign.problem ?? '', /not from an allowed registry/);
    assert.equal(asked, 0);
    const unknown = await r.resolve(`${host}/team/app:1`, rule({ requireScan: true }));
    assert.match(unknown.problem ?? '', new RegExp(`does not look up images of ${host}`));
    assert.equal(asked, 1);
  });

  it('verifies cosign signatures by digest, caches the verdict and forgets it on invalidate', async () => {
    const p = new Pusher(reg.url, 'team/signed');
    const image = await p.image('signed');
    const unsignedP = new Pusher(reg.url, 'team/unsigned');
    await unsignedP.image('unsigned');
    const payload = simpleSigningPayload(image.digest, `${host}/team/signed`);
    await pushTagSignatures(p, image.digest, [
      { payload, signature: await signWithOpenssl(dir, key, payload) },
    ]);
    const c = counted();
    const r = createImageResolver({ access: () => c.access });
    const sig = rule({ signatures: { keys: [key.publicPem] } });
    const ok = await r.resolve(`${host}/team/signed@${image.digest}`, sig);
    assert.deepEqual(ok.signature, { verified: true, reasons: [] });
    const calls = c.manifests();
    assert.ok(calls >= 1);
    await r.resolve(`${host}/team/signed@${image.digest}`, sig);
    assert.equal(c.manifests(), calls, 'the verdict came from the cache');
    r.invalidate(image.digest);
    await r.resolve(`${host}/team/signed@${image.digest}`, sig);
    assert.ok(c.manifests() > calls, 'looked up again after invalidate');
    const none = await r.resolve(`${host}/team/unsigned:latest`, sig);
    assert.equal(none.signature?.verified, false);
    assert.match(none.signature?.reasons.join() ?? '', /^no signature found for sha256:/);
  });

  it('verifies a required SLSA provenance attestation (DSSE, signed with openssl) per predicate type', async () => {
    const p = new Pusher(reg.url, 'team/attested');
    const image = await p.image('attested');
    const statement = inTotoStatement(image.digest, 'https://slsa.dev/provenance/v1', { builder: 'ci' });
    await pushTagSignatures(
      p,
      image.digest,
      [{ payload: await dsseEnvelope(dir, key, statement), mediaType: DSSE_MEDIA_TYPE, annotations: {} }],
      '.att',
    );
    const c = counted();
    const r = createImageResolver({ access: () => c.access });
    const att = rule({
      attestations: [
        { predicateType: 'slsa-provenance', keys: [key.publicPem] },
        { predicateType: 'cyclonedx', keys: [key.publicPem] },
      ],
    });
    const f = await r.resolve(`${host}/team/attested@${image.digest}`, att);
    assert.deepEqual(f.attestations?.['https://slsa.dev/provenance/v1'], { verified: true, reasons: [] });
    assert.equal(f.attestations?.['https://cyclonedx.org/bom']?.verified, false);
    assert.match(
      f.attestations?.['https://cyclonedx.org/bom']?.reasons.join() ?? '',
      /predicate type "https:\/\/slsa\.dev\/provenance\/v1" is not accepted/,
    );
    const v = checkImage(`${host}/team/attested@${image.digest}`, 'spec.containers[0].image', att.images!, f);
    assert.deepEqual(
      v.map((x) => x.control),
      ['image.attestation'],
    );
    assert.match(v[0]?.message ?? '', /no https:\/\/cyclonedx\.org\/bom attestation/);
  });

  it('keeps scan results for the lifetime, then asks again; errors are facts, not exceptions, and not cached', async () => {
    const p = new Pusher(reg.url, 'team/scanned');
    const { digest } = await p.image('scanned');
    let clock = 1_000_000;
    let scans = 0;
    let fail = false;
    const c = counted(async (repository, d): Promise<ScanFacts> => {
      scans++;
      if (fail) throw new Error('state store unavailable');
      assert.equal(repository, 'team/scanned');
      assert.equal(d, digest);
      return { status: 'scanned', vulnerabilitiesScanned: true, counts: { high: 2 } };
    });
    const r = createImageResolver({ access: () => c.access, ttlMs: 5_000, now: () => clock });
    const scanRule = rule({ maxSeverity: 'high' });
    const f = await r.resolve(`${host}/team/scanned@${digest}`, scanRule);
    assert.deepEqual(f.scan, { status: 'scanned', vulnerabilitiesScanned: true, counts: { high: 2 } });
    await r.resolve(`${host}/team/scanned@${digest}`, scanRule);
    assert.equal(scans, 1);
    clock += 6_000;
    fail = true;
    const broken = await r.resolve(`${host}/team/scanned@${digest}`, scanRule);
    assert.equal(broken.scan, undefined);
    assert.match(broken.problem ?? '', /could not read the scan result: state store unavailable/);
    fail = false;
    const again = await r.resolve(`${host}/team/scanned@${digest}`, scanRule);
    assert.equal(again.scan?.status, 'scanned');
    assert.equal(scans, 3);
  });

  it('turns an unreachable registry into a reason', async () => {
    const r = createImageResolver({
      access: () => ({
        store: (repository) =>
          new RegistryClient(
            { registry: '127.0.0.1:9', repository },
            { insecure: true, retries: 0, connectTimeoutMs: 2000 },
          ),
      }),
    });
    const f = await r.resolve('127.0.0.1:9/team/app:1', rule({ allowedRegistries: [], requireScan: true }));
    assert.equal(f.digest, undefined);
    assert.match(f.problem ?? '', /could not resolve 127\.0\.0\.1:9\/team\/app:1/);
  });
});

describe('mutation: tags pinned to digests', () => {
  const deployment = (images: string[], ns = 'prod') => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: {
      template: {
        spec: {
          initContainers: [{ name: 'init', image: images[0] }],
          containers: images.slice(1).map((image, i) => ({ name: `c${i}`, image })),
        },
      },
    },
  });

  it('replaces each resolvable tag with tag@digest at its JSON pointer, warns for the rest', async () => {
    const p = new Pusher(reg.url, 'team/pinned');
    const { digest } = await p.image('pinned');
    const c = counted();
    const r = createImageResolver({ access: () => c.access });
    const policy = parsePolicy({
      rules: [{ name: 'pin', images: { allowedRegistries: [host], mutateToDigest: true } }],
      exemptions: [{ images: [`${host}/team/exempt*`], reason: 'pinned by its own pipeline' }],
    });
    const obj = deployment([
      `${host}/team/pinned:latest`,
      `${host}/team/pinned@${digest}`,
      `${host}/team/pinned:missing`,
      `${host}/team/exempt:1`,
    ]);
    const m = await mutateObject(obj, policy, { resolveImage: r.resolve });
    assert.deepEqual(m.patch, [
      {
        op: 'replace',
        path: '/spec/template/spec/initContainers/0/image',
        value: `${host}/team/pinned:latest@${digest}`,
      },
    ]);
    const after = applyPatch(obj, m.patch) as typeof obj;
    assert.equal(after.spec.template.spec.initContainers[0]?.image, `${host}/team/pinned:latest@${digest}`);
    assert.equal(obj.spec.template.spec.initContainers[0]?.image, `${host}/team/pinned:latest`, 'input kept');
    assert.equal(m.warnings.length, 1);
    assert.match(
      m.warnings[0] ?? '',
      /\[pin\] spec\.template\.spec\.containers\[1\]\.image: could not pin .*tag missing not found/,
    );
  });

  it('leaves objects alone for audit-mode rules and rules without mutation', async () => {
    const c = counted();
    const r = createImageResolver({ access: () => c.access });
    for (const rules of [
      [{ name: 'a', mode: 'audit', images: { mutateToDigest: true } }],
      [{ name: 'b', images: { requireDigest: true } }],
    ]) {
      const m = await mutateObject(deployment([`${host}/team/pinned:latest`]), parsePolicy({ rules }), {
        resolveImage: r.resolve,
      });
      assert.deepEqual(m, { patch: [], warnings: [] });
    }
    assert.equal(c.manifests(), 0);
  });
});
