import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { apparmorProfile, kubernetesWiring, seccompProfile } from './index.js';

const profile = {
  name: 'web-python3-http.server-0a1b2c3d',
  image: 'sha256:' + 'e'.repeat(64),
  command: ['python3', '-m', 'http.server'],
  executables: [{ path: '/usr/bin/python3.11', sha256: [] }],
  writes: ['/tmp/**'],
  reads: [],
  connects: [],
  listens: [{ protocol: 'tcp' as const, port: 8000 }],
  syscalls: ['accept4', 'read', 'socket'],
  overflow: [],
};

describe('kubernetesWiring', () => {
  const w = kubernetesWiring(profile, { namespace: 'shop', container: 'web' });
  const name = 'web-python3-http.server-0a1b2c3d';

  it('points securityContext at the Localhost seccomp file and AppArmor profile', () => {
    assert.equal(w.seccompFile, `mamori/${name}.json`);
    assert.deepEqual(parse(w.securityContext), {
      securityContext: {
        seccompProfile: { type: 'Localhost', localhostProfile: `mamori/${name}.json` },
        appArmorProfile: { type: 'Localhost', localhostProfile: `mamori-${name}` },
      },
    });
    assert.deepEqual(parse(w.apparmorAnnotation), {
      metadata: {
        annotations: { 'container.apparmor.security.beta.kubernetes.io/web': `localhost/mamori-${name}` },
      },
    });
  });

  it('emits SPO SeccompProfile and AppArmorProfile objects matching the generated profiles', () => {
    const s = parse(w.spoSeccompProfile) as Record<string, Record<string, unknown>>;
    assert.equal(s.apiVersion, 'security-profiles-operator.x-k8s.io/v1beta1');
    assert.equal(s.kind, 'SeccompProfile');
    assert.deepEqual(s.metadata?.name, name);
    assert.deepEqual(s.metadata?.namespace, 'shop');
    const oci = seccompProfile(profile);
    assert.deepEqual(s.spec, {
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: oci.architectures,
      syscalls: oci.syscalls,
    });
    const a = parse(w.spoAppArmorProfile) as Record<string, Record<string, unknown>>;
    assert.equal(a.apiVersion, 'security-profiles-operator.x-k8s.io/v1alpha1');
    assert.equal(a.kind, 'AppArmorProfile');
    assert.equal(a.metadata?.name, `mamori-${name}`);
    assert.equal(a.spec?.policy, apparmorProfile({ ...profile, name }));
    assert.match(String(a.spec?.policy), new RegExp(`^profile mamori-${name} `, 'm'));
  });

  it('turns hostile names and namespaces into DNS labels', () => {
    const h = kubernetesWiring({ ...profile, name: '--Evil/../Name\n' }, { namespace: 'A B', container: '' });
    const s = parse(h.spoSeccompProfile) as Record<string, Record<string, unknown>>;
    assert.equal(s.metadata?.name, 'evil.name');
    assert.equal(s.metadata?.namespace, 'a-b');
    assert.equal(h.seccompFile, 'mamori/evil.name.json');
    assert.match(h.apparmorAnnotation, /kubernetes\.io\/app: localhost\/mamori-evil\.name/);
    const long = kubernetesWiring({ ...profile, name: 'a_'.repeat(200) });
    assert.match(long.seccompFile, /^mamori\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?\.json$/);
  });
});
