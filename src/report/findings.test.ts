import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding, RuleFinding } from '../core/index.js';
import {
  renderFindingsJson,
  renderFindingsTable,
  type SuppressedFinding,
  type SuppressedRuleFinding,
} from './index.js';
import { findingsReport } from './testdata/findings-fixture.js';

const libc = findingsReport.findings[0] as Finding;
const secret = (findingsReport.ruleFindings ?? [])[0] as RuleFinding;
const suppressed = (findingsReport.suppressed ?? [])[0] as SuppressedFinding;
const suppressedRules = findingsReport.suppressedRules ?? [];
const suppressedSecret = suppressedRules[0] as SuppressedRuleFinding;

describe('renderFindingsTable', () => {
  const table = renderFindingsTable(findingsReport);
  const lines = table.split('\n');

  test('summary: active findings per severity, and the number suppressed (vulnerabilities and rules)', () => {
    assert.equal(
      lines[0],
      'docker://ghcr.io/acme/shop-api:1.4.2: 12 vulnerabilities (CRITICAL: 2, HIGH: 3, MEDIUM: 3, LOW: 2, NEGLIGIBLE: 1, UNKNOWN: 1), ' +
        '6 rule findings (CRITICAL: 2, HIGH: 2, MEDIUM: 1, LOW: 1), 6 suppressed',
    );
  });

  test('vulnerabilities most severe first, suppressed ones not listed', () => {
    const start = lines.findIndex((l) => l.startsWith('PACKAGE'));
    const rows = lines.slice(start + 1, lines.indexOf('', start));
    assert.equal(rows.length, 12);
    assert.match(rows[0] ?? '', /^log4j-core +CVE-2021-44832 +CRITICAL +2\.17\.1 +2\.17\.2 +Remote code/);
    assert.match(rows[11] ?? '', /^musl +CVE-2025-26519 +UNKNOWN +1\.2\.4-r2 +\(undetermined\)$/);
    assert.ok(!table.includes('CVE-2024-2961'), 'suppressed findings are only counted');
  });

  test('rule findings in a second section: rule, severity, location with line, layer and deletion', () => {
    const start = lines.findIndex((l) => l.startsWith('RULE'));
    assert.match(lines[start] ?? '', /^RULE +SEVERITY +LOCATION +TITLE +EVIDENCE$/);
    const rows = lines.slice(start + 1).filter((l) => l.length > 0);
    assert.equal(rows.length, 6);
    assert.match(
      rows[0] ?? '',
      /^aws-access-key-id +CRITICAL +\/app\/\.env:3, layer 2 +AWS access key ID +AWS_ACCESS_KEY_ID=AKIA\*+$/,
    );
    assert.ok(rows.some((r) => r.includes('/root/.aws/credentials:2, layer 1 (deleted)')));
    assert.ok(rows.some((r) => /^DS002 +HIGH +Dockerfile:12 +Image user should not be root$/.test(r)));
    assert.ok(rows.some((r) => /^CIS-DI-0006 +LOW +image-config +No HEALTHCHECK/.test(r)));
  });

  test('suppressed rule findings are counted, not listed', () => {
    assert.equal(suppressedRules.length, 2);
    assert.ok(!table.includes('github-pat') && !table.includes('gh-token.txt'));
    assert.ok(!table.includes('DS001'));
    const only = renderFindingsTable({ target: 't', findings: [], suppressedRules: [suppressedSecret] });
    assert.equal(only, 't: 0 vulnerabilities, 1 suppressed\n');
    assert.equal(
      renderFindingsTable(
        { target: 't', findings: [], ruleFindings: [secret], suppressedRules: [suppressedSecret] },
        { rulesOnly: true },
      ).split('\n')[0],
      't: 1 rule finding (CRITICAL: 1), 1 suppressed',
    );
    // The same finding active and suppressed: suppressed wins, whichever list comes first.
    const both = renderFindingsTable({
      target: 't',
      findings: [],
      ruleFindings: [suppressedSecret.finding, secret],
      suppressedRules: [suppressedSecret],
    });
    assert.equal(both.split('\n')[0], 't: 0 vulnerabilities, 1 rule finding (CRITICAL: 1), 1 suppressed');
    assert.ok(!both.includes('gh-token.txt'));
  });

  test('hostile cells are escaped and bounded', () => {
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(table, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    assert.ok(table.includes('MD\\u{1b}[2J-evil'));
    assert.ok(
      lines.every((l) => l.length < 600),
      'no 20,000-character line',
    );
  });

  test('reports without rule findings or suppressions render as before', () => {
    assert.equal(renderFindingsTable({ target: 't', findings: [] }), 't: 0 vulnerabilities\n');
    const one = renderFindingsTable({ target: 't', findings: [libc] });
    assert.equal(one.split('\n')[0], 't: 1 vulnerability (HIGH: 1)');
    assert.ok(!one.includes('RULE') && !one.includes('suppressed'));
    assert.equal(
      renderFindingsTable({ target: 't', findings: [], suppressed: [suppressed] }),
      't: 0 vulnerabilities, 1 suppressed\n',
    );
    const rulesOnly = renderFindingsTable({ target: 't', findings: [], ruleFindings: [secret] });
    assert.equal(rulesOnly.split('\n')[0], 't: 0 vulnerabilities, 1 rule finding (CRITICAL: 1)');
    assert.match(rulesOnly, /\nRULE +SEVERITY/);
  });

  test('malformed entries are skipped, not thrown on', () => {
    const bad = {
      target: 't',
      findings: [null, { id: 'X' }, libc] as unknown as Finding[],
      ruleFindings: [{}] as RuleFinding[],
    };
    assert.equal(renderFindingsTable(bad).split('\n')[0], 't: 1 vulnerability (HIGH: 1)');
  });
});

describe('renderFindingsJson', () => {
  const doc = JSON.parse(renderFindingsJson(findingsReport)) as {
    schemaVersion: number;
    target: string;
    counts: Record<string, number>;
    findings: Finding[];
    ruleCounts: Record<string, number>;
    ruleFindings: RuleFinding[];
    suppressed: SuppressedFinding[];
    suppressedRules: SuppressedRuleFinding[];
    totals: Record<string, number>;
  };

  test('keeps the earlier keys and adds rule findings, suppressed findings and totals', () => {
    assert.deepEqual(Object.keys(doc), [
      'schemaVersion',
      'target',
      'counts',
      'findings',
      'ruleCounts',
      'ruleFindings',
      'suppressed',
      'suppressedRules',
      'totals',
    ]);
    assert.equal(doc.counts['CRITICAL'], 2);
    assert.equal(doc.ruleCounts['CRITICAL'], 2);
    assert.deepEqual(doc.totals, { vulnerabilities: 12, ruleFindings: 6, suppressed: 4, suppressedRules: 2 });
    assert.deepEqual(
      doc.suppressed.find((s) => s.finding.id === 'CVE-2024-2961'),
      suppressed,
    );
  });

  test('suppressed rule findings as given, most severe first, then by rule id', () => {
    assert.deepEqual(doc.suppressedRules, suppressedRules);
    assert.deepEqual(
      doc.suppressedRules.map((s) => s.finding.ruleId),
      ['github-pat', 'DS001'],
    );
    const extra: SuppressedRuleFinding = {
      ...suppressedSecret,
      finding: { ...suppressedSecret.finding, ruleId: 'aws-access-key-id' },
    };
    const d = JSON.parse(
      renderFindingsJson({
        target: 't',
        findings: [],
        suppressedRules: [...suppressedRules].reverse().concat(extra),
      }),
    ) as typeof doc;
    assert.deepEqual(
      d.suppressedRules.map((s) => s.finding.ruleId),
      ['aws-access-key-id', 'github-pat', 'DS001'],
    );
    assert.deepEqual(d.totals, { vulnerabilities: 0, ruleFindings: 0, suppressed: 0, suppressedRules: 3 });
  });

  test('every finding exactly once, most severe first, whatever the input order', () => {
    assert.deepEqual(
      [...doc.findings].sort((a, b) => (a.id + a.package.name < b.id + b.package.name ? -1 : 1)),
      [...findingsReport.findings].sort((a, b) => (a.id + a.package.name < b.id + b.package.name ? -1 : 1)),
    );
    assert.equal(doc.findings[0]?.severity, 'CRITICAL');
    assert.equal(doc.ruleFindings.length, findingsReport.ruleFindings?.length);
    const reversed = renderFindingsJson({
      ...findingsReport,
      findings: [...findingsReport.findings].reverse(),
      ruleFindings: [...(findingsReport.ruleFindings ?? [])].reverse(),
      suppressed: [...(findingsReport.suppressed ?? [])].reverse(),
      suppressedRules: [...suppressedRules].reverse(),
    });
    assert.equal(reversed, renderFindingsJson(findingsReport));
  });

  test('a report with findings only still gets empty lists, and extra keys are merged', () => {
    const d = JSON.parse(
      renderFindingsJson({ target: 't', findings: [libc], extra: { packages: 3 } }),
    ) as Record<string, unknown>;
    assert.deepEqual(d['ruleFindings'], []);
    assert.deepEqual(d['suppressed'], []);
    assert.deepEqual(d['suppressedRules'], []);
    assert.equal(d['packages'], 3);
  });
});
