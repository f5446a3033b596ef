import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy } from '../../policy/index.js';
import { describeFinding, evaluateObject } from './index.js';

const D = `sha256:${'b'.repeat(64)}`;
const deployment = (ns: string, container: Record<string, unknown>, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns, labels },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', ...container }] } },
  },
});
const restrictedContainer = {
  image: `registry.example.com/team/web@${D}`,
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

const policy = parsePolicy({
  rules: [
    { name: 'pss', podSecurity: 'restricted:v1.30', match: { namespaces: ['prod'] } },
    { name: 'pss-dev', mode: 'warn', podSecurity: 'baseline', match: { namespaces: ['dev'] } },
    {
      name: 'images',
      match: { namespaces: ['prod'] },
      images: { allowedRegistries: ['registry.example.com'], requireScan: true, maxSeverity: 'critical' },
    },
  ],
  exemptions: [
    {
      namespaces: ['prod'],
      images: ['registry.example.com/legacy/*'],
      rules: ['images'],
      reason: 'legacy app, replaced in Q1',
    },
  ],
});

describe('admission engine', () => {
  it('allows a compliant Deployment and denies a privileged one with the rule, field path and fix', async () => {
    const scanned = async () => ({
      scan: { status: 'scanned' as const, vulnerabilitiesScanned: true, counts: {} },
    });
    const ok = await evaluateObject(deployment('prod', restrictedContainer), policy, {
      resolveImage: scanned,
    });
    assert.equal(ok.allowed, true, JSON.stringify(ok.denials));
    const bad = await evaluateObject(
      deployment('prod', {
        ...restrictedContainer,
        securityContext: { ...restrictedContainer.securityContext, privileged: true },
      }),
      policy,
      { resolveImage: scanned },
    );
    assert.equal(bad.allowed, false);
    const f = bad.denials.find((d) => d.control === 'privileged');
    assert.equal(f?.rule, 'pss');
    assert.equal(f?.path, 'spec.template.spec.containers[0].securityContext.privileged');
    assert.match(
      describeFinding(f ?? bad.denials[0]!),
      /^\[pss\] spec\.template\.spec\.containers\[0\]\.securityContext\.privileged: .* — fix: /,
    );
  });

  it('warns in warn mode, records audits, and lets exemptions lift findings', async () => {
    const dev = await evaluateObject(
      deployment('dev', { image: 'nginx', securityContext: { privileged: true } }),
      policy,
    );
    assert.equal(dev.allowed, true);
    assert.deepEqual(
      dev.warnings.map((w) => w.control),
      ['privileged'],
    );
    const legacy = await evaluateObject(
      deployment('prod', { ...restrictedContainer, image: 'registry.example.com/legacy/app:1' }),
      policy,
    );
    assert.equal(legacy.allowed, true, JSON.stringify(legacy.denials));
    assert.equal(legacy.audits[0]?.exempted, 'legacy app, replaced in Q1');
    const foreign = await evaluateObject(
      deployment('prod', { ...restrictedContainer, image: 'docker.io/evil/app:1' }),
      policy,
    );
    assert.deepEqual(foreign.denials.map((d) => d.control).sort(), ['image.registry', 'image.scan']);
  });

  it('uses what the resolver finds, once per image and rule', async () => {
    let calls = 0;
    const vulnerable = async () => {
      calls++;
      return { scan: { status: 'scanned' as const, vulnerabilitiesScanned: true, counts: { critical: 2 } } };
    };
    const obj = deployment('prod', restrictedContainer);
    obj.spec.template.spec.containers.push({ name: 'side', ...restrictedContainer });
    const v = await evaluateObject(obj, policy, { resolveImage: vulnerable });
    assert.deepEqual(
      v.denials.map((d) => d.path),
      ['spec.template.spec.containers[0].image', 'spec.template.spec.containers[1].image'],
    );
    assert.equal(calls, 1);
  });

  it('leaves kinds without pods alone and denies objects it cannot read', async () => {
    assert.equal(
      (await evaluateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, policy))
        .allowed,
      true,
    );
    const broken = await evaluateObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x', namespace: 'prod' },
        spec: { template: 42 },
      },
      policy,
    );
    assert.equal(broken.allowed, false);
    assert.ok(broken.errors.length > 0);
  });
});
