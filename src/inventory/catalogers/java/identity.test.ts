/**
 * Naming rules for one archive level, case by case (Syft's java archive
 * cataloger semantics).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identifyPackages } from './identity.js';
import type { ArchiveEvidence, PomProperties } from './identity.js';
import { parseManifest } from './manifest.js';

function evidence(
  fileName: string,
  manifest: string | undefined,
  poms: PomProperties[] = [],
  pomXmlDirs: string[] = [],
): ArchiveEvidence {
  return {
    virtualPath: `/opt/${fileName}`,
    fileName,
    poms,
    pomXmlDirs: new Set(pomXmlDirs),
    ...(manifest !== undefined ? { manifest: parseManifest(manifest) } : {}),
  };
}

function pom(groupId: string, artifactId: string, version: string): PomProperties {
  return { path: `META-INF/maven/${groupId}/${artifactId}/pom.properties`, groupId, artifactId, version };
}

const summary = (ev: ArchiveEvidence): string[] =>
  identifyPackages(ev).map(
    (p) => `${p.purl} ${p.virtualPath} g=${p.groupId ?? '-'} a=${p.artifactId ?? '-'}`,
  );

describe('identifyPackages', () => {
  it('names the archive by its own pom.properties', () => {
    const ev = evidence(
      'commons-lang3.jar',
      'Manifest-Version: 1.0\nBundle-SymbolicName: org.apache.commons.lang3\n',
      [pom('org.apache.commons', 'commons-lang3', '3.12.0')],
    );
    assert.deepEqual(summary(ev), [
      'pkg:maven/org.apache.commons/commons-lang3@3.12.0 /opt/commons-lang3.jar g=org.apache.commons a=commons-lang3',
    ]);
  });

  it('reports pom.properties of shaded dependencies separately, with group and artifact in the virtual path', () => {
    const ev = evidence('app-2.0.jar', 'Manifest-Version: 1.0\n', [
      pom('com.example', 'app', '2.0'),
      pom('com.google.code.gson', 'gson', '2.10.1'),
    ]);
    assert.deepEqual(summary(ev), [
      'pkg:maven/com.example/app@2.0 /opt/app-2.0.jar g=com.example a=app',
      'pkg:maven/com.google.code.gson/gson@2.10.1 /opt/app-2.0.jar:com.google.code.gson:gson g=com.google.code.gson a=gson',
    ]);
  });

  it('falls back to file name and manifest, with a group id from manifest hints', () => {
    const m = 'Manifest-Version: 1.0\nImplementation-Title: Widgets\nImplementation-Vendor-Id: org.example\n';
    assert.deepEqual(summary(evidence('widgets-1.4.jar', m)), [
      'pkg:maven/org.example/widgets@1.4 /opt/widgets-1.4.jar g=org.example a=-',
    ]);
    // Version from the manifest when the file name has none; Implementation-Version before Bundle-Version.
    const m2 = 'Manifest-Version: 1.0\nBundle-Version: 9\nImplementation-Version: 1.5\n';
    assert.deepEqual(summary(evidence('widgets.jar', m2)), [
      'pkg:maven/widgets/widgets@1.5 /opt/widgets.jar g=- a=-',
    ]);
  });

  it('uses the Maven Bundle Plugin symbolic name and strips OSGi directives from group ids', () => {
    const m = [
      'Manifest-Version: 1.0',
      'Created-By: Apache Maven Bundle Plugin',
      'Bundle-SymbolicName: org.example.gadget;singleton:=true',
      'Bundle-Version: 3.1.0',
      'Bundle-License: Apache-2.0',
    ].join('\n');
    const [p] = identifyPackages(evidence('org.example.gadget.jar', m));
    assert.equal(p?.purl, 'pkg:maven/org.example.gadget/gadget@3.1.0');
    assert.deepEqual(p?.licenses, ['Apache-2.0']);
    assert.equal(p?.manifest?.['Bundle-SymbolicName'], 'org.example.gadget;singleton:=true');
  });

  it('skips an archive whose version cannot be determined but keeps its pom.properties', () => {
    assert.deepEqual(summary(evidence('tool.jar', 'Manifest-Version: 1.0\nMain-Class: Tool\n')), []);
    const ev = evidence('tool.jar', 'Manifest-Version: 1.0\n', [pom('org.example', 'dep', '1.0')]);
    assert.deepEqual(summary(ev), [
      'pkg:maven/org.example/dep@1.0 /opt/tool.jar:org.example:dep g=org.example a=dep',
    ]);
  });

  it('names an archive without a manifest by its own pom.properties', () => {
    const ev = evidence('lib-1.0.jar', undefined, [pom('org.example', 'lib', '1.0')]);
    assert.deepEqual(summary(ev), ['pkg:maven/org.example/lib@1.0 /opt/lib-1.0.jar g=org.example a=lib']);
  });

  it('prefers the first matching pom.properties that sits beside a pom.xml', () => {
    const a = pom('org.a', 'lib-core', '1.0');
    const b = pom('org.b', 'lib-core', '2.0');
    const ev = evidence('lib-core.jar', 'Manifest-Version: 1.0\n', [a, b], ['META-INF/maven/org.a/lib-core']);
    assert.deepEqual(summary(ev), [
      'pkg:maven/org.a/lib-core@1.0 /opt/lib-core.jar g=org.a a=lib-core',
      'pkg:maven/org.b/lib-core@2.0 /opt/lib-core.jar:org.b:lib-core g=org.b a=lib-core',
    ]);
    // Without a pom.xml the last match wins; the other stays a package of its own.
    const last = evidence('lib-core.jar', 'Manifest-Version: 1.0\n', [a, b]);
    assert.deepEqual(summary(last), [
      'pkg:maven/org.b/lib-core@2.0 /opt/lib-core.jar g=org.b a=lib-core',
      'pkg:maven/org.a/lib-core@1.0 /opt/lib-core.jar:org.a:lib-core g=org.a a=lib-core',
    ]);
  });

  it('merges a pom.properties into an archive named by its manifest, once', () => {
    const m =
      'Manifest-Version: 1.0\nCreated-By: Apache Maven Bundle Plugin\nBundle-SymbolicName: org.x.engine\n';
    const ev = evidence('x-engine-bundle.jar', m, [
      pom('org.x', 'engine', '4.0'),
      pom('org.y', 'engine', '5.0'),
    ]);
    assert.deepEqual(summary(ev), [
      'pkg:maven/org.x/engine@4.0 /opt/x-engine-bundle.jar g=org.x a=engine',
      'pkg:maven/org.y/engine@5.0 /opt/x-engine-bundle.jar:org.y:engine g=org.y a=engine',
    ]);
  });

  it('ignores instrumentation modules that carry Weave-Classes', () => {
    const ev = evidence('spring-5.0.jar', 'Manifest-Version: 1.0\nWeave-Classes: a,b\n', [
      pom('x', 'spring', '5.0'),
    ]);
    assert.deepEqual(identifyPackages(ev), []);
  });

  it('drops names and versions that are empty, absurdly long or hold control characters', () => {
    assert.deepEqual(
      summary(evidence('x.jar', `Manifest-Version: 1.0\nImplementation-Version: ${'9'.repeat(300)}\n`)),
      [],
    );
    assert.deepEqual(summary(evidence('x.jar', undefined, [pom('g', 'a\u0007', '1')])), []);
  });
});
