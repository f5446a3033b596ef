/**
 * Realistic scan results over the renderer fixture inventory: findings of
 * every severity and status, CVSS v2, v3.0, v3.1 and v4.0 ratings next to
 * distro ratings, aliases (GHSA, GO, DSA), one vulnerability in two
 * packages, a package the inventory does not list, suppressions from an
 * OpenVEX file and an ignore file, rule findings with and without lines and
 * layers (one in a deleted file), rule findings an ignore file suppresses
 * (a secret, and a misconfiguration naming its CWE), and hostile strings (terminal escapes,
 * bidi controls, Markdown and HTML, a 20,000-character summary, unicode).
 */
import type { Finding, FindingPackage, FindingSeverity, RuleFinding, SeverityLevel } from '../../core/index.js';
import type { Inventory } from '../../inventory/types.js';
import type { FindingsReport, SuppressedFinding, SuppressedRuleFinding } from '../findings.js';
import { fixtureInventory } from './fixture.js';

function pkg(name: string): FindingPackage {
  const p = fixtureInventory.packages.find((x) => x.name === name);
  if (p === undefined) throw new Error(`fixture package ${name}`);
  return {
    type: p.type,
    name: p.name,
    version: p.version,
    purl: p.purl,
    locations: p.locations,
    ...(p.layer ? { layer: p.layer } : {}),
  };
}

const layer = (i: number) => {
  const l = fixtureInventory.source.layers[i];
  if (l === undefined) throw new Error(`fixture layer ${i}`);
  return { index: l.index, diffId: l.diffId };
};

function cvss(score: string, baseScore: number, severity: SeverityLevel, source: string): FindingSeverity {
  const type = score.startsWith('CVSS:4') ? 'CVSS_V4' : score.startsWith('CVSS:3') ? 'CVSS_V3' : 'CVSS_V2';
  return { type, score, baseScore, severity, source };
}

function finding(
  p: FindingPackage,
  id: string,
  severity: SeverityLevel,
  rest: Partial<Omit<Finding, 'id' | 'package' | 'severity'>> = {},
): Finding {
  const fixedVersions = rest.fixedVersions ?? [];
  return {
    id,
    aliases: [],
    package: p,
    status: fixedVersions.length > 0 ? 'fixed' : 'unfixed',
    fixedVersions,
    severity,
    severities: [],
    references: [],
    match: {
      matcher: p.type === 'deb' || p.type === 'apk' || p.type === 'rpm' ? p.type : 'language',
      searchedBy: { ecosystem: 'test', package: p.name, version: p.version },
      advisories: [id, ...(rest.aliases ?? [])].sort(),
      range: '< fixed',
    },
    ...rest,
  };
}

export const hostileSummary = `Heap overflow\u001b[31m in \u202eparser\u202c\r\nInjected: [click](javascript:alert(1)) <script>alert(1)</script> | a | b |\u0000 ${'A'.repeat(20_000)}`;

const findings: Finding[] = [
  finding(pkg('libc6'), 'CVE-2023-4911', 'HIGH', {
    aliases: ['DSA-5514-1'],
    fixedVersions: ['2.36-9+deb12u5'],
    severities: [
      cvss('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8, 'HIGH', 'CVE-2023-4911'),
      { type: 'Debian', score: 'high', severity: 'HIGH', source: 'DSA-5514-1' },
    ],
    summary: 'Buffer overflow in the GNU C Library dynamic loader processing GLIBC_TUNABLES',
    references: ['https://www.openwall.com/lists/oss-security/2023/10/03/2', 'ftp://not-http.example/x'],
    published: '2023-10-03T18:15:10Z',
  }),
  finding(pkg('bash'), 'CVE-2022-3715', 'LOW', {
    severities: [
      cvss('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8, 'HIGH', 'CVE-2022-3715'),
      { type: 'Debian', score: 'low', severity: 'LOW', source: 'CVE-2022-3715' },
    ],
    summary: 'Heap buffer overflow in valid_parameter_transform',
    references: ['https://security-tracker.debian.org/tracker/CVE-2022-3715'],
  }),
  finding(pkg('log4j-core'), 'CVE-2021-44832', 'CRITICAL', {
    aliases: ['GHSA-8489-44mv-ggj8'],
    fixedVersions: ['2.17.2'],
    severities: [
      cvss('CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H', 6.6, 'MEDIUM', 'GHSA-8489-44mv-ggj8'),
      cvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'CRITICAL', 'GHSA-8489-44mv-ggj8'),
    ],
    summary: 'Remote code execution via JDBC Appender when an attacker controls the configuration',
    references: ['https://logging.apache.org/log4j/2.x/security.html'],
    published: '2021-12-28T20:15:08Z',
  }),
  finding(pkg('stdlib'), 'CVE-2023-45288', 'HIGH', {
    aliases: ['GO-2024-2687'],
    fixedVersions: ['1.22.2', '1.23.0'],
    severities: [cvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5, 'HIGH', 'GO-2024-2687')],
    summary: 'HTTP/2 CONTINUATION flood in net/http',
    references: ['https://go.dev/issue/65051'],
  }),
  finding(pkg('openssl-libs'), 'CVE-2023-0464', 'MEDIUM', {
    fixedVersions: ['1:3.0.7-28.el9_4'],
    severities: [
      cvss('AV:N/AC:L/Au:N/C:N/I:N/A:P', 5.0, 'MEDIUM', 'CVE-2023-0464'),
      cvss('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5, 'HIGH', 'CVE-2023-0464'),
    ],
    summary: 'Excessive resource use verifying X.509 policy constraints',
  }),
  finding(pkg('python3-requests'), 'CVE-2023-32681', 'NEGLIGIBLE', {
    aliases: ['GHSA-j8r2-6x86-q33q'],
    severities: [{ type: 'Debian', score: 'unimportant', severity: 'NEGLIGIBLE', source: 'CVE-2023-32681' }],
    summary: 'Unintended leak of Proxy-Authorization header',
  }),
  finding(pkg('requests'), 'CVE-2023-32681', 'MEDIUM', {
    aliases: ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'],
    fixedVersions: ['2.31.0'],
    severities: [cvss('CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', 6.1, 'MEDIUM', 'GHSA-j8r2-6x86-q33q')],
    summary: 'Unintended leak of Proxy-Authorization header',
    references: ['https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q'],
    published: '2023-05-26T18:15:14Z',
  }),
  { ...finding(pkg('musl'), 'CVE-2025-26519', 'UNKNOWN'), status: 'undetermined' },
  finding(pkg('left-pad'), 'GHSA-q5c8-hv3w-7g5x', 'LOW', {
    summary: 'Prototype pollution in left-pad (not a real advisory)',
    references: ['https://github.com/advisories/GHSA-q5c8-hv3w-7g5x'],
  }),
  finding(
    {
      type: 'deb',
      name: 'zlib1g',
      version: '1:1.2.13.dfsg-1',
      purl: 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12',
      locations: [{ path: '/var/lib/dpkg/status', layer: layer(0) }],
      layer: layer(0),
    },
    'CVE-2023-45853',
    'CRITICAL',
    {
      severities: [cvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'CRITICAL', 'CVE-2023-45853')],
      summary: 'Integer overflow in zipOpenNewFileInZip4_64 (package found outside the inventory)',
    },
  ),
  finding(pkg('日本語-ツール'), 'GHSA-xxxx-yyyy-zzzz', 'MEDIUM', {
    summary: 'ユニコードの概要 — résumé with emoji 🚀 and combining é',
  }),
  finding(pkg('evil\u001b[31m-red\u202e-txt'), 'CVE-2024-0001\u0007', 'HIGH', {
    aliases: ['EVIL-\u202eALIAS'],
    fixedVersions: ['1.0.1\u001b[0m'],
    summary: hostileSummary,
    references: ['javascript:alert(1)', 'https://example.com/a b?c=<d>', 'https://例え.jp/パス'],
    published: 'not a date',
  }),
];

const suppressed: SuppressedFinding[] = [
  {
    finding: finding(pkg('libc6'), 'CVE-2024-2961', 'HIGH', {
      fixedVersions: ['2.36-9+deb12u7'],
      severities: [cvss('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.1, 'HIGH', 'CVE-2024-2961')],
      summary: 'Out-of-bounds write in iconv ISO-2022-CN-EXT',
    }),
    reason: 'The image never converts to ISO-2022-CN-EXT.',
    source: 'openvex:vex/shop-api.openvex.json#statements[0]',
    vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
  },
  {
    finding: finding(pkg('@babel/core'), 'CVE-2023-45133', 'CRITICAL', {
      aliases: ['GHSA-67hx-6x53-jw92'],
      fixedVersions: ['7.24.1'],
      severities: [cvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.3, 'CRITICAL', 'GHSA-67hx-6x53-jw92')],
      summary: 'Arbitrary code execution when compiling crafted code',
    }),
    reason: 'Build-time only dependency; risk accepted until 2024-12-31',
    source: 'ignore-file:.mamoriignore.yaml#ignore[0]',
  },
  {
    finding: finding(pkg('acme-billing'), 'CVE-2099-0001', 'MEDIUM', { summary: 'Vendor says not applicable' }),
    reason: 'Vendor statement',
    source: 'openvex:vendor.json#statements[1]',
    vex: { status: 'not_affected', justification: 'a justification CycloneDX has no word for' },
  },
  {
    finding: finding(pkg('github.com/spf13/cobra'), 'GHSA-9vrw-mfxf-8wjm', 'LOW', {
      summary: 'Unsafe shell completion script (not a real advisory)',
    }),
    reason: 'Fixed by a backported patch in this build',
    source: 'openvex:vendor.json#statements[2]',
    vex: { status: 'fixed' },
  },
];

const ruleFindings: RuleFinding[] = [
  {
    kind: 'secret',
    ruleId: 'aws-access-key-id',
    title: 'AWS access key ID',
    severity: 'CRITICAL',
    rationale: 'A cloud credential in an image can be read by anyone who can pull it.',
    fix: 'Remove the key from the image and rotate it.',
    location: { path: '/app/.env', layer: layer(2), startLine: 3, startColumn: 19, endLine: 3, endColumn: 39 },
    evidence: 'AWS_ACCESS_KEY_ID=AKIA****************',
    references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html'],
  },
  {
    kind: 'secret',
    ruleId: 'aws-access-key-id',
    title: 'AWS access key ID',
    severity: 'CRITICAL',
    rationale: 'A cloud credential in an image can be read by anyone who can pull it.',
    location: { path: '/root/.aws/credentials', layer: layer(1), startLine: 2, deleted: true },
    evidence: 'aws_access_key_id = AKIA****************',
  },
  {
    kind: 'secret',
    ruleId: 'private-key',
    title: 'Private key',
    severity: 'HIGH',
    rationale: 'A private key in an image is exposed to everyone who can pull it.',
    location: { path: '/root/.ssh/id_rsa', layer: layer(1), startLine: 1, endLine: 27, deleted: true },
    evidence: '-----BEGIN OPENSSH PRIVATE KEY-----',
  },
  {
    kind: 'misconfig',
    ruleId: 'DS002',
    title: 'Image user should not be root',
    severity: 'HIGH',
    rationale: 'A container running as root makes a breakout easier.',
    fix: 'Add a USER instruction with a non-root user.',
    location: { path: 'Dockerfile', startLine: 12 },
    references: ['https://docs.docker.com/develop/develop-images/dockerfile_best-practices/#user'],
  },
  {
    kind: 'misconfig',
    ruleId: 'CIS-DI-0006',
    title: 'No HEALTHCHECK in the image configuration',
    severity: 'LOW',
    rationale: 'Without a health check the runtime cannot tell a hung container from a working one.',
    location: { path: 'image-config' },
  },
  {
    kind: 'misconfig',
    ruleId: 'MD\u001b[2J-evil',
    title: 'Title with \u202econtrols\u202c and <b>html</b> | pipes',
    severity: 'MEDIUM',
    rationale: '**bold** [link](javascript:alert(1))',
    location: { path: '/app/конфиг dir/secret file?.txt', layer: layer(2), startLine: 0, endLine: -4 },
    evidence: 'x'.repeat(5000),
  },
];

const suppressedRules: SuppressedRuleFinding[] = [
  {
    finding: {
      kind: 'secret',
      ruleId: 'github-pat',
      title: 'GitHub personal access token',
      severity: 'CRITICAL',
      rationale: 'A token in an image lets anyone who can pull it act as its owner on GitHub.',
      fix: 'Revoke the token and remove it from the image.',
      location: {
        path: '/app/test/fixtures/gh-token.txt',
        layer: layer(2),
        startLine: 1,
        startColumn: 1,
        endLine: 1,
        endColumn: 41,
      },
      evidence: 'ghp_************************************',
      references: [
        'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens',
      ],
    },
    reason: 'Test fixture; the token was revoked',
    source: 'ignore-file:.mamoriignore.yaml#ignore[1]',
  },
  {
    finding: {
      kind: 'misconfig',
      ruleId: 'DS001',
      title: "':latest' tag used",
      severity: 'MEDIUM',
      rationale: 'A floating base image tag makes builds unreproducible and pulls in unreviewed changes.',
      fix: 'Pin the base image by tag and digest.',
      location: { path: 'Dockerfile', startLine: 1 },
      references: [
        'https://docs.docker.com/reference/dockerfile/#from',
        'https://cwe.mitre.org/data/definitions/1357.html',
      ],
    },
    reason: 'The build system pins the base image by digest',
    source: 'ignore-file:.mamoriignore.yaml#ignore[2]',
  },
];

/** The inventory with the layers' creating instructions, as image configs record them. */
export const findingsInventory: Inventory = {
  ...fixtureInventory,
  source: {
    ...fixtureInventory.source,
    layers: fixtureInventory.source.layers.map((l, i) => ({
      ...l,
      createdBy: ['# debian.sh --arch amd64 bookworm', 'RUN apt-get install -y python3-requests', 'COPY app /app'][i],
    })),
  },
};

export const findingsReport: FindingsReport & { readonly inventory: Inventory } = {
  target: 'docker://ghcr.io/acme/shop-api:1.4.2',
  findings,
  ruleFindings,
  suppressed,
  suppressedRules,
  inventory: findingsInventory,
};
