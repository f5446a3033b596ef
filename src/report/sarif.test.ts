import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isMamoriError, type Finding, type RuleFinding } from '../core/index.js';
import {
  renderFindingsSarif,
  type FindingsReport,
  type SuppressedFinding,
  type SuppressedRuleFinding,
} from './index.js';
import { findingsReport, hostileSummary } from './testdata/findings-fixture.js';
import { safeText } from './text.js';
import { assertValidSarif, sarifSchemaValidator } from './testdata/validate.js';

interface Rule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity': string; precision: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string };
      region: { startLine: number; startColumn?: number; endLine?: number; endColumn?: number };
    };
  }[];
  partialFingerprints: Record<string, string>;
  suppressions?: {
    kind: string;
    status: string;
    justification?: string;
    properties: Record<string, string>;
  }[];
  properties: {
    purl?: string;
    installedVersion?: string;
    kind?: string;
    deleted?: boolean;
    layerIndex?: number;
  };
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri?: string;
        semanticVersion?: string;
        rules: Rule[];
      };
    };
    results: SarifResult[];
    invocations?: { executionSuccessful: boolean; endTimeUtc: string }[];
    automationDetails?: { id: string };
    properties: Record<string, unknown>;
  }[];
}

const opts = { toolVersion: '1.2.3', informationUri: 'https://example.com/mamori' } as const;
const validate = sarifSchemaValidator();
const json = renderFindingsSarif(findingsReport, opts);
const log = JSON.parse(json) as SarifLog;
const run = log.runs[0] as SarifLog['runs'][number];
const rules = run.tool.driver.rules;
const FP = 'mamoriFindingHash/v1';

const vulnResult = (id: string, name: string): SarifResult => {
  const r = run.results.find((x) => x.ruleId === id && x.message.text.includes(`in ${name} `));
  assert.ok(r, `result ${id} ${name}`);
  return r;
};
const ruleOf = (r: SarifResult): Rule => rules[r.ruleIndex] as Rule;

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** What identifies each input finding in SARIF: rule id, artifact path and, for packages, the PURL. */
function inputKeys(report: FindingsReport): string[] {
  const vuln = (f: Finding): string =>
    `${f.id}|${f.package.locations[0]?.path.replace(/^\//, '')}|${f.package.purl}`;
  const rule = (r: RuleFinding): string =>
    `${r.ruleId}|${r.location.path.replace(/^\//, '')}|${Math.max(1, r.location.startLine ?? 1)}`;
  return [
    ...report.findings.map(vuln),
    ...(report.suppressed ?? []).map((s) => vuln(s.finding)),
    ...(report.ruleFindings ?? []).map(rule),
    ...(report.suppressedRules ?? []).map((s) => rule(s.finding)),
  ];
}

function outputKeys(l: SarifLog): string[] {
  return (l.runs[0]?.results ?? []).map((r) => {
    const loc = r.locations[0]?.physicalLocation;
    const path = decodeURIComponent(loc?.artifactLocation.uri ?? '');
    return r.properties.kind === undefined
      ? `${r.ruleId}|${path}|${r.properties.purl}`
      : `${r.ruleId}|${path}|${loc?.region.startLine}`;
  });
}

describe('renderFindingsSarif', () => {
  test('validates against the official SARIF 2.1.0 schema', () => {
    assertValidSarif(json, validate);
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-schema-2\.1\.0\.json$/);
  });

  test('the schema validator rejects broken logs (the check can fail)', () => {
    const noMessage = structuredClone(log);
    delete (noMessage.runs[0]?.results[0] as Partial<SarifResult>).message;
    assert.equal(validate(noMessage), false);
    const line0 = structuredClone(log);
    (line0.runs[0]?.results[0] as SarifResult).locations[0]!.physicalLocation.region.startLine = 0;
    assert.equal(validate(line0), false);
    const badUri = structuredClone(log);
    (badUri.runs[0]?.results[0] as SarifResult).locations[0]!.physicalLocation.artifactLocation.uri = 'a b';
    assert.equal(validate(badUri), false);
  });

  test('tool.driver as GitHub code scanning reads it', () => {
    const d = run.tool.driver;
    assert.equal(d.name, 'mamori');
    assert.equal(d.version, '1.2.3');
    assert.equal(d.semanticVersion, '1.2.3');
    assert.equal(d.informationUri, 'https://example.com/mamori');
    assert.deepEqual(
      rules.map((r) => r.id),
      [...rules.map((r) => r.id)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      'rules sorted by id',
    );
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, 'one rule per id');
  });

  test('every rule has what GitHub code scanning displays', () => {
    for (const r of rules) {
      assert.ok(r.shortDescription.text.length > 0 && r.shortDescription.text.length <= 1024, r.id);
      assert.ok(r.fullDescription.text.length > 0 && r.fullDescription.text.length <= 1024, r.id);
      assert.ok(r.help.text.length > 0 && r.help.markdown.length > 0, r.id);
      assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration.level), r.id);
      assert.ok(r.properties.tags.includes('security'), r.id);
      assert.equal(r.properties.precision, 'very-high');
      const sev = r.properties['security-severity'];
      assert.match(sev, /^\d{1,2}\.\d$/, `${r.id} security-severity is a numeric string`);
      assert.ok(Number(sev) >= 0 && Number(sev) <= 10, r.id);
    }
    for (const r of rules.filter((x) => x.properties.tags.includes('vulnerability'))) {
      assert.ok(r.helpUri, `${r.id} has a helpUri`);
    }
  });

  test('security-severity: the CVSS score behind the severity, else the severity mapping', () => {
    const sev = (id: string): string | undefined =>
      rules.find((r) => r.id === id)?.properties['security-severity'];
    assert.equal(sev('CVE-2023-4911'), '7.8', 'CVSS v3.1 base score');
    assert.equal(sev('CVE-2021-44832'), '9.3', 'CVSS v4 score of the CRITICAL rating');
    assert.equal(sev('CVE-2022-3715'), '2.0', 'Debian rated it LOW: LOW mapping, not NVD 7.8');
    assert.equal(sev('CVE-2023-45853'), '9.8');
    assert.equal(sev('GHSA-q5c8-hv3w-7g5x'), '2.0', 'LOW without CVSS');
    assert.equal(sev('GHSA-xxxx-yyyy-zzzz'), '5.5', 'MEDIUM without CVSS');
    assert.equal(sev('CVE-2025-26519'), '0.0', 'UNKNOWN');
    assert.equal(sev('CVE-2023-32681'), '6.1', 'one rule for two packages: the highest score');
    assert.equal(sev('aws-access-key-id'), '9.5', 'CRITICAL rule finding');
    assert.equal(sev('DS002'), '8.0', 'HIGH rule finding');
    assert.equal(sev('CVE-2023-0464'), '5.0', 'MEDIUM from CVSS v2 when no v3 rating is MEDIUM');
  });

  test('levels follow severity: CRITICAL/HIGH error, MEDIUM warning, the rest note', () => {
    assert.equal(vulnResult('CVE-2021-44832', 'log4j-core').level, 'error');
    assert.equal(vulnResult('CVE-2023-4911', 'libc6').level, 'error');
    assert.equal(vulnResult('CVE-2023-32681', 'requests').level, 'warning');
    assert.equal(vulnResult('CVE-2023-32681', 'python3-requests').level, 'note');
    assert.equal(vulnResult('CVE-2022-3715', 'bash').level, 'note');
    assert.equal(vulnResult('CVE-2025-26519', 'musl').level, 'note');
  });

  test('vulnerabilities as Trivy writes image scans: rule per id, located at the package file', () => {
    const r = vulnResult('CVE-2023-4911', 'libc6');
    assert.equal(ruleOf(r).id, 'CVE-2023-4911');
    assert.equal(ruleOf(r).helpUri, 'https://nvd.nist.gov/vuln/detail/CVE-2023-4911');
    assert.deepEqual(r.locations[0]?.physicalLocation, {
      artifactLocation: { uri: 'var/lib/dpkg/status' },
      region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
    });
    const lines = r.message.text.split('\n');
    assert.equal(lines[0], 'CVE-2023-4911 (HIGH) in libc6 2.36-9+deb12u4: fixed in 2.36-9+deb12u5');
    assert.ok(lines.includes('Installed Version: 2.36-9+deb12u4'));
    assert.ok(lines.includes('Fixed Version: 2.36-9+deb12u5'));
    assert.ok(
      lines.some((l) => /^Layer: 0 \(sha256:[0-9a-f]{64}\): # debian\.sh/.test(l)),
      r.message.text,
    );
    assert.equal(r.properties.purl, findingsReport.findings[0]?.package.purl);
    const unfixed = vulnResult('CVE-2022-3715', 'bash');
    assert.match(unfixed.message.text, /: no fix yet\n/);
    assert.match(vulnResult('CVE-2025-26519', 'musl').message.text, /: fix undetermined\n/);
    assert.equal(
      vulnResult('CVE-2023-45288', 'stdlib').locations[0]?.physicalLocation.artifactLocation.uri,
      'usr/local/bin/shop-api',
    );
    assert.equal(
      ruleOf(vulnResult('GHSA-q5c8-hv3w-7g5x', 'left-pad')).helpUri,
      'https://github.com/advisories/GHSA-q5c8-hv3w-7g5x',
    );
  });

  test('one rule serves a vulnerability in two packages; ruleIndex always points at ruleId', () => {
    const a = vulnResult('CVE-2023-32681', 'requests');
    const b = vulnResult('CVE-2023-32681', 'python3-requests');
    assert.equal(a.ruleIndex, b.ruleIndex);
    for (const r of run.results) assert.equal(rules[r.ruleIndex]?.id, r.ruleId);
    assert.match(ruleOf(a).help.text, /Package: requests 2\.28\.1 .*\nPackage: python3-requests/);
  });

  test('rule findings: rule id, path and lines, layer, deleted', () => {
    const secrets = run.results.filter((r) => r.ruleId === 'aws-access-key-id');
    assert.equal(secrets.length, 2);
    const env = secrets.find((r) => r.locations[0]?.physicalLocation.artifactLocation.uri === 'app/.env');
    assert.deepEqual(env?.locations[0]?.physicalLocation.region, {
      startLine: 3,
      startColumn: 19,
      endLine: 3,
      endColumn: 39,
    });
    assert.equal(env?.properties.layerIndex, 2);
    const deleted = secrets.find((r) => r.properties.deleted === true);
    assert.equal(deleted?.locations[0]?.physicalLocation.artifactLocation.uri, 'root/.aws/credentials');
    assert.match(deleted?.message.text ?? '', /Location: \/root\/\.aws\/credentials:2, layer 1 \(deleted\)/);
    const docker = run.results.find((r) => r.ruleId === 'DS002');
    assert.deepEqual(docker?.locations[0]?.physicalLocation, {
      artifactLocation: { uri: 'Dockerfile' },
      region: { startLine: 12 },
    });
    assert.equal(ruleOf(docker as SarifResult).helpUri?.startsWith('https://docs.docker.com/'), true);
    assert.ok(ruleOf(docker as SarifResult).properties.tags.includes('misconfiguration'));
    const config = run.results.find((r) => r.ruleId === 'CIS-DI-0006');
    assert.deepEqual(config?.locations[0]?.physicalLocation, {
      artifactLocation: { uri: 'image-config' },
      region: { startLine: 1 },
    });
    assert.equal(ruleOf(config as SarifResult).helpUri, undefined);
  });

  test('suppressed findings carry an external suppression, or are omitted on request', () => {
    const r = vulnResult('CVE-2024-2961', 'libc6');
    assert.deepEqual(r.suppressions, [
      {
        kind: 'external',
        status: 'accepted',
        justification: 'The image never converts to ISO-2022-CN-EXT.',
        properties: {
          source: 'openvex:vex/shop-api.openvex.json#statements[0]',
          vexStatus: 'not_affected',
          vexJustification: 'vulnerable_code_not_in_execute_path',
        },
      },
    ]);
    assert.equal(vulnResult('CVE-2023-4911', 'libc6').suppressions, undefined);
    const omitted = JSON.parse(
      renderFindingsSarif(findingsReport, { ...opts, suppressed: 'omit' }),
    ) as SarifLog;
    assertValidSarif(JSON.stringify(omitted), validate);
    const ids = omitted.runs[0]?.results.map((x) => x.ruleId) ?? [];
    assert.equal(
      ids.length,
      run.results.length -
        (findingsReport.suppressed?.length ?? 0) -
        (findingsReport.suppressedRules?.length ?? 0),
    );
    assert.ok(omitted.runs[0]?.results.every((x) => x.suppressions === undefined));
    for (const id of ['CVE-2024-2961', 'github-pat', 'DS001']) {
      assert.ok(!ids.includes(id), id);
      assert.ok(
        !omitted.runs[0]?.tool.driver.rules.some((x) => x.id === id),
        `no rule ${id} without results`,
      );
    }
  });

  test('suppressed rule findings carry the same external suppression, status not_affected', () => {
    const pat = run.results.find((r) => r.ruleId === 'github-pat');
    assert.ok(pat);
    assert.deepEqual(pat.suppressions, [
      {
        kind: 'external',
        status: 'accepted',
        justification: 'Test fixture; the token was revoked',
        properties: { source: 'ignore-file:.mamoriignore.yaml#ignore[1]', vexStatus: 'not_affected' },
      },
    ]);
    assert.equal(pat.properties.kind, 'secret');
    assert.deepEqual(pat.locations[0]?.physicalLocation, {
      artifactLocation: { uri: 'app/test/fixtures/gh-token.txt' },
      region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 41 },
    });
    assert.equal(ruleOf(pat).id, 'github-pat');
    assert.ok(ruleOf(pat).properties.tags.includes('secret'));
    assert.equal(
      run.results.find((r) => r.ruleId === 'DS001')?.suppressions?.[0]?.properties.vexStatus,
      'not_affected',
    );
    for (const r of run.results.filter((x) => x.ruleId === 'aws-access-key-id')) {
      assert.equal(r.suppressions, undefined, 'active rule findings carry none');
    }
  });

  test('a rule finding both active and suppressed is one suppressed result; a vex on it is not read', () => {
    const rule = (findingsReport.ruleFindings ?? [])[0] as RuleFinding;
    const s = {
      finding: rule,
      reason: 'accepted',
      source: 'ignore-file:x#ignore[0]',
      vex: { status: 'fixed' },
    };
    for (const report of [
      { target: 't', findings: [], ruleFindings: [rule, { ...rule }], suppressedRules: [s] },
      { target: 't', findings: [], ruleFindings: [rule], suppressedRules: [s, { ...s, reason: 'again' }] },
    ] as FindingsReport[]) {
      const out = renderFindingsSarif(report, opts);
      assertValidSarif(out, validate);
      const results = (JSON.parse(out) as SarifLog).runs[0]?.results ?? [];
      assert.equal(results.length, 1);
      assert.equal(results[0]?.suppressions?.[0]?.justification, 'accepted');
      assert.equal(results[0]?.suppressions?.[0]?.properties.vexStatus, 'not_affected');
    }
    // The suppression does not change the fingerprint: an alert stays the same alert when dismissed.
    const active = JSON.parse(
      renderFindingsSarif({ target: 't', findings: [], ruleFindings: [rule] }, opts),
    ) as SarifLog;
    const dismissed = JSON.parse(
      renderFindingsSarif({ target: 't', findings: [], suppressedRules: [s as SuppressedRuleFinding] }, opts),
    ) as SarifLog;
    assert.equal(
      dismissed.runs[0]?.results[0]?.partialFingerprints[FP],
      active.runs[0]?.results[0]?.partialFingerprints[FP],
    );
  });

  test('every input finding appears exactly once', () => {
    // Ids are written display-safe: compare with the input made display-safe the same way.
    const expected = inputKeys(findingsReport).map(safeText);
    const actual = outputKeys(log);
    assert.equal(actual.length, expected.length);
    assert.deepEqual([...actual].sort(), [...expected].sort());
  });

  test('partialFingerprints are distinct, and stable across runs, input order and options', () => {
    const fps = run.results.map((r) => r.partialFingerprints[FP]);
    assert.ok(fps.every((f) => typeof f === 'string' && /^[0-9a-f]{32}$/.test(f)));
    assert.equal(new Set(fps).size, fps.length, 'distinct');
    const byKey = (l: SarifLog): Map<string, string | undefined> => {
      const keys = outputKeys(l);
      return new Map(l.runs[0]?.results.map((r, i) => [keys[i] as string, r.partialFingerprints[FP]]));
    };
    const reordered: FindingsReport = {
      ...findingsReport,
      findings: shuffled(findingsReport.findings, 7),
      ruleFindings: shuffled(findingsReport.ruleFindings ?? [], 11),
      suppressed: shuffled(findingsReport.suppressed ?? [], 13),
      suppressedRules: shuffled(findingsReport.suppressedRules ?? [], 17),
    };
    const again = JSON.parse(
      renderFindingsSarif(reordered, { toolVersion: '9.9.9', timestamp: new Date(), category: 'image' }),
    ) as SarifLog;
    assert.deepEqual(byKey(again), byKey(log));
    // A finding keeps its fingerprint when its severity, summary or fix changes, or when it is suppressed.
    const [first, ...rest] = findingsReport.findings as Finding[];
    const changed = JSON.parse(
      renderFindingsSarif(
        {
          target: 'other',
          findings: rest,
          suppressed: [
            {
              finding: { ...(first as Finding), severity: 'LOW', summary: 'new text', fixedVersions: [] },
              reason: 'x',
              source: 'y',
            },
          ],
        },
        opts,
      ),
    ) as SarifLog;
    const libc = changed.runs[0]?.results.find((r) => r.ruleId === 'CVE-2023-4911');
    assert.equal(libc?.partialFingerprints[FP], vulnResult('CVE-2023-4911', 'libc6').partialFingerprints[FP]);
  });

  test('findings that differ only in package version, path, layer or line get different fingerprints', () => {
    const base = findingsReport.findings[0] as Finding;
    const rule = (findingsReport.ruleFindings ?? [])[0] as RuleFinding;
    const report: FindingsReport = {
      target: 't',
      findings: [
        base,
        { ...base, package: { ...base.package, version: '2.36-9+deb12u3' } },
        { ...base, package: { ...base.package, locations: [{ path: '/other/status' }] } },
      ],
      ruleFindings: [
        rule,
        { ...rule, location: { ...rule.location, startLine: 4 } },
        { ...rule, location: { ...rule.location, layer: { index: 1, diffId: 'sha256:aa' } } },
        { ...rule, location: { ...rule.location, deleted: true } },
      ],
    };
    const l = JSON.parse(renderFindingsSarif(report, opts)) as SarifLog;
    const fps = l.runs[0]?.results.map((r) => r.partialFingerprints[FP]) ?? [];
    assert.equal(fps.length, 7);
    assert.equal(new Set(fps).size, 7);
  });

  test('exact duplicates are merged; a suppressed copy wins over an active one', () => {
    const f = findingsReport.findings[0] as Finding;
    const s: SuppressedFinding = { finding: f, reason: 'r', source: 'openvex:x.json' };
    const l = JSON.parse(
      renderFindingsSarif({ target: 't', findings: [f, { ...f }], suppressed: [s] }, opts),
    ) as SarifLog;
    assert.equal(l.runs[0]?.results.length, 1);
    assert.equal(l.runs[0]?.results[0]?.suppressions?.length, 1);
  });

  test('hostile strings: no raw controls in texts, Markdown escaped, descriptions bounded', () => {
    const evil = run.results.find((r) => r.ruleId.startsWith('CVE-2024-0001'));
    assert.ok(evil);
    assert.equal(evil.ruleId, 'CVE-2024-0001\\u{7}', 'control characters in ids are escaped');
    const rule = ruleOf(evil);
    for (const t of [evil.message.text, rule.help.text, rule.help.markdown, rule.shortDescription.text]) {
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(t.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    assert.equal(rule.shortDescription.text.length, 1024);
    assert.ok(rule.help.text.length < hostileSummary.length, 'help is bounded');
    assert.doesNotMatch(rule.help.markdown, /\[click\]\(javascript/);
    assert.doesNotMatch(rule.help.markdown, /<script>/);
    assert.match(rule.help.markdown, /\\\[click\\\]\\\(javascript:alert\\\(1\\\)\\\)/);
    const unicode = run.results.find((r) => r.ruleId === 'MD\\u{1b}[2J-evil');
    assert.equal(
      unicode?.locations[0]?.physicalLocation.artifactLocation.uri,
      'app/%D0%BA%D0%BE%D0%BD%D1%84%D0%B8%D0%B3%20dir/secret%20file%3F.txt',
    );
    assert.equal(unicode?.locations[0]?.physicalLocation.region.startLine, 1, 'line 0 is no line');
    const jp = ruleOf(vulnResult('GHSA-xxxx-yyyy-zzzz', '日本語-ツール'));
    assert.equal(jp.shortDescription.text, 'ユニコードの概要 — résumé with emoji 🚀 and combining é');
  });

  test('no time unless given; category and timestamp when given', () => {
    assert.equal(run.invocations, undefined);
    assert.equal(run.automationDetails, undefined);
    const l = JSON.parse(
      renderFindingsSarif(findingsReport, {
        ...opts,
        timestamp: new Date('2024-05-01T12:00:00Z'),
        category: 'container/shop-api',
      }),
    ) as SarifLog;
    assertValidSarif(JSON.stringify(l), validate);
    assert.deepEqual(l.runs[0]?.invocations, [
      { executionSuccessful: true, endTimeUtc: '2024-05-01T12:00:00.000Z' },
    ]);
    assert.deepEqual(l.runs[0]?.automationDetails, { id: 'container/shop-api/' });
    assert.equal(renderFindingsSarif(findingsReport, opts), json, 'byte-identical on a second run');
  });

  test('without an inventory, and with nothing found, the log is still valid', () => {
    const { inventory: _inventory, ...bare } = findingsReport;
    const l = renderFindingsSarif(bare, opts);
    assertValidSarif(l, validate);
    assert.doesNotMatch(l, /debian\.sh/, 'no layer instructions without the inventory');
    const empty = renderFindingsSarif({ target: 'oci:x', findings: [] }, { toolVersion: '1.0.0' });
    assertValidSarif(empty, validate);
    const e = JSON.parse(empty) as SarifLog;
    assert.deepEqual(e.runs[0]?.results, []);
    assert.deepEqual(e.runs[0]?.tool.driver.rules, []);
  });

  test('bad options are refused with INVALID_ARGUMENT', () => {
    for (const bad of [
      { informationUri: 'not a url' },
      { informationUri: 'javascript:alert(1)' },
      { category: '' },
      { category: 'a\nb' },
      { timestamp: new Date('nope') },
      { toolVersion: 'has space' },
    ]) {
      assert.throws(
        () => renderFindingsSarif(findingsReport, bad),
        (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
        JSON.stringify(bad),
      );
    }
  });
});
