import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuleFinding } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import {
  renderFindingsCycloneDx,
  renderFindingsSarif,
  type FindingsReport,
  type SuppressedRuleFinding,
} from './index.js';
import { fixtureInventory } from './testdata/fixture.js';
import { findingsReport } from './testdata/findings-fixture.js';
import { assertCycloneDxRefs, assertValidCycloneDx } from './testdata/validate.js';

interface Vuln {
  'bom-ref': string;
  id: string;
  source?: { name?: string; url?: string };
  ratings?: { severity?: string; method?: string; source?: unknown }[];
  cwes?: number[];
  description?: string;
  detail?: string;
  recommendation?: string;
  advisories?: { url: string }[];
  analysis?: { state: string; justification?: string; detail?: string };
  affects: { ref: string; versions?: unknown[] }[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  metadata: { component: { 'bom-ref': string; name: string; type: string } };
  components: { 'bom-ref': string }[];
  vulnerabilities?: Vuln[];
}

const opts = { toolVersion: '0.0.0-golden' } as const;
const json = renderFindingsCycloneDx(findingsReport, opts);
const bom = JSON.parse(json) as Bom;
const all = bom.vulnerabilities ?? [];
const rules = all.filter((v) => v['bom-ref'].startsWith('mamori:rule:'));
const image = bom.metadata.component['bom-ref'];
const activeRules = findingsReport.ruleFindings ?? [];
const suppressedRules = findingsReport.suppressedRules ?? [];

function entry(ruleId: string, path: string): Vuln {
  const v = rules.find((x) => x.id === ruleId && props(x)['mamori:rule:path'] === path);
  assert.ok(v, `rule entry ${ruleId} at ${path}`);
  return v;
}

function props(v: Vuln): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of v.properties ?? []) {
    assert.equal(out[p.name], undefined, `property ${p.name} once`);
    out[p.name] = p.value;
  }
  return out;
}

function render(report: FindingsReport, inventory: Inventory = fixtureInventory): Bom {
  return JSON.parse(renderFindingsCycloneDx({ ...report, inventory }, opts)) as Bom;
}

describe('renderFindingsCycloneDx: rule findings', () => {
  test('valid CycloneDX 1.6 (library strict validator); one entry per rule finding, after the packages', async () => {
    await assertValidCycloneDx(json);
    assertCycloneDxRefs(json);
    assert.equal(rules.length, activeRules.length + suppressedRules.length);
    assert.deepEqual(all.slice(all.length - rules.length), rules, 'rule entries come last');
    assert.equal(new Set(all.map((v) => v['bom-ref'])).size, all.length, 'bom-refs unique');
    // Line 0 is no line.
    const line = (n: number | undefined): string => (n !== undefined && n >= 1 ? String(n) : '');
    const key = (r: RuleFinding): string => `${r.ruleId}|${r.location.path}|${line(r.location.startLine)}`;
    assert.deepEqual(
      rules
        .map((v) => `${v.id}|${props(v)['mamori:rule:path']}|${props(v)['mamori:rule:line'] ?? ''}`)
        .sort(),
      [...activeRules.map(key), ...suppressedRules.map((s) => key(s.finding))].sort(),
      'every rule finding exactly once',
    );
  });

  test('the validator rejects a broken rule entry (the check can fail)', async () => {
    const broken = structuredClone(bom);
    const v = (broken.vulnerabilities ?? []).find((x) => x.cwes !== undefined) as Vuln;
    (v as unknown as { cwes: unknown[] }).cwes = ['CWE-798'];
    await assert.rejects(assertValidCycloneDx(JSON.stringify(broken)));
    const noRef = structuredClone(bom);
    ((noRef.vulnerabilities ?? []).at(-1) as Vuln).affects = [{} as Vuln['affects'][number]];
    await assert.rejects(assertValidCycloneDx(JSON.stringify(noRef)));
  });

  test('a secret: id, mamori as source, texts, CWE-798, rating, advisories, the image, properties', () => {
    const v = entry('aws-access-key-id', '/app/.env');
    const fp = props(v)['mamori:finding:fingerprint'] ?? '';
    assert.match(fp, /^[0-9a-f]{32}$/);
    const layer2 = findingsReport.inventory.source.layers[2];
    assert.deepEqual(v, {
      'bom-ref': `mamori:rule:aws-access-key-id:${fp}`,
      id: 'aws-access-key-id',
      source: { name: 'mamori' },
      ratings: [{ severity: 'critical', method: 'other' }],
      cwes: [798],
      description: 'AWS access key ID',
      detail: 'A cloud credential in an image can be read by anyone who can pull it.',
      recommendation: 'Remove the key from the image and rotate it.',
      advisories: [
        { url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html' },
      ],
      affects: [{ ref: image }],
      properties: [
        { name: 'mamori:rule:kind', value: 'secret' },
        { name: 'mamori:rule:path', value: '/app/.env' },
        { name: 'mamori:rule:line', value: '3' },
        { name: 'mamori:rule:layerIndex', value: '2' },
        { name: 'mamori:rule:layerDiffID', value: layer2?.diffId },
        { name: 'mamori:rule:evidence', value: 'AWS_ACCESS_KEY_ID=AKIA****************' },
        { name: 'mamori:finding:fingerprint', value: fp },
      ],
    });
    assert.equal(bom.metadata.component.type, 'container', 'affects the image itself');
    const deleted = props(entry('aws-access-key-id', '/root/.aws/credentials'));
    assert.equal(deleted['mamori:rule:deleted'], 'true');
    assert.equal(deleted['mamori:rule:layerIndex'], '1');
    assert.equal(props(entry('private-key', '/root/.ssh/id_rsa'))['mamori:rule:line'], '1');
  });

  test('misconfigurations: no CWE unless a reference names one, no layer or line when there is none', () => {
    const ds002 = entry('DS002', 'Dockerfile');
    assert.equal(ds002.cwes, undefined);
    assert.deepEqual(ds002.ratings, [{ severity: 'high', method: 'other' }]);
    assert.deepEqual(
      (ds002.properties ?? []).map((p) => p.name),
      ['mamori:rule:kind', 'mamori:rule:path', 'mamori:rule:line', 'mamori:finding:fingerprint'],
    );
    assert.equal(props(ds002)['mamori:rule:kind'], 'misconfig');
    const config = entry('CIS-DI-0006', 'image-config');
    assert.equal(config.recommendation, undefined, 'no fix, no recommendation');
    assert.equal(config.advisories, undefined);
    assert.equal(props(config)['mamori:rule:line'], undefined);
    assert.deepEqual(config.affects, [{ ref: image }]);
    assert.deepEqual(entry('DS001', 'Dockerfile').cwes, [1357], 'CWE named by its definition page');
  });

  test('suppressed rule findings carry an analysis (not_affected, the reason) and their source', () => {
    const pat = entry('github-pat', '/app/test/fixtures/gh-token.txt');
    assert.deepEqual(pat.analysis, { state: 'not_affected', detail: 'Test fixture; the token was revoked' });
    assert.equal(props(pat)['mamori:suppression:source'], 'ignore-file:.mamoriignore.yaml#ignore[1]');
    assert.deepEqual(pat.cwes, [798]);
    assert.equal(props(pat)['mamori:rule:evidence'], 'ghp_************************************');
    assert.deepEqual(entry('DS001', 'Dockerfile').analysis, {
      state: 'not_affected',
      detail: 'The build system pins the base image by digest',
    });
    for (const v of rules.filter((x) => !x.id.startsWith('github-pat') && x.id !== 'DS001')) {
      assert.equal(v.analysis, undefined, `${v.id} is active`);
      assert.equal(props(v)['mamori:suppression:source'], undefined);
    }
  });

  test('a finding both active and suppressed is one entry, suppressed', async () => {
    const secret = activeRules[0] as RuleFinding;
    const s: SuppressedRuleFinding = {
      finding: secret,
      reason: 'rotated',
      source: 'ignore-file:x#ignore[0]',
    };
    const out = renderFindingsCycloneDx(
      {
        target: 't',
        findings: [],
        ruleFindings: [secret, { ...secret }],
        suppressedRules: [s],
        inventory: fixtureInventory,
      },
      opts,
    );
    await assertValidCycloneDx(out);
    const vs = (JSON.parse(out) as Bom).vulnerabilities ?? [];
    assert.equal(vs.length, 1);
    assert.deepEqual(vs[0]?.analysis, { state: 'not_affected', detail: 'rotated' });
  });

  test('fingerprints are the SARIF partialFingerprints of the same findings', () => {
    const sarif = JSON.parse(renderFindingsSarif(findingsReport, opts)) as {
      runs: { results: { ruleId: string; partialFingerprints: Record<string, string> }[] }[];
    };
    const fromSarif = new Set(
      sarif.runs[0]?.results.map((r) => r.partialFingerprints['mamoriFindingHash/v1']),
    );
    for (const v of rules) assert.ok(fromSarif.has(props(v)['mamori:finding:fingerprint']), v.id);
  });

  test('deterministic: input order does not matter, entries sorted by rule id, path, line', () => {
    const reordered = renderFindingsCycloneDx(
      {
        ...findingsReport,
        ruleFindings: [...activeRules].reverse(),
        suppressedRules: [...suppressedRules].reverse(),
      },
      opts,
    );
    assert.equal(reordered, json);
    const keys = rules.map((v): [string, string] => [v.id, props(v)['mamori:rule:path'] ?? '']);
    const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
    assert.deepEqual(
      keys,
      [...keys].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1])),
    );
  });

  test('hostile field values: controls, huge strings, missing fields, odd URLs — still valid', async () => {
    const huge = `why\u0000\u001b[2J\u202e ${'y'.repeat(100_000)}`;
    const hostile = [
      {
        kind: 'secret',
        ruleId: `evil\u0000\u0007\u001b[31m\u202e${'r'.repeat(10_000)}`,
        title: 'T\u0000itle\r\n<script>',
        severity: 'HIGH',
        rationale: huge,
        fix: `fix\u0085\u2028${'f'.repeat(30_000)}`,
        location: {
          path: `/a\u0000b/\ud800lone/${'p'.repeat(5000)}`,
          layer: { index: 0, diffId: 'sha256:\u0000' },
          startLine: 7,
        },
        evidence: `\u0000\u001f${'e'.repeat(3000)}`,
        references: [
          'https://example.com/a',
          'https://example.com/a#',
          'HTTPS://EXAMPLE.com/a',
          'javascript:alert(1)',
          'https://cwe.mitre.org/data/definitions/0.html',
          'https://cwe.mitre.org/data/definitions/9999999.html',
          'https://cwe.mitre.org/data/definitions/798.html',
          'CWE-79',
          42,
        ],
      },
      { ruleId: 'BARE', location: { path: 'image-config' } },
      { kind: 'misconfig', ruleId: 'NO-LOC', severity: 'HIGH' },
      {
        kind: 'misconfig',
        ruleId: 'REFS',
        location: { path: 'x' },
        references: 'https://cwe.mitre.org/x',
        severity: 'LOW',
      },
    ] as unknown as RuleFinding[];
    const suppressed = [
      { finding: hostile[1], reason: '', source: '' },
      { finding: { ruleId: 'S2', location: { path: '/s' }, kind: 'secret' }, reason: 'r\u0000', source: 's' },
    ] as unknown as SuppressedRuleFinding[];
    const out = renderFindingsCycloneDx(
      {
        target: 't',
        findings: [],
        ruleFindings: hostile,
        suppressedRules: suppressed,
        inventory: fixtureInventory,
      },
      opts,
    );
    await assertValidCycloneDx(out);
    assertCycloneDxRefs(out);
    const vs = (JSON.parse(out) as Bom).vulnerabilities ?? [];
    assert.deepEqual(
      vs.map((v) => v.id.slice(0, 6)),
      ['BARE', 'REFS', 'S2', 'evil\u0000\u0007'],
      'NO-LOC (no location) dropped',
    );
    const [bare, refs, s2, evil] = vs as [Vuln, Vuln, Vuln, Vuln];
    // A missing title reads as the rule id; no rationale, no detail; no severity, no rating; no kind, a misconfiguration.
    assert.equal(bare.description, 'BARE');
    assert.equal(bare.detail, undefined);
    assert.equal(bare.ratings, undefined);
    assert.equal(props(bare)['mamori:rule:kind'], 'misconfig');
    assert.deepEqual(
      bare.analysis,
      { state: 'not_affected' },
      'suppressed (it was also active): no reason, no detail',
    );
    assert.equal(props(bare)['mamori:suppression:source'], 'unknown');
    assert.equal(refs.advisories, undefined, 'references that are not a list are ignored');
    assert.equal(refs.cwes, undefined);
    assert.deepEqual(s2.cwes, [798]);
    assert.deepEqual(s2.analysis, { state: 'not_affected', detail: 'r\u0000' });
    // Long texts are cut (ids at 4,096, free text at 16,384, evidence at 1,024 code units), kept as data.
    assert.equal(evil.id.length, 4096);
    assert.ok(evil['bom-ref'].startsWith(`mamori:rule:${evil.id}:`));
    assert.equal(evil.detail?.length, 16_384);
    assert.ok(huge.startsWith(evil.detail?.slice(0, -1) ?? 'x'));
    assert.equal(evil.recommendation?.length, 16_384);
    assert.equal(props(evil)['mamori:rule:evidence']?.length, 1024);
    assert.equal(props(evil)['mamori:rule:path']?.length, 4096);
    assert.equal(props(evil)['mamori:rule:layerIndex'], '0');
    assert.equal(props(evil)['mamori:rule:layerDiffID'], 'sha256:\u0000');
    assert.equal(evil.description, 'T\u0000itle\r\n<script>');
    assert.deepEqual(
      evil.advisories?.map((a) => a.url),
      [
        'https://example.com/a',
        'https://example.com/a#',
        'https://cwe.mitre.org/data/definitions/0.html',
        'https://cwe.mitre.org/data/definitions/9999999.html',
        'https://cwe.mitre.org/data/definitions/798.html',
      ],
      'http(s) only, each URL once however spelled',
    );
    assert.deepEqual(evil.cwes, [798], 'CWE 0 and out-of-range numbers are no CWE; 798 once');
  });

  test('an inventory that names no image: the entries affect the unnamed image', async () => {
    const { name: _n, ref: _r, manifestDigest: _m, tag: _t, ...source } = fixtureInventory.source;
    const inv = { ...fixtureInventory, source: source as Inventory['source'] };
    const out = render({ target: 't', findings: [], ruleFindings: activeRules.slice(0, 1) }, inv);
    await assertValidCycloneDx(JSON.stringify(out));
    assert.equal(out.metadata.component.name, 'unknown');
    assert.deepEqual(out.vulnerabilities?.[0]?.affects, [{ ref: out.metadata.component['bom-ref'] }]);
  });
});
