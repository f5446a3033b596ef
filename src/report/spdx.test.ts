import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isMamoriError } from '../core/index.js';
import { renderSpdx } from './index.js';
import { fixedOptions, fixtureInventory } from './testdata/fixture.js';
import { assertValidSpdx, spdxSchemaValidator } from './testdata/validate.js';

interface Pkg {
  name: string;
  SPDXID: string;
  versionInfo?: string;
  downloadLocation: string;
  licenseDeclared: string;
  sourceInfo?: string;
  checksums?: { algorithm: string; checksumValue: string }[];
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose?: string;
}
interface Doc {
  spdxVersion: string;
  dataLicense: string;
  SPDXID: string;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: Pkg[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name: string }[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
}

const validate = spdxSchemaValidator();
const json = renderSpdx(fixtureInventory, fixedOptions);
const doc = JSON.parse(json) as Doc;
const pkg = (name: string): Pkg => {
  const p = doc.packages.find((x) => x.name === name && x.primaryPackagePurpose === 'LIBRARY');
  assert.ok(p, `package ${name}`);
  return p;
};
const containers = (id: string): string[] =>
  doc.relationships
    .filter((r) => r.relatedSpdxElement === id && r.relationshipType === 'CONTAINS')
    .map((r) => r.spdxElementId);

describe('renderSpdx', () => {
  test('validates against the official SPDX 2.3 JSON schema, ids and references resolve', () => {
    assertValidSpdx(json, validate);
  });

  test('the schema validator rejects a broken document (the check can fail)', () => {
    assert.equal(
      validate({ ...doc, packages: [{ ...doc.packages[0], primaryPackagePurpose: 'OPERATING-SYSTEM' }] }),
      false,
    );
    assert.equal(validate({ ...doc, SPDXID: undefined }), false);
  });

  test('document header', () => {
    assert.equal(doc.spdxVersion, 'SPDX-2.3');
    assert.equal(doc.dataLicense, 'CC0-1.0');
    assert.equal(doc.SPDXID, 'SPDXRef-DOCUMENT');
    assert.equal(doc.name, 'ghcr.io/acme/shop-api:1.4.2');
    assert.equal(doc.documentNamespace, fixedOptions.documentNamespace);
    assert.deepEqual(doc.creationInfo, {
      created: '2024-05-01T12:00:00Z',
      creators: ['Tool: mamori-0.0.0-golden'],
    });
  });

  test('the document DESCRIBES the image, a CONTAINER with an oci purl', () => {
    const describes = doc.relationships.filter((r) => r.relationshipType === 'DESCRIBES');
    assert.equal(describes.length, 1);
    const image = doc.packages.find((p) => p.SPDXID === describes[0]?.relatedSpdxElement);
    assert.equal(image?.primaryPackagePurpose, 'CONTAINER');
    assert.equal(image?.versionInfo, '1.4.2');
    assert.match(image?.externalRefs?.[0]?.referenceLocator ?? '', /^pkg:oci\/shop-api@sha256%3A/);
    const os = doc.packages.find((p) => p.primaryPackagePurpose === 'OPERATING_SYSTEM');
    assert.equal(os?.name, 'debian');
    assert.deepEqual(containers(os?.SPDXID ?? ''), [image?.SPDXID]);
  });

  test('one package per inventory package with purl, NOASSERTION download, locations and layer', () => {
    assert.equal(
      doc.packages.filter((p) => p.primaryPackagePurpose === 'LIBRARY').length,
      fixtureInventory.packages.length,
    );
    const bash = pkg('bash');
    assert.equal(bash.versionInfo, '5.2.15-2+b2');
    assert.equal(bash.downloadLocation, 'NOASSERTION');
    assert.deepEqual(bash.externalRefs, [
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: 'pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12',
      },
    ]);
    assert.match(
      bash.sourceInfo ?? '',
      /dpkg-db-cataloger: \/var\/lib\/dpkg\/status \(layer 0\), \/usr\/share\/doc\/bash\/copyright \(layer 0\)/,
    );
    assert.ok(bash.sourceInfo?.includes(fixtureInventory.source.layers[0]?.diffId ?? '?'));
    assert.equal(pkg('@babel/core').checksums?.[0]?.algorithm, 'SHA512');
  });

  test('SPDX ids are sanitised and stable', () => {
    for (const p of doc.packages) assert.match(p.SPDXID, /^SPDXRef-[A-Za-z0-9.-]+$/);
    assert.match(
      pkg('evil\u001b[31m-red\u202e-txt').SPDXID,
      /^SPDXRef-Package-gem-evil-31m-red-txt-[0-9a-f]{16}$/,
    );
    const again = JSON.parse(renderSpdx(fixtureInventory)) as Doc;
    assert.deepEqual(
      again.packages.map((p) => p.SPDXID),
      doc.packages.map((p) => p.SPDXID),
    );
  });

  test('the image CONTAINS each package, except an owned one, which its OS package CONTAINS', () => {
    const image = doc.relationships.find((r) => r.relationshipType === 'DESCRIBES')?.relatedSpdxElement;
    assert.deepEqual(containers(pkg('requests').SPDXID), [pkg('python3-requests').SPDXID]);
    for (const p of doc.packages.filter(
      (x) => x.primaryPackagePurpose === 'LIBRARY' && x.name !== 'requests',
    )) {
      assert.deepEqual(containers(p.SPDXID), [image], p.name);
    }
  });

  test('licences: SPDX expressions as such, free text as declared LicenseRefs, none as NOASSERTION', () => {
    assert.equal(pkg('libc6').licenseDeclared, 'LGPL-2.1-or-later AND GPL-2.0-or-later');
    assert.equal(pkg('left-pad').licenseDeclared, 'WTFPL AND (MIT OR Apache-2.0)');
    assert.equal(pkg('naïve-ünicode_pkg').licenseDeclared, 'MIT');
    assert.equal(pkg('github.com/spf13/cobra').licenseDeclared, 'NOASSERTION');
    const acme = pkg('acme-billing').licenseDeclared;
    assert.match(acme, /^LicenseRef-[A-Za-z0-9.-]+$/);
    const info = doc.hasExtractedLicensingInfos?.find((e) => e.licenseId === acme);
    assert.equal(info?.extractedText, 'Acme Commercial License v2 (see LICENSE.txt)');
    assert.match(pkg('bash').licenseDeclared, /^GPL-3.0-or-later AND LicenseRef-GPL-2-[0-9a-f]{8}$/);
  });

  test('the namespace is unique per run unless fixed; a bad one is refused', () => {
    const a = JSON.parse(renderSpdx(fixtureInventory)) as Doc;
    const b = JSON.parse(renderSpdx(fixtureInventory)) as Doc;
    assert.notEqual(a.documentNamespace, b.documentNamespace);
    assert.match(
      a.documentNamespace,
      /^https:\/\/spdx\.org\/spdxdocs\/mamori\/ghcr.io-acme-shop-api-[0-9a-f-]{36}$/,
    );
    assert.throws(
      () => renderSpdx(fixtureInventory, { documentNamespace: 'not a uri' }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });
});
