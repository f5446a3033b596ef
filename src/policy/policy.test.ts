import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { exemption, loadPolicyFile, parsePolicy, parsePssSetting, PolicyError, rulesFor } from './index.js';

const load = async (name: string): Promise<unknown> =>
  parse(await readFile(join(import.meta.dirname, 'testdata', name), 'utf8')) as unknown;

function problems(doc: unknown): string[] {
  try {
    parsePolicy(doc);
  } catch (e) {
    if (e instanceof PolicyError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('policy model', () => {
  it('reads a full policy with defaults filled in', async () => {
    const p = parsePolicy(await load('policy.yaml'));
    assert.deepEqual(
      p.rules.map((r) => [r.name, r.mode]),
      [
        ['pod-security', 'enforce'],
        ['signed-images', 'enforce'],
        ['untrusted', 'warn'],
      ],
    );
    assert.deepEqual(p.rules[0]?.podSecurity, { level: 'restricted', version: 'v1.30' });
    assert.equal(p.rules[1]?.images?.maxSeverity, 'high');
    assert.equal(p.rules[1]?.images?.mutateToDigest, false);
    assert.equal(p.rules[1]?.images?.signatureKeys.length, 1);
    assert.deepEqual(p.rules[2]?.isolation?.untrustedLabel, { key: 'trust', value: 'untrusted' });
    assert.equal(p.exemptions.length, 2);
    assert.equal(p.exemptions[0]?.expires, Date.parse('2099-01-31'));
  });

  it('reports every problem at once, each with its path', () => {
    const got = problems({
      rules: [
        { name: 'a', mode: 'block', podSecurity: 'strict' },
        { name: 'a', images: { maxSeverity: 'urgent', requireDigst: true } },
        { name: 'Bad_Name', isolation: { untrustedLabel: 'nolabel' } },
        { name: 'sandbox', isolation: { untrustedLabel: 'trust=untrusted' } },
        { name: 'empty' },
      ],
      exemptions: [
        { namespaces: ['ci'] },
        { reason: 'x', rules: ['nope'] },
        { images: ['x'], reason: 'y', expires: 'soon' },
      ],
      extra: 1,
    });
    const expect = [
      /^policy\.extra: unknown key/,
      /^policy\.rules\[0\]\.mode: expected enforce, audit or warn, got "block"$/,
      /^policy\.rules\[0\]\.podSecurity: expected LEVEL\[:VERSION\]/,
      /^policy\.rules\[1\]\.name: duplicate rule name "a"$/,
      /^policy\.rules\[1\]\.images\.requireDigst: unknown key \(did you mean "requireDigest"\?\)/,
      /^policy\.rules\[1\]\.images\.maxSeverity: expected critical, high, medium or low, got "urgent"$/,
      /^policy\.rules\[2\]\.name: expected a DNS label/,
      /^policy\.rules\[2\]\.isolation\.untrustedLabel: expected KEY=VALUE/,
      /^policy\.rules\[3\]\.isolation\.runtimeClassNames: name the sandboxing runtime classes/,
      /^policy\.rules\[4\]: a rule needs at least one of podSecurity, images, isolation$/,
      /^policy\.exemptions\[0\]\.reason: an exemption needs a reason$/,
      /^policy\.exemptions\[1\]\.rules\[0\]: no rule named "nope"$/,
      /^policy\.exemptions\[1\]: an exemption names at least one of namespaces, users, images$/,
      /^policy\.exemptions\[2\]\.expires: expected a date like 2027-01-31, got "soon"$/,
    ];
    for (const re of expect)
      assert.ok(
        got.some((p) => re.test(p)),
        `${re} in:\n${got.join('\n')}`,
      );
    assert.equal(got.length, expect.length, got.join('\n'));
  });

  it('reads required attestations with predicate type aliases, and key files relative to the policy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mamori-policy-att-'));
    try {
      const { publicKey } = generateKeyPairSync('ed25519');
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      await writeFile(join(dir, 'release.pub'), pem);
      await writeFile(
        join(dir, 'policy.yaml'),
        [
          'rules:',
          '  - name: provenance',
          '    images:',
          '      attestations:',
          '        - { predicateType: slsa-provenance, keys: [./release.pub] }',
          '        - { predicateType: "https://example.com/custom/v1", keys: [./release.pub] }',
        ].join('\n'),
      );
      const p = await loadPolicyFile(join(dir, 'policy.yaml'));
      assert.deepEqual(p.rules[0]?.images?.attestations, [
        { predicateType: 'https://slsa.dev/provenance/v1', keys: [pem] },
        { predicateType: 'https://example.com/custom/v1', keys: [pem] },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.deepEqual(
      problems({
        rules: [
          {
            name: 'bad',
            images: {
              attestations: [
                { predicateType: 'sbom', keys: [] },
                { keys: ['-----BEGIN PUBLIC KEY-----'] },
                7,
              ],
            },
          },
        ],
      }),
      [
        'policy.rules[0].images.attestations[0].keys: name at least one public key',
        'policy.rules[0].images.attestations[0].predicateType: expected a predicate type URI or one of slsa-provenance, slsa-provenance-v0.2, cyclonedx, spdx, vuln, got "sbom"',
        'policy.rules[0].images.attestations[1].predicateType: expected a string, got nothing',
        'policy.rules[0].images.attestations[2]: expected a mapping, got number "7"',
      ],
    );
  });

  it('refuses hostile shapes with messages, never a TypeError', () => {
    for (const doc of [
      null,
      42,
      'rules',
      [],
      { rules: {} },
      { rules: [null, 1, 'x', []] },
      { rules: Array(501).fill({}) },
    ]) {
      try {
        parsePolicy(doc);
      } catch (e) {
        assert.ok(e instanceof PolicyError, `${JSON.stringify(doc)?.slice(0, 40)}: ${String(e)}`);
      }
    }
    assert.deepEqual(parsePolicy(undefined), { rules: [], exemptions: [] });
    const long = problems({ rules: [{ name: 'a', images: { allowedRegistries: ['x'.repeat(5000)] } }] });
    assert.match(long[0] ?? '', /longer than 4096 characters/);
  });

  it('parses Pod Security levels pinned to versions', () => {
    assert.deepEqual(parsePssSetting('baseline'), { level: 'baseline', version: 'latest' });
    assert.deepEqual(parsePssSetting('restricted:v1.30'), { level: 'restricted', version: 'v1.30' });
    for (const bad of ['strict', 'restricted:1.30', 'baseline:v2.0', 'baseline:v1.30:x', '']) {
      assert.equal(typeof parsePssSetting(bad), 'string', bad);
    }
  });

  it('selects rules by namespace globs, exclusions and labels; applies and expires exemptions', async () => {
    const p = parsePolicy(await load('policy.yaml'));
    const names = (ns: string, labels: Record<string, string> = {}) =>
      rulesFor(p, { namespace: ns, labels }).map((r) => r.name);
    assert.deepEqual(names('prod'), ['pod-security', 'untrusted']);
    assert.deepEqual(names('team-a', { tier: 'frontend' }), ['pod-security', 'signed-images', 'untrusted']);
    assert.deepEqual(names('team-sandbox'), ['untrusted']);
    assert.deepEqual(names('default', { tier: 'backend' }), ['untrusted']);

    const now = Date.parse('2026-11-22');
    const ci = { namespace: 'ci', labels: {}, user: 'system:serviceaccount:ci:deployer' };
    assert.equal(
      exemption(p, 'signed-images', ci, now).exempt?.reason,
      'CI builds test images that are signed later',
    );
    assert.equal(exemption(p, 'pod-security', ci, now).exempt, undefined, 'only the rules it names');
    assert.equal(
      exemption(p, 'signed-images', { ...ci, user: 'alice' }, now).exempt,
      undefined,
      'only its users',
    );
    const tools = exemption(
      p,
      'signed-images',
      { namespace: 'prod', labels: {} },
      now,
      'registry.example.com/tools/jq',
    );
    assert.equal(tools.exempt, undefined, 'expired');
    assert.equal(tools.expired.length, 1);
    assert.equal(tools.expired[0]?.reason, 'vendored tools, reviewed by hand');
  });
});
