/**
 * Validators for the renderer tests: the official CycloneDX 1.6 schema (as
 * shipped by the CycloneDX library) and the official SPDX 2.3 JSON schema
 * (stored beside this file), plus the cross-reference rules the schemas
 * cannot express.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { Ajv, type ValidateFunction } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import parseSpdxExpression from 'spdx-expression-parse';

/** Fails with the validator's messages unless `json` is a valid CycloneDX 1.6 document. */
export async function assertValidCycloneDx(json: string): Promise<void> {
  const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json);
  assert.equal(errors, null, `CycloneDX 1.6 schema errors: ${JSON.stringify(errors, null, 2)?.slice(0, 4000)}`);
}

/** JSON with object keys sorted, so equal values give equal strings (the equality `uniqueItems` means). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Replaces every `uniqueItems: true` with `uniqueItemsLinear: true`, leaving the rest of the schema as is. */
function linearUniqueItems(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(linearUniqueItems);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'uniqueItems' && v === true) out['uniqueItemsLinear'] = true;
    else out[k] = linearUniqueItems(v);
  }
  return out;
}

/**
 * The official CycloneDX 1.6 schema (the files the CycloneDX library ships),
 * with ajv set up as the library's own validator sets it up, except that
 * `uniqueItems` is checked by hashing (linear) instead of ajv's pairwise
 * comparison, which is quadratic and takes hours on 50,000 components. Same
 * rules, for large documents.
 */
export function cycloneDxLargeValidator(): ValidateFunction {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
  const load = (f: string): unknown => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const ajv = new Ajv({
    strict: false,
    useDefaults: false,
    addUsedSchema: false,
    schemas: {
      'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': load('spdx.SNAPSHOT.schema.json') as object,
      'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': load(
        'cryptography-defs.SNAPSHOT.schema.json',
      ) as object,
      'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': load('jsf-0.82.SNAPSHOT.schema.json') as object,
    },
  });
  ajvFormats.default(ajv);
  const draft2019 = require('ajv-formats-draft2019') as (a: Ajv, o: { formats: string[] }) => Ajv;
  draft2019(ajv, { formats: ['idn-email'] });
  ajv.addFormat('iri-reference', true);
  ajv.addKeyword({
    keyword: 'uniqueItemsLinear',
    type: 'array',
    errors: false,
    validate: (_schema: unknown, data: unknown[]) => new Set(data.map(canonical)).size === data.length,
  });
  return ajv.compile(linearUniqueItems(load('bom-1.6.SNAPSHOT.schema.json')) as object);
}

/** The official SARIF 2.1.0 schema (draft-04, stored beside this file) with its formats checked. */
export function sarifSchemaValidator(): ValidateFunction {
  const schema: unknown = JSON.parse(
    readFileSync(new URL('./sarif-2.1.0/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
  );
  const ajv = new Ajv04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  return ajv.compile(schema as object);
}

/** Fails with the validator's messages unless `json` is a valid SARIF 2.1.0 log. */
export function assertValidSarif(json: string, validate: ValidateFunction = sarifSchemaValidator()): void {
  assert.ok(
    validate(JSON.parse(json)),
    `SARIF 2.1.0 schema errors: ${JSON.stringify(validate.errors, null, 2)?.slice(0, 4000)}`,
  );
}

export function spdxSchemaValidator(): ValidateFunction {
  const schema: unknown = JSON.parse(readFileSync(new URL('./spdx-2.3/spdx-schema.json', import.meta.url), 'utf8'));
  return new Ajv({ allErrors: true, strict: false }).compile(schema as object);
}

interface SpdxDoc {
  SPDXID: string;
  packages: { SPDXID: string; licenseDeclared: string; name: string }[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string }[];
}

function licenseRefs(expr: string): string[] {
  const refs: string[] = [];
  const walk = (n: ReturnType<typeof parseSpdxExpression>): void => {
    if ('conjunction' in n) {
      walk(n.left);
      walk(n.right);
    } else if (n.license.startsWith('LicenseRef-')) refs.push(n.license);
  };
  walk(parseSpdxExpression(expr));
  return refs;
}

/** Schema validation plus: unique well-formed ids, resolvable relationships, declared LicenseRefs. */
export function assertValidSpdx(json: string, validate: ValidateFunction = spdxSchemaValidator()): SpdxDoc {
  const doc = JSON.parse(json) as SpdxDoc;
  assert.ok(validate(doc), `SPDX 2.3 schema errors: ${JSON.stringify(validate.errors, null, 2)?.slice(0, 4000)}`);
  const ids = new Set<string>([doc.SPDXID]);
  for (const p of doc.packages) {
    assert.match(p.SPDXID, /^SPDXRef-[A-Za-z0-9.-]+$/);
    assert.ok(!ids.has(p.SPDXID), `duplicate SPDXID ${p.SPDXID}`);
    ids.add(p.SPDXID);
  }
  for (const r of doc.relationships) {
    assert.ok(ids.has(r.spdxElementId), `relationship from unknown ${r.spdxElementId}`);
    assert.ok(ids.has(r.relatedSpdxElement), `relationship to unknown ${r.relatedSpdxElement}`);
  }
  const extracted = new Set((doc.hasExtractedLicensingInfos ?? []).map((e) => e.licenseId));
  for (const id of extracted) assert.match(id, /^LicenseRef-[A-Za-z0-9.-]+$/);
  for (const p of doc.packages) {
    if (p.licenseDeclared === 'NOASSERTION' || p.licenseDeclared === 'NONE') continue;
    for (const ref of licenseRefs(p.licenseDeclared)) {
      assert.ok(extracted.has(ref), `${p.SPDXID} uses undeclared ${ref}`);
    }
  }
  return doc;
}

interface CdxComponent {
  'bom-ref'?: string;
  properties?: { name: string; value?: string }[];
}

/** bom-refs unique and every `mamori:package:ownedBy` names one of them. */
export function assertCycloneDxRefs(json: string): void {
  const bom = JSON.parse(json) as { metadata: { component?: CdxComponent }; components: CdxComponent[] };
  const refs = new Set<string>();
  for (const c of [bom.metadata.component, ...bom.components]) {
    const ref = c?.['bom-ref'];
    assert.ok(ref !== undefined && ref.length > 0, 'component without bom-ref');
    assert.ok(!refs.has(ref), `duplicate bom-ref ${ref}`);
    refs.add(ref);
  }
  for (const c of bom.components) {
    for (const p of c.properties ?? []) {
      if (p.name === 'mamori:package:ownedBy') assert.ok(refs.has(p.value ?? ''), `ownedBy ${p.value} unresolved`);
    }
  }
}
