/**
 * `mamori scan --scanners secret,misconfig` end to end on real images built
 * from Debian's packages (scripts/build-hardening-image.sh,
 * scripts/build-distroless-image.sh):
 * - the Debian image with a setuid binary, a world-writable directory and an
 *   SSH key added in one layer and deleted in the next, and AWS keys in its
 *   Env: every one reported, with its layer, the deleted key included — and
 *   the keys themselves in no output format;
 * - a clean distroless-style image (a static binary, CA certificates, a
 *   non-root user, a healthcheck): no finding at all.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, test } from 'node:test';
import { assertValidCycloneDx, assertValidSarif } from '../report/testdata/validate.js';
import { distrolessImage, hardeningImage, type HardeningFacts } from '../testing/index.js';
import { main } from './main.js';
import { capture } from './testing.js';

interface RuleOut {
  kind: string;
  ruleId: string;
  severity: string;
  location: {
    path: string;
    layer?: { index: number; diffId: string };
    deleted?: boolean;
    startLine?: number;
  };
  evidence?: string;
}
interface ScanOut {
  findings: unknown[];
  ruleFindings: RuleOut[];
  scanners: string[];
  attackSurface?: { score: number; suggestion?: string; counts: Record<string, number> };
}

let hardRef: string;
let facts: HardeningFacts;
let cleanRef: string;

before(async () => {
  const [h, d] = await Promise.all([hardeningImage(), distrolessImage()]);
  hardRef = `oci:${h.layout}:${h.tag}`;
  facts = h.facts;
  cleanRef = `oci:${d.layout}:${d.tag}`;
});

async function scanOut(
  ref: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture();
  const code = await main(['scan', ref, '--scanners', 'secret,misconfig', '--no-cache', ...args], c.io);
  return { code, ...c.text() };
}

/** No output may hold either AWS key: not the id, not any 40-character token hashing to the secret. */
function assertNoAwsKeys(text: string, what: string): void {
  assert.ok(!text.includes(facts.awsAccessKeyId), `${what} shows the access key id`);
  assert.ok(!text.includes(facts.awsAccessKeyId.slice(4)), `${what} shows most of the access key id`);
  for (const token of text.match(/[A-Za-z0-9/+]{40}/g) ?? []) {
    const sha = createHash('sha256').update(token).digest('hex');
    assert.notEqual(sha, facts.awsSecretAccessKeySha256, `${what} shows the secret access key`);
  }
}

test('every planted problem is reported with its layer; the deleted key is still found', async () => {
  const { code, stdout } = await scanOut(hardRef, '-f', 'json');
  assert.equal(code, 0);
  assertNoAwsKeys(stdout, 'JSON');
  const out = JSON.parse(stdout) as ScanOut;
  assert.deepEqual(out.scanners, ['secret', 'misconfig']);
  assert.deepEqual(out.findings, []);
  const at = (ruleId: string, path: string) =>
    out.ruleFindings.filter((f) => f.ruleId === ruleId && f.location.path === path);

  const [setuid] = at('MI020', facts.setuid.path);
  assert.equal(setuid?.severity, 'MEDIUM', 'a setuid binary no package owns');
  assert.equal(setuid?.location.layer?.index, facts.setuid.layer);
  assert.match(setuid?.evidence ?? '', /setuid root \(mode 4755\)/);

  const [writable] = at('MI021', facts.worldWritable.path);
  assert.equal(writable?.location.layer?.index, facts.worldWritable.layer);
  assert.match(writable?.evidence ?? '', /mode 0777, no sticky bit/);

  const [key] = at('private-key', facts.sshKey.path);
  assert.equal(key?.kind, 'secret');
  assert.equal(key?.location.layer?.index, facts.sshKey.addedInLayer);
  assert.equal(key?.location.deleted, true, 'the key is gone from the final filesystem, not from the image');
  assert.equal(key?.location.startLine, 1);
  assert.match(key?.evidence ?? '', /^-----BEGIN OPENSSH PRIVATE KEY----- \*{5} \(\d+ chars\)$/);

  const config = out.ruleFindings.filter((f) => f.location.path === 'image-config' && f.kind === 'secret');
  assert.deepEqual(config.map((f) => f.ruleId).sort(), ['aws-access-token', 'aws-secret-access-key']);
  assert.match(
    config.find((f) => f.ruleId === 'aws-access-token')?.evidence ?? '',
    /^Env AWS_ACCESS_KEY_ID: /,
  );
  assert.ok(at('MI001', 'image-config').length === 1, 'runs as root');

  // Nothing else in the planted layers is reported: the base's findings are all in the base layers.
  const planted = new Set([facts.setuid.layer, facts.sshKey.deletedInLayer]);
  const inPlanted = out.ruleFindings.filter((f) => f.location.layer && planted.has(f.location.layer.index));
  assert.deepEqual(inPlanted.map((f) => `${f.ruleId} ${f.location.path}`).sort(), [
    `MI020 ${facts.setuid.path}`,
    `MI021 ${facts.worldWritable.path}`,
    `private-key ${facts.sshKey.path}`,
  ]);
  assert.ok((out.attackSurface?.score ?? 100) < 60);
  assert.equal(out.attackSurface?.counts['world-writable'], 1);
});

test('the table, SARIF and CycloneDX carry the same findings, valid, and never the keys; --fail-on gates', async () => {
  const table = await scanOut(hardRef, '--fail-on', 'CRITICAL');
  assert.equal(table.code, 1);
  assert.match(table.stderr, /gate failed: 2 finding\(s\) at or above CRITICAL/);
  assertNoAwsKeys(table.stdout + table.stderr, 'table');
  assert.match(
    table.stdout,
    new RegExp(`private-key +HIGH +${facts.sshKey.path}:1, layer ${facts.sshKey.addedInLayer} \\(deleted\\)`),
  );
  assert.match(table.stdout, /^Attack surface: minimality \d+\/100/m);

  const sarif = await scanOut(hardRef, '-f', 'sarif');
  assertValidSarif(sarif.stdout);
  assertNoAwsKeys(sarif.stdout, 'SARIF');
  const results = (
    JSON.parse(sarif.stdout) as {
      runs: Array<{
        results: Array<{ ruleId: string; properties?: { layerIndex?: number; deleted?: boolean } }>;
      }>;
    }
  ).runs[0]?.results;
  const key = results?.find((r) => r.ruleId === 'private-key');
  assert.deepEqual(
    [key?.properties?.layerIndex, key?.properties?.deleted],
    [facts.sshKey.addedInLayer, true],
  );

  const cdx = await scanOut(hardRef, '-f', 'cyclonedx');
  await assertValidCycloneDx(cdx.stdout);
  assertNoAwsKeys(cdx.stdout, 'CycloneDX');
  const ids = (JSON.parse(cdx.stdout) as { vulnerabilities: Array<{ id: string }> }).vulnerabilities.map(
    (v) => v.id,
  );
  for (const id of ['private-key', 'aws-access-token', 'MI020', 'MI021']) assert.ok(ids.includes(id), id);
});

test('a clean distroless-style image: no secret or misconfiguration finding, a perfect score', async () => {
  const { code, stdout, stderr } = await scanOut(cleanRef, '-f', 'json', '--fail-on', 'LOW');
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout) as ScanOut;
  assert.deepEqual(out.ruleFindings, []);
  assert.equal(out.attackSurface?.score, 100);
  assert.equal(out.attackSurface?.suggestion, undefined);
  assert.ok(Object.values(out.attackSurface?.counts ?? { x: 1 }).every((n) => n === 0));
});
