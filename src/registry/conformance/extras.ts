/**
 * Helpers of the checks of spec requirements the reference conformance suite
 * checks only loosely or not at all (the `*-extras.test.ts` files): small
 * unique images, the spec's error body shape and RFC 5988 `Link` parsing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { expectStatus, pushBlob, pushManifest } from './client.js';
import type { RegistryClient, Response } from './client.js';
import { MANIFEST_TYPE, SPEC_ERROR_CODES, sha256 } from './fixtures.js';
import type { TestBlob } from './fixtures.js';

export const CONFIG_TYPE = 'application/vnd.oci.image.config.v1+json';
export const LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar';
export const octet = { 'content-type': 'application/octet-stream' };

export const blob = (content: Buffer): TestBlob => ({
  content,
  digest: sha256(content),
  length: content.length,
});
export const desc = (mediaType: string, b: TestBlob): Record<string, unknown> => ({
  mediaType,
  digest: b.digest,
  size: b.length,
});

export interface Image {
  readonly config: TestBlob;
  readonly layer: TestBlob;
  readonly manifest: TestBlob;
}

/** A small image with unique content; `extra` fields go into the manifest. */
export function image(extra: Record<string, unknown> = {}): Image {
  const config = blob(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', id: randomBytes(8).toString('hex') })),
  );
  const layer = blob(randomBytes(64));
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST_TYPE,
        config: desc(CONFIG_TYPE, config),
        layers: [desc(LAYER_TYPE, layer)],
        ...extra,
      }),
    ),
  );
  return { config, layer, manifest };
}

export async function pushImage(
  client: RegistryClient,
  img: Image,
  reference = img.manifest.digest,
): Promise<Response> {
  expectStatus(await pushBlob(client, img.config), 201);
  expectStatus(await pushBlob(client, img.layer), 201);
  const res = await pushManifest(client, reference, img.manifest.content, MANIFEST_TYPE);
  expectStatus(res, 201);
  return res;
}

/** Asserts the spec's error body `{errors:[{code, message?, detail?}]}` whose first code is `code`. */
export function expectErrorBody(res: Response, code: string): void {
  const parsed = JSON.parse(res.body.toString('utf8')) as unknown;
  assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), 'a JSON object');
  const { errors } = parsed as { errors?: unknown };
  assert.ok(Array.isArray(errors) && errors.length > 0, '"errors" is a non-empty array');
  for (const e of errors as unknown[]) {
    assert.ok(typeof e === 'object' && e !== null, 'each error is an object');
    const entry = e as Record<string, unknown>;
    for (const key of Object.keys(entry))
      assert.ok(['code', 'message', 'detail'].includes(key), `field ${key}`);
    assert.equal(typeof entry.code, 'string');
    assert.match(entry.code as string, /^[A-Z_]+$/);
    assert.ok(SPEC_ERROR_CODES.includes(entry.code as string), `code ${String(entry.code)}`);
    if (entry.message !== undefined) assert.equal(typeof entry.message, 'string');
  }
  assert.equal((errors as { code: string }[])[0]!.code, code);
}

/** The target of an RFC 5988 `Link: <url>; rel="next"` header. */
export function nextLink(res: Response): string | undefined {
  const link = res.headers.get('link');
  if (link === null) return undefined;
  const m = /^<([^>]+)>\s*;\s*rel="?next"?$/.exec(link.trim());
  assert.ok(m, `Link header ${link}`);
  return m[1];
}
