import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Log, Result } from 'sarif';
import { assertValidSarif } from '../report/testdata/validate.js';
import { main } from './main.js';
import { capture } from './testing.js';

const restricted = `apiVersion: apps/v1
kind: Deployment
metadata: { name: good, namespace: prod }
spec:
  selector: { matchLabels: { app: good } }
  template:
    metadata: { labels: { app: good } }
    spec:
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: app
          image: registry.example.com/team/app:1
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
`;
const privileged = `apiVersion: v1
kind: Pod
metadata: { name: bad }
spec:
  containers:
    - name: app
      image: nginx
      securityContext: { privileged: true }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { a: b }
`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-cli-policy-'));
  await mkdir(join(dir, 'k8s'));
  await writeFile(join(dir, 'k8s', 'good.yaml'), restricted);
  await writeFile(join(dir, 'k8s', 'bad.yml'), privileged);
  await writeFile(join(dir, 'k8s', 'notes.txt'), 'not a manifest');
});
after(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[], stdin?: string) {
  const c = capture();
  const code = await main(args, {
    ...c.io,
    ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}),
  });
  return { code, ...c.text() };
}

describe('mamori policy test', () => {
  it('denies with exit 1, naming the rule, field path and fix; allows the compliant object', async () => {
    const r = await run(['policy', 'test', '--pod-security', 'restricted:v1.30', join(dir, 'k8s')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^DENY {2}.*bad\.yml#0 Pod\/bad \(namespace default\)$/m);
    assert.match(
      r.stdout,
      /deny {2}\[pod-security\] spec\.containers\[0\]\.securityContext\.privileged: privileged .* — fix: /,
    );
    assert.match(r.stdout, /^ALLOW .*good\.yaml#0 Deployment\/good \(namespace prod\)$/m);
    assert.match(r.stdout, /^ALLOW .*bad\.yml#1 ConfigMap\/settings/m);
    assert.match(r.stdout, /3 objects, 1 denied, 2 allowed/);
  });

  it('exits 0 when everything is allowed, reads standard input, and speaks JSON', async () => {
    const r = await run(['policy', 'test', '--pod-security', 'baseline', '-f', 'json', '-'], restricted);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { objects: { kind: string; verdict: { allowed: boolean } }[] };
    assert.deepEqual(
      out.objects.map((o) => [o.kind, o.verdict.allowed]),
      [['Deployment', true]],
    );
  });

  it('applies a policy file: modes, namespaces and exemptions', async () => {
    const policy = join(dir, 'mamori.yaml');
    await writeFile(
      policy,
      `policy:
  rules:
    - name: prod-restricted
      podSecurity: restricted
      match: { namespaces: [prod] }
    - name: everywhere-baseline
      mode: warn
      podSecurity: baseline
  exemptions:
    - namespaces: [default]
      rules: [everywhere-baseline]
      reason: the sandbox namespace
`,
    );
    const r = await run(['policy', 'test', '--policy', policy, join(dir, 'k8s')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /audit \[everywhere-baseline\] spec\.containers\[0\]\.securityContext\.privileged: .*\(exempted: the sandbox namespace\)/,
    );
  });

  it('reports a broken policy or level with exit 2 and the problem', async () => {
    const policy = join(dir, 'broken.yaml');
    await writeFile(policy, 'rules:\n  - name: x\n    mode: block\n    podSecurity: baseline\n');
    const r = await run(['policy', 'test', '--policy', policy, join(dir, 'k8s')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /policy\.rules\[0\]\.mode: expected enforce, audit or warn, got "block"/);
    const level = await run(['policy', 'test', '--pod-security', 'strict', join(dir, 'k8s')]);
    assert.equal(level.code, 2);
    assert.match(level.stderr, /--pod-security: expected LEVEL\[:VERSION\]/);
    const none = await run(['policy', 'test', join(dir, 'k8s')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --policy FILE or --pod-security/);
  });

  it("speaks SARIF 2.1.0: a rule per (policy rule, control), results at the field's line with the fix", async () => {
    const sarifDir = join(dir, 'sarif');
    await mkdir(sarifDir);
    const policy = join(sarifDir, 'policy.yaml');
    await writeFile(
      policy,
      `rules:
  - name: prod-restricted
    podSecurity: restricted
    match: { namespaces: [prod] }
  - name: everywhere-baseline
    mode: warn
    podSecurity: baseline
exemptions:
  - namespaces: [default]
    rules: [everywhere-baseline]
    reason: the sandbox namespace
`,
    );
    const manifests = join(sarifDir, 'mixed.yaml');
    await writeFile(
      manifests,
      `apiVersion: v1
kind: Pod
metadata: { name: bad, namespace: prod }
spec:
  containers:
    - name: app
      image: nginx
      securityContext:
        privileged: true
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: { name: host, namespace: default }
    spec:
      hostNetwork: true
      containers: [{ name: app, image: nginx }]
`,
    );
    const r = await run(['policy', 'test', '-p', policy, '-f', 'sarif', manifests]);
    assert.equal(r.code, 1, r.stderr);
    assertValidSarif(r.stdout);
    const log = JSON.parse(r.stdout) as Log;
    const run0 = log.runs[0];
    assert.ok(run0);
    const rules = run0.tool.driver.rules ?? [];
    const ids = rules.map((x) => x.id);
    assert.deepEqual(ids, [...new Set(ids)].sort(), 'one rule per id, sorted');
    assert.ok(ids.includes('prod-restricted/privileged'));
    assert.ok(ids.includes('everywhere-baseline/privileged'));
    assert.ok(ids.includes('everywhere-baseline/hostNamespaces'));
    assert.ok(ids.every((id) => /^(prod-restricted|everywhere-baseline)\/[A-Za-z.]+$/.test(id)));
    const results = run0.results ?? [];
    const find = (ruleId: string): Result => {
      const hit = results.find((x) => x.ruleId === ruleId);
      assert.ok(hit, ruleId);
      return hit;
    };
    const loc = (x: Result) => x.locations?.[0]?.physicalLocation;
    // enforce → error, at the privileged: line of document 0, with the fix.
    const denied = find('prod-restricted/privileged');
    assert.equal(denied.level, 'error');
    assert.equal(resolve(loc(denied)?.artifactLocation?.uri ?? ''), manifests);
    assert.equal(loc(denied)?.region?.startLine, 9);
    assert.match(
      denied.message.text ?? '',
      /Evidence: Pod\/bad \(namespace prod\), document 0: spec\.containers\[0\]\.securityContext\.privileged/,
    );
    assert.match(denied.message.text ?? '', /\nFix: .*privileged/);
    assert.equal(rules[denied.ruleIndex ?? -1]?.id, 'prod-restricted/privileged');
    // warn → warning, same place.
    const warned = find('everywhere-baseline/privileged');
    assert.equal(warned.level, 'warning');
    assert.equal(loc(warned)?.region?.startLine, 9);
    assert.equal(warned.suppressions, undefined);
    // An exempted finding inside a List item is a suppressed result at its own line.
    const exempted = find('everywhere-baseline/hostNamespaces');
    assert.equal(loc(exempted)?.region?.startLine, 18);
    assert.match(
      exempted.message.text ?? '',
      /Pod\/host \(namespace default\), document 1 item 0: spec\.hostNetwork/,
    );
    assert.equal(exempted.suppressions?.[0]?.kind, 'external');
    assert.equal(exempted.suppressions?.[0]?.justification, 'the sandbox namespace');
    // Every result sits in the file, at a line of it.
    const lines = (await readFile(manifests, 'utf8')).split('\n').length;
    for (const x of results) {
      assert.ok(['error', 'warning', 'note'].includes(x.level ?? ''), x.ruleId);
      const line = loc(x)?.region?.startLine ?? 0;
      assert.ok(line >= 1 && line <= lines, `${x.ruleId} at line ${line}`);
    }
    const clean = await run(['policy', 'test', '--pod-security', 'baseline', '-f', 'sarif', '-'], restricted);
    assert.equal(clean.code, 0, clean.stderr);
    assertValidSarif(clean.stdout);
    assert.deepEqual((JSON.parse(clean.stdout) as Log).runs[0]?.results, []);
  });
});
