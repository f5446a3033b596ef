import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isMamoriError } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { renderCycloneDx } from './index.js';
import { fixedOptions, fixtureInventory } from './testdata/fixture.js';
import { assertCycloneDxRefs, assertValidCycloneDx, cycloneDxLargeValidator } from './testdata/validate.js';

interface Component {
  type: string;
  name: string;
  version?: string;
  'bom-ref': string;
  purl?: string;
  licenses?: ({ license: { id?: string; name?: string } } | { expression: string })[];
  hashes?: { alg: string; content: string }[];
  evidence?: { occurrences?: { location: string; additionalContext?: string }[] };
  properties?: { name: string; value: string }[];
}
interface Bom {
  specVersion: string;
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: Component[] }; component: Component };
  components: Component[];
  dependencies?: unknown;
}

const bom = JSON.parse(renderCycloneDx(fixtureInventory, fixedOptions)) as Bom;
const byName = (n: string): Component => {
  const c = bom.components.find((x) => x.name === n);
  assert.ok(c, `component ${n}`);
  return c;
};
const props = (c: Component, name: string): string[] =>
  (c.properties ?? []).filter((p) => p.name === name).map((p) => p.value);

describe('renderCycloneDx', () => {
  test('validates against the official CycloneDX 1.6 schema', async () => {
    const json = renderCycloneDx(fixtureInventory, fixedOptions);
    await assertValidCycloneDx(json);
    assertCycloneDxRefs(json);
  });

  test('the schema validator rejects a broken document (the check can fail)', async () => {
    const broken = { ...bom, components: [{ ...bom.components[0], type: 'not-a-type' }] };
    await assert.rejects(assertValidCycloneDx(JSON.stringify(broken)));
  });

  test('the linear-time validator used for large documents agrees with the library validator', async () => {
    const validate = cycloneDxLargeValidator();
    assert.ok(validate(bom), JSON.stringify(validate.errors));
    const duplicated = { ...bom, components: [...bom.components, bom.components[1]] };
    assert.equal(validate(duplicated), false, 'duplicate components violate uniqueItems');
    await assert.rejects(assertValidCycloneDx(JSON.stringify(duplicated)));
    const badType = { ...bom, components: [{ ...bom.components[0], type: 'not-a-type' }] };
    assert.equal(validate(badType), false);
    const badTime = { ...bom, metadata: { ...bom.metadata, timestamp: 'yesterday' } };
    assert.equal(validate(badTime), false);
    await assert.rejects(assertValidCycloneDx(JSON.stringify(badTime)));
  });

  test('metadata: image as container with an oci purl, mamori as tool, timestamp', () => {
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.metadata.timestamp, '2024-05-01T12:00:00.000Z');
    assert.deepEqual(
      bom.metadata.tools.components.map((t) => [t.type, t.name, t.version]),
      [['application', 'mamori', '0.0.0-golden']],
    );
    const img = bom.metadata.component;
    assert.equal(img.type, 'container');
    assert.equal(img.name, 'ghcr.io/acme/shop-api');
    assert.equal(img.version, '1.4.2');
    assert.match(
      img.purl ?? '',
      /^pkg:oci\/shop-api@sha256%3A[0-9a-f]{64}\?arch=amd64&repository_url=ghcr.io%2Facme%2Fshop-api$/,
    );
    assert.equal(img['bom-ref'], img.purl);
  });

  test('the distro is an operating-system component; packages are libraries with their type', () => {
    const os = bom.components.filter((c) => c.type === 'operating-system');
    assert.deepEqual(
      os.map((c) => [c.name, c.version]),
      [['debian', '12']],
    );
    const libs = bom.components.filter((c) => c.type === 'library');
    assert.equal(libs.length, fixtureInventory.packages.length);
    assert.deepEqual(props(byName('bash'), 'mamori:package:type'), ['deb']);
    assert.deepEqual(props(byName('openssl-libs'), 'mamori:package:type'), ['rpm']);
  });

  test('every location is an occurrence and a numbered property, with its layer', () => {
    const bash = byName('bash');
    assert.deepEqual(
      bash.evidence?.occurrences?.map((o) => o.location),
      ['/var/lib/dpkg/status', '/usr/share/doc/bash/copyright'],
    );
    assert.deepEqual(props(bash, 'mamori:location:0:path'), ['/var/lib/dpkg/status']);
    assert.deepEqual(props(bash, 'mamori:location:1:path'), ['/usr/share/doc/bash/copyright']);
    const l0 = fixtureInventory.source.layers[0]?.diffId ?? '';
    assert.deepEqual(props(bash, 'mamori:layer:diffID'), [l0]);
    assert.ok(bash.evidence?.occurrences?.every((o) => o.additionalContext === `layer 0 ${l0}`));
    assert.deepEqual(props(bash, 'mamori:package:foundBy'), ['dpkg-db-cataloger']);
  });

  test('metadata highlights per ecosystem', () => {
    assert.deepEqual(props(byName('libc6'), 'mamori:metadata:source'), ['glibc']);
    assert.deepEqual(props(byName('musl'), 'mamori:metadata:origin'), ['musl']);
    assert.deepEqual(props(byName('openssl-libs'), 'mamori:metadata:sourceRpm'), [
      'openssl-3.0.7-27.el9.src.rpm',
    ]);
    assert.deepEqual(props(byName('openssl-libs'), 'mamori:metadata:epoch'), ['1']);
    assert.deepEqual(props(byName('stdlib'), 'mamori:metadata:goVersion'), ['go1.22.1']);
    assert.deepEqual(props(byName('github.com/spf13/cobra'), 'mamori:metadata:goBuildSettings:GOOS'), [
      'linux',
    ]);
    assert.deepEqual(props(byName('log4j-core'), 'mamori:metadata:groupId'), ['org.apache.logging.log4j']);
    assert.deepEqual(props(byName('log4j-core'), 'mamori:metadata:virtualPath'), [
      '/opt/app/app.jar!BOOT-INF/lib/log4j-core-2.17.1.jar',
    ]);
    assert.equal(byName('@babel/core').purl, 'pkg:npm/%40babel/core@7.24.0');
    assert.equal(byName('@babel/core').hashes?.[0]?.alg, 'SHA-512');
  });

  test('ownership is a property naming the owner bom-ref, not a dependency', () => {
    const owner = byName('python3-requests');
    assert.deepEqual(props(byName('requests'), 'mamori:package:ownedBy'), [owner['bom-ref']]);
    assert.equal(props(owner, 'mamori:package:ownedBy').length, 0);
    assert.equal(bom.dependencies, undefined);
  });

  test('licences: ids, one AND-ed expression, or names for free text', () => {
    assert.deepEqual(byName('libc6').licenses, [
      { license: { id: 'LGPL-2.1-or-later', acknowledgement: 'declared' } },
      { license: { id: 'GPL-2.0-or-later', acknowledgement: 'declared' } },
    ]);
    assert.deepEqual(byName('left-pad').licenses, [
      { expression: 'WTFPL AND (MIT OR Apache-2.0)', acknowledgement: 'declared' },
    ]);
    assert.deepEqual(byName('bash').licenses, [
      { license: { id: 'GPL-3.0-or-later', acknowledgement: 'declared' } },
      { license: { name: 'GPL-2+', acknowledgement: 'declared' } },
    ]);
    assert.deepEqual(byName('naïve-ünicode_pkg').licenses, [
      { license: { id: 'MIT', acknowledgement: 'declared' } },
    ]);
    assert.equal(byName('github.com/spf13/cobra').licenses, undefined);
  });

  test('bom-refs are stable across runs and carry the purl', () => {
    const again = JSON.parse(
      renderCycloneDx(fixtureInventory, { ...fixedOptions, timestamp: new Date() }),
    ) as Bom;
    assert.deepEqual(
      again.components.map((c) => c['bom-ref']),
      bom.components.map((c) => c['bom-ref']),
    );
    const bash = byName('bash');
    assert.ok(bash['bom-ref'].startsWith(`${bash.purl}&package-id=`));
  });

  test('a fresh serial number per run unless fixed', () => {
    const a = JSON.parse(renderCycloneDx(fixtureInventory)) as Bom;
    const b = JSON.parse(renderCycloneDx(fixtureInventory)) as Bom;
    assert.match(a.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.equal(bom.serialNumber, fixedOptions.serialNumber);
  });

  test('bad options are refused with INVALID_ARGUMENT', () => {
    assert.throws(
      () => renderCycloneDx(fixtureInventory, { serialNumber: 'not-a-urn' }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => renderCycloneDx(fixtureInventory, { timestamp: new Date('nope') }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });

  test('an image known only by name: no purl, version from the tag, still valid', async () => {
    const inv: Inventory = {
      schemaVersion: 1,
      source: { ref: 'dir:/tmp/rootfs', transport: 'dir', name: '/tmp/rootfs', layers: [] },
      packages: [],
      warnings: [],
    };
    const json = renderCycloneDx(inv, fixedOptions);
    await assertValidCycloneDx(json);
    const b = JSON.parse(json) as Bom;
    assert.equal(b.metadata.component.purl, undefined);
    assert.equal(b.metadata.component.name, '/tmp/rootfs');
    assert.deepEqual(b.components, []);
  });
});
