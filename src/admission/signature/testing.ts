/**
 * Test helpers (tests only): keys and signatures made with the openssl CLI,
 * and pushes of cosign signature manifests into a real registry over HTTP.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  SIGNATURE_ANNOTATION,
  SIGNATURE_ARTIFACT_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SIMPLE_SIGNING_TYPE,
} from './types.js';

const run = promisify(execFile);

export const sha256 = (b: Buffer | string): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface TestKey {
  readonly kind: 'ec' | 'ed25519';
  readonly privatePath: string;
  readonly publicPem: string;
}

/** A key pair made by openssl in `dir` under `name`. */
export async function makeKey(dir: string, name: string, kind: TestKey['kind']): Promise<TestKey> {
  const priv = join(dir, `${name}.key`);
  const pub = join(dir, `${name}.pub`);
  if (kind === 'ec') {
    await run('openssl', ['ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', priv]);
  } else {
    await run('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', priv]);
  }
  await run('openssl', ['pkey', '-in', priv, '-pubout', '-out', pub]);
  return { kind, privatePath: priv, publicPem: await readFile(pub, 'utf8') };
}

/** The base64 signature openssl makes over exactly `payload` (ECDSA: DER, SHA-256; Ed25519: raw message). */
export async function signWithOpenssl(dir: string, key: TestKey, payload: Buffer): Promise<string> {
  const n = randomUUID();
  const inPath = join(dir, `payload-${n}`);
  const outPath = join(dir, `sig-${n}`);
  await writeFile(inPath, payload);
  if (key.kind === 'ec') {
    await run('openssl', ['dgst', '-sha256', '-sign', key.privatePath, '-out', outPath, inPath]);
  } else {
    await run('openssl', [
      'pkeyutl',
      '-sign',
      '-inkey',
      key.privatePath,
      '-rawin',
      '-in',
      inPath,
      '-out',
      outPath,
    ]);
  }
  return (await readFile(outPath)).toString('base64');
}

/** A cosign simple-signing payload naming `digest`. */
export function simpleSigningPayload(
  digest: string,
  reference = 'registry.local/app',
  type = SIMPLE_SIGNING_TYPE,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type,
      },
      optional: null,
    }),
  );
}

/** A minimal client for pushing into a test registry. */
export class Pusher {
  constructor(
    readonly url: string,
    readonly repository: string,
    /** Extra request headers (e.g. `authorization` for a registry with access control). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  async blob(data: Buffer): Promise<string> {
    const d = sha256(data);
    const res = await fetch(`${this.url}/v2/${this.repository}/blobs/uploads/?digest=${d}`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/octet-stream' },
      body: data,
    });
    if (res.status !== 201) throw new Error(`blob push answered ${res.status}`);
    return d;
  }

  async manifest(
    reference: string,
    body: Buffer,
    mediaType = 'application/vnd.oci.image.manifest.v1+json',
  ): Promise<string> {
    const res = await fetch(`${this.url}/v2/${this.repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { ...this.headers, 'content-type': mediaType },
      body,
    });
    if (res.status !== 201) throw new Error(`manifest push answered ${res.status}: ${await res.text()}`);
    return sha256(body);
  }

  /** Pushes a small image and returns its manifest digest and size. */
  async image(seed: string): Promise<{ digest: string; size: number }> {
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed }),
    );
    const configDigest = await this.blob(config);
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: configDigest,
          size: config.length,
        },
        layers: [],
      }),
    );
    return { digest: await this.manifest('latest', body), size: body.length };
  }
}

/** One signature layer: the payload (pushed unless `push` is false) and its annotations. */
export interface SignatureLayer {
  readonly payload: Buffer;
  readonly signature?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The size to declare (default: the payload's). */
  readonly size?: number;
  readonly mediaType?: string;
}

async function layers(p: Pusher, sigs: readonly SignatureLayer[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const s of sigs) {
    const digest = await p.blob(s.payload);
    out.push({
      mediaType: s.mediaType ?? SIMPLE_SIGNING_MEDIA_TYPE,
      digest,
      size: s.size ?? s.payload.length,
      annotations:
        s.annotations ?? (s.signature !== undefined ? { [SIGNATURE_ANNOTATION]: s.signature } : {}),
    });
  }
  return out;
}

/** Pushes a cosign signature manifest under the `sha256-<hex>.sig` tag. */
export async function pushTagSignatures(
  p: Pusher,
  imageDigest: string,
  sigs: readonly SignatureLayer[],
  suffix: '.sig' | '.att' = '.sig',
): Promise<void> {
  const config = Buffer.from(
    JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const configDigest = await p.blob(config);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: await layers(p, sigs),
    }),
  );
  await p.manifest(`${imageDigest.replace(':', '-')}${suffix}`, body);
}

/** Pushes a cosign signature manifest as an OCI 1.1 referrer of the image (by digest). */
export async function pushReferrerSignatures(
  p: Pusher,
  image: { digest: string; size: number },
  sigs: readonly SignatureLayer[],
  artifactType = SIGNATURE_ARTIFACT_TYPE,
): Promise<string> {
  const empty = Buffer.from('{}');
  const emptyDigest = await p.blob(empty);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: empty.length },
      layers: await layers(p, sigs),
      subject: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: image.digest,
        size: image.size,
      },
    }),
  );
  return p.manifest(sha256(body), body);
}

/** An in-toto statement about `digest`. */
export function inTotoStatement(digest: string, predicateType: string, predicate: unknown = {}): Buffer {
  const [algo = '', hex = ''] = digest.split(':');
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'registry.local/app', digest: { [algo]: hex } }],
      predicateType,
      predicate,
    }),
  );
}

/** A DSSE envelope over `statement`, its PAE signed by openssl with `key`. */
export async function dsseEnvelope(
  dir: string,
  key: TestKey,
  statement: Buffer,
  signed = statement,
): Promise<Buffer> {
  const type = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${signed.length} `),
    signed,
  ]);
  const sig = await signWithOpenssl(dir, key, pae);
  return Buffer.from(
    JSON.stringify({
      payloadType: type,
      payload: statement.toString('base64'),
      signatures: [{ keyid: '', sig }],
    }),
  );
}
