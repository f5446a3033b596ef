/** Findings renderers given a damaged report (as read back from an untrusted JSON file) still write valid documents. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../core/index.js';
import {
  renderFindingsCycloneDx,
  renderFindingsJson,
  renderFindingsSarif,
  renderFindingsTable,
  type FindingsReport,
} from './index.js';
import { fixtureInventory } from './testdata/fixture.js';
import { findingsReport } from './testdata/findings-fixture.js';
import { assertCycloneDxRefs, assertValidCycloneDx, assertValidSarif } from './testdata/validate.js';

const good = findingsReport.findings[0] as Finding;
const longVersion = `1.${'9'.repeat(2000)}`;

const raw: unknown = {
  target: 'weird\u0000target',
  findings: [
    null,
    7,
    { id: '', package: good.package },
    { id: 'NO-PACKAGE' },
    { id: 'BAD-NAME', package: { name: 42 } },
    {
      id: 'CVE-2024-9999',
      aliases: 'not a list',
      package: {
        name: 'weird',
        version: longVersion,
        type: 7,
        purl: 'not a purl',
        locations: [null, { path: '' }, { path: '/ok', layer: { index: -1, diffId: 3 } }, 'x'],
        layer: { index: 1.5, diffId: 'sha256:x' },
      },
      status: 'maybe',
      fixedVersions: [1, '', 'x'.repeat(10_000), '2.0'],
      severity: 'APOCALYPTIC',
      severities: [
        null,
        { type: 'CVSS_V3', score: 'CVSS:3.1/garbage', baseScore: 99, severity: 'HUGE' },
        {
          type: 'CVSS_V3',
          score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          baseScore: 9.8,
          severity: 'CRITICAL',
        },
      ],
      summary: 12,
      references: ['https://ok.example/a', 'http://[::1', 'x'.repeat(5000)],
      published: '+275760-09-13T00:00:00.000Z',
    },
    { ...good, package: { ...good.package, locations: [{ path: '../../../../etc/passwd' }] } },
    { id: 'CVE-2024-7777', package: { name: 'nowhere', version: '1' } },
  ],
  ruleFindings: [
    null,
    { ruleId: 'NO-LOCATION' },
    { ruleId: 'EMPTY-PATH', location: { path: '' } },
    { ruleId: '', location: { path: '/x' } },
    {
      kind: 'something',
      ruleId: 'R1',
      severity: 7,
      location: { path: '//a/./b/../c', startLine: -3, startColumn: 2, endLine: 1e20, endColumn: 'x' },
      references: ['javascript:alert(1)'],
    },
    {
      kind: 'secret',
      ruleId: 'R2',
      location: { path: 'C:/windows/x', startLine: 5, endLine: 2, endColumn: 9 },
    },
  ],
  suppressed: [
    null,
    { reason: 'no finding' },
    { finding: good, vex: { status: 'bogus', justification: 7 }, reason: 42, source: null },
  ],
  suppressedRules: [
    null,
    'x',
    { reason: 'no finding' },
    { finding: { ruleId: 'NO-LOCATION' }, reason: 'r', source: 's' },
    {
      finding: { kind: 'secret', ruleId: 'R3', location: { path: '/s', deleted: 'yes' }, severity: 'HIGH' },
      reason: ['not text'],
      source: 9,
      vex: { status: 'affected' },
    },
  ],
};
const report = raw as FindingsReport;

test('SARIF from a damaged report is schema-valid and counts what it dropped', () => {
  const json = renderFindingsSarif(report, { toolVersion: '1.0.0' });
  assertValidSarif(json);
  const log = JSON.parse(json) as {
    runs: {
      results: {
        ruleId: string;
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[];
      }[];
      properties: Record<string, unknown>;
    }[];
  };
  const run = log.runs[0];
  assert.ok(run);
  assert.equal(run.properties['droppedFindings'], 15);
  const ids = run.results.map((r) => r.ruleId).sort();
  assert.deepEqual(ids, [
    'CVE-2023-4911',
    'CVE-2023-4911',
    'CVE-2024-7777',
    'CVE-2024-9999',
    'R1',
    'R2',
    'R3',
  ]);
  const uris = run.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri);
  assert.ok(uris.includes('ok'), 'the one usable location');
  assert.ok(uris.includes('../../../../etc/passwd'), 'a relative path stays relative, never absolute');
  assert.ok(uris.includes('a/c'), 'dot segments resolved');
  assert.ok(uris.includes('C%3A/windows/x'), 'a colon never reads as a URI scheme');
  assert.ok(uris.includes('weird%00target'), 'a package without a file is located at the target');
  const r2 = run.results.find((r) => r.ruleId === 'R2');
  assert.deepEqual(
    r2?.locations[0]?.physicalLocation.region,
    { startLine: 5 },
    'an end before the start is dropped',
  );
});

test('CycloneDX from a damaged report is valid: long versions, bad dates and URLs left out', async () => {
  const json = renderFindingsCycloneDx({ ...report, inventory: fixtureInventory }, { toolVersion: '1.0.0' });
  await assertValidCycloneDx(json);
  assertCycloneDxRefs(json);
  const bom = JSON.parse(json) as {
    components: { name: string; version?: string }[];
    vulnerabilities: {
      id: string;
      published?: string;
      affects: { versions?: unknown[] }[];
      ratings?: unknown[];
      analysis?: unknown;
    }[];
  };
  const weird = bom.vulnerabilities.find((v) => v.id === 'CVE-2024-9999');
  assert.ok(weird);
  assert.equal(weird.published, undefined);
  assert.equal(weird.affects[0]?.versions, undefined, 'a version over 1,024 characters is not written');
  assert.equal(weird.ratings?.length, 2);
  const component = bom.components.find((c) => c.name === 'weird');
  assert.ok(component, 'a component for the package the inventory lacks');
  assert.equal(component.version, undefined);
  const rules = bom.vulnerabilities.filter((v) => v.id.startsWith('R'));
  assert.deepEqual(
    rules.map((v) => v.id),
    ['R1', 'R2', 'R3'],
    'usable rule findings, active and suppressed',
  );
  assert.deepEqual(rules[2]?.analysis, { state: 'not_affected' }, 'an ignore file: no VEX status, no reason');
});

test('table and JSON never throw on a damaged report', () => {
  const table = renderFindingsTable(report);
  assert.equal(
    table.split('\n')[0],
    'weird\\u{0}target: 3 vulnerabilities (HIGH: 1, UNKNOWN: 2), 2 rule findings (UNKNOWN: 2), 2 suppressed',
  );
  const json = JSON.parse(renderFindingsJson(report)) as {
    suppressedRules: unknown[];
    totals: Record<string, number>;
  };
  assert.equal(json.suppressedRules.length, 5, 'the JSON keeps entries as given, only sorted');
  assert.equal(json.totals['suppressedRules'], 5);
});
