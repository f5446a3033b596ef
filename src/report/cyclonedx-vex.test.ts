import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isMamoriError, type Finding } from '../core/index.js';
import { renderCycloneDx, renderFindingsCycloneDx, type FindingsReport } from './index.js';
import { fixedOptions, fixtureInventory } from './testdata/fixture.js';
import { findingsReport, hostileSummary } from './testdata/findings-fixture.js';
import { assertCycloneDxRefs, assertValidCycloneDx } from './testdata/validate.js';

interface Source {
  name?: string;
  url?: string;
}
interface Vuln {
  'bom-ref': string;
  id: string;
  source: Source;
  references?: { id: string; source: Source }[];
  ratings?: { source?: Source; score?: number; severity?: string; method?: string; vector?: string }[];
  description?: string;
  recommendation?: string;
  advisories?: { url: string }[];
  published?: string;
  analysis?: { state: string; justification?: string; response?: string[]; detail?: string };
  affects: { ref: string; versions?: { version: string; status: string }[] }[];
  properties?: { name: string; value: string }[];
}
interface Component {
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
}
interface Bom {
  serialNumber?: string;
  metadata: { timestamp?: string; component: Component; tools: unknown };
  components: Component[];
  vulnerabilities: Vuln[];
}

const opts = { toolVersion: '0.0.0-golden' } as const;
const json = renderFindingsCycloneDx(findingsReport, opts);
const bom = JSON.parse(json) as Bom;
const componentByRef = new Map([bom.metadata.component, ...bom.components].map((c) => [c['bom-ref'], c]));
/** The entries of package findings (rule findings have their own, tested in cyclonedx-rules.test.ts). */
const packageVulns = bom.vulnerabilities.filter((v) => v['bom-ref'].startsWith('mamori:vulnerability:'));

function vuln(id: string, name: string): Vuln {
  const v = bom.vulnerabilities.find(
    (x) => x.id === id && componentByRef.get(x.affects[0]?.ref ?? '')?.name === name,
  );
  assert.ok(v, `vulnerability ${id} in ${name}`);
  return v;
}

describe('renderFindingsCycloneDx', () => {
  test('validates against CycloneDX 1.6 with the library strict validator; refs resolve', async () => {
    await assertValidCycloneDx(json);
    assertCycloneDxRefs(json);
    for (const v of bom.vulnerabilities) {
      assert.equal(v.affects.length, 1);
      assert.ok(componentByRef.has(v.affects[0]?.ref ?? ''), `${v.id} affects an existing component`);
    }
    assert.equal(new Set(bom.vulnerabilities.map((v) => v['bom-ref'])).size, bom.vulnerabilities.length);
  });

  test('the validator rejects a broken vulnerability (the check can fail)', async () => {
    const broken = structuredClone(bom);
    (broken.vulnerabilities[0] as Vuln).ratings = [{ severity: 'catastrophic' }];
    await assert.rejects(assertValidCycloneDx(JSON.stringify(broken)));
    const noRef = structuredClone(bom);
    (noRef.vulnerabilities[0] as Vuln).affects = [{} as Vuln['affects'][number]];
    await assert.rejects(assertValidCycloneDx(JSON.stringify(noRef)));
  });

  test('the SBOM part is what renderCycloneDx writes for the same inventory', () => {
    const sbom = JSON.parse(renderCycloneDx(findingsReport.inventory, { ...fixedOptions, ...opts })) as Bom;
    const extra = bom.components.filter((c) => c.name === 'zlib1g');
    assert.deepEqual(
      bom.components.filter((c) => c.name !== 'zlib1g'),
      sbom.components,
    );
    assert.deepEqual(bom.metadata.component, sbom.metadata.component);
    assert.equal(extra.length, 1, 'a component for the package the inventory does not list');
    assert.equal(extra[0]?.purl, 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12');
  });

  test('id, source, aliases as references, ratings with methods and vectors', () => {
    const v = vuln('CVE-2021-44832', 'log4j-core');
    assert.deepEqual(v.source, { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44832' });
    assert.deepEqual(v.references, [
      {
        id: 'GHSA-8489-44mv-ggj8',
        source: { name: 'GitHub', url: 'https://github.com/advisories/GHSA-8489-44mv-ggj8' },
      },
    ]);
    assert.deepEqual(
      v.ratings?.map((r) => [r.method, r.score, r.severity, r.vector]),
      [
        ['CVSSv31', 6.6, 'medium', 'CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H'],
        ['CVSSv4', 9.3, 'critical', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
      ],
    );
    const ssl = vuln('CVE-2023-0464', 'openssl-libs');
    assert.deepEqual(
      ssl.ratings?.map((r) => [r.method, r.score, r.vector]),
      [
        ['CVSSv2', 5, 'AV:N/AC:L/Au:N/C:N/I:N/A:P'],
        ['CVSSv3', 7.5, 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H'],
      ],
    );
    const libc = vuln('CVE-2023-4911', 'libc6');
    assert.deepEqual(libc.ratings?.[1], { source: { name: 'Debian' }, severity: 'high', method: 'other' });
    assert.deepEqual(vuln('CVE-2023-32681', 'python3-requests').ratings, [
      { source: { name: 'Debian' }, severity: 'info', method: 'other' },
    ]);
    assert.equal(vuln('CVE-2025-26519', 'musl').ratings, undefined, 'no rating, no invented one');
    assert.deepEqual(vuln('GHSA-q5c8-hv3w-7g5x', 'left-pad').source, {
      name: 'GitHub',
      url: 'https://github.com/advisories/GHSA-q5c8-hv3w-7g5x',
    });
    assert.deepEqual(vuln('CVE-2023-45288', 'stdlib').references?.[0], {
      id: 'GO-2024-2687',
      source: { name: 'OSV', url: 'https://osv.dev/vulnerability/GO-2024-2687' },
    });
  });

  test('description, advisories, published, affects and recommendation', () => {
    const v = vuln('CVE-2023-4911', 'libc6');
    assert.equal(
      v.description,
      'Buffer overflow in the GNU C Library dynamic loader processing GLIBC_TUNABLES',
    );
    assert.deepEqual(v.advisories, [{ url: 'https://www.openwall.com/lists/oss-security/2023/10/03/2' }]);
    assert.equal(v.published, '2023-10-03T18:15:10.000Z');
    const libc6 = bom.components.find((c) => c.name === 'libc6');
    assert.deepEqual(v.affects, [
      { ref: libc6?.['bom-ref'], versions: [{ version: '2.36-9+deb12u4', status: 'affected' }] },
    ]);
    assert.equal(v.recommendation, 'Upgrade libc6 to 2.36-9+deb12u5');
    assert.equal(
      vuln('CVE-2023-45288', 'stdlib').recommendation,
      'Upgrade stdlib to 1.22.2',
      'the lowest fix',
    );
    assert.equal(vuln('CVE-2022-3715', 'bash').recommendation, undefined, 'no fix, no advice');
    assert.equal(vuln('CVE-2022-3715', 'bash').analysis, undefined);
  });

  test('suppressed findings carry an analysis: state, justification, detail', () => {
    assert.deepEqual(vuln('CVE-2024-2961', 'libc6').analysis, {
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'The image never converts to ISO-2022-CN-EXT.',
    });
    assert.deepEqual(vuln('CVE-2023-45133', '@babel/core').analysis, {
      state: 'not_affected',
      detail: 'Build-time only dependency; risk accepted until 2024-12-31',
    });
    assert.deepEqual(vuln('GHSA-9vrw-mfxf-8wjm', 'github.com/spf13/cobra').analysis, {
      state: 'resolved',
      detail: 'Fixed by a backported patch in this build',
    });
    assert.deepEqual(vuln('CVE-2099-0001', 'acme-billing').analysis, {
      state: 'not_affected',
      detail: 'Vendor statement (justification: a justification CycloneDX has no word for)',
    });
    const props = vuln('CVE-2024-2961', 'libc6').properties ?? [];
    assert.ok(
      props.some(
        (p) =>
          p.name === 'mamori:suppression:source' &&
          p.value === 'openvex:vex/shop-api.openvex.json#statements[0]',
      ),
    );
  });

  test('every input finding appears exactly once, package findings first', () => {
    const key = (f: Finding): string => `${f.id}|${f.package.purl}`;
    const expected = [
      ...findingsReport.findings.map(key),
      ...(findingsReport.suppressed ?? []).map((s) => key(s.finding)),
    ];
    const actual = packageVulns.map((v) => `${v.id}|${componentByRef.get(v.affects[0]?.ref ?? '')?.purl}`);
    assert.deepEqual([...actual].sort(), [...expected].sort());
    assert.deepEqual(bom.vulnerabilities.slice(0, packageVulns.length), packageVulns);
  });

  test('hostile strings stay valid JSON and schema-valid; unusable URLs and dates are left out', () => {
    const v = bom.vulnerabilities.find((x) => x.id.startsWith('CVE-2024-0001'));
    assert.ok(v);
    // The summary is data here: kept as written (JSON escapes the controls), cut at 16,384 code units.
    assert.equal(v.description?.length, 16_384);
    assert.ok(v.description?.endsWith('…'));
    assert.ok(hostileSummary.startsWith(v.description?.slice(0, -1) ?? 'x'));
    assert.deepEqual(
      v.advisories?.map((a) => a.url),
      ['https://example.com/a%20b?c=%3Cd%3E', 'https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9'],
    );
    assert.equal(v.published, undefined);
    assert.equal(v.affects[0]?.versions?.[0]?.version, '1.0.0\r\n');
  });

  test('deterministic: no timestamp or serial number unless given, same bytes every run', async () => {
    assert.equal(bom.metadata.timestamp, undefined);
    assert.equal(bom.serialNumber, undefined);
    assert.equal(renderFindingsCycloneDx(findingsReport, opts), json);
    const shuffled: FindingsReport & { inventory: typeof findingsReport.inventory } = {
      ...findingsReport,
      findings: [...findingsReport.findings].reverse(),
      suppressed: [...(findingsReport.suppressed ?? [])].reverse(),
    };
    assert.equal(renderFindingsCycloneDx(shuffled, opts), json, 'input order does not matter');
    const stamped = renderFindingsCycloneDx(findingsReport, fixedOptions);
    await assertValidCycloneDx(stamped);
    const s = JSON.parse(stamped) as Bom;
    assert.equal(s.metadata.timestamp, '2024-05-01T12:00:00.000Z');
    assert.equal(s.serialNumber, fixedOptions.serialNumber);
  });

  test('no findings: the plain SBOM with no vulnerabilities section', async () => {
    const out = renderFindingsCycloneDx({ target: 't', findings: [], inventory: fixtureInventory }, opts);
    await assertValidCycloneDx(out);
    assert.equal((JSON.parse(out) as Partial<Bom>).vulnerabilities, undefined);
  });

  test('bad options and inventories are refused with INVALID_ARGUMENT', () => {
    assert.throws(
      () => renderFindingsCycloneDx(findingsReport, { serialNumber: 'nope' }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => renderFindingsCycloneDx({ ...findingsReport, inventory: null as never }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });
});
