/**
 * Test content for the OCI Distribution Spec conformance checks in this
 * folder: the same kinds of objects the reference conformance suite pushes
 * (a config per workflow, one gzip layer, manifests with a `data` field and
 * an unknown field, a manifest with no layers, random blobs for streamed and
 * chunked uploads, and referrers of one subject: two whose artifact type is
 * the config media type, two with `artifactType` over the empty JSON config,
 * one of a subject never pushed, and an index). Manifests are serialised as
 * Go's `json.MarshalIndent(v, "", "\t")` would, so their digests are those a
 * Go client computes for the same values.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tarBytes } from '../../testing/oci-writer.js';

export const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
const CONFIG_TYPE = 'application/vnd.oci.image.config.v1+json';
const LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';
const EMPTY_TYPE = 'application/vnd.oci.empty.v1+json';

/** The annotation key set on every referrer; its value names the referrer. */
export const ANNOTATION_KEY = 'org.opencontainers.conformance.test';
/** The tag the pull, discovery and management workflows push. */
export const TEST_TAG = 'tagtest0';
/** The tag of the manifest with no layers. */
export const EMPTY_LAYER_TAG = 'emptylayer';
/** A reference no registry holds (and not a valid tag: it starts with a dot). */
export const NONEXISTENT_MANIFEST = '.INVALID_MANIFEST_NAME';
/** The digest of the empty JSON object `{}`, fixed by the image spec. */
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** The error codes the reference suite accepts in an error body (its list keeps two codes later specs dropped). */
export const SUITE_ERROR_CODES: readonly string[] = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'MANIFEST_UNVERIFIED',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'TAG_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
];

/** The error codes of the spec's table (code-1 … code-14). */
export const SPEC_ERROR_CODES: readonly string[] = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
];

export const sha256 = (b: Buffer | string): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A blob or manifest with its digest and length. */
export interface TestBlob {
  readonly content: Buffer;
  readonly digest: string;
  readonly length: number;
}

const blob = (content: Buffer): TestBlob => ({ content, digest: sha256(content), length: content.length });

/** Go's `json.MarshalIndent(v, "", "\t")` for the plain values used here. */
const goJson = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, null, '\t'));

interface DescriptorFields {
  readonly data?: Buffer;
  readonly unspecified?: Buffer;
}

/**
 * A descriptor in the field order of the suite's Go struct; `data` and the
 * unknown `newUnspecifiedField` are base64 as Go encodes `[]byte` (the
 * latter `null` when unset, as the struct does not omit it).
 */
function descriptor(mediaType: string, b: TestBlob, fields: DescriptorFields = {}): Record<string, unknown> {
  return {
    mediaType,
    digest: b.digest,
    size: b.length,
    ...(fields.data ? { data: fields.data.toString('base64') } : {}),
    newUnspecifiedField: fields.unspecified ? fields.unspecified.toString('base64') : null,
  };
}

/** A referrer manifest (or index) with the value of its conformance annotation. */
export interface Referrer extends TestBlob {
  readonly annotation?: string;
}

export interface ConformanceData {
  /** One image config per workflow slot (0 pull, 1 push, 2 discovery, 3 management, 4 referrers subject). */
  readonly configs: readonly TestBlob[];
  /** One image manifest per slot, over `configs[i]` and `layer`. */
  readonly manifests: readonly TestBlob[];
  /** A gzip tarball holding one text file. */
  readonly layer: TestBlob;
  /** A manifest over `configs[1]` with an empty layer list and no `mediaType`. */
  readonly emptyLayerManifest: TestBlob;
  /** 42 random bytes, pushed streamed (PATCH then PUT). */
  readonly blobA: TestBlob;
  /** 42 random bytes, pushed in two chunks (the first of 22 bytes). */
  readonly blobB: TestBlob;
  /** The digest of "hello world": a blob no test pushes. */
  readonly dummyDigest: string;
  readonly emptyJson: TestBlob;
  readonly refBlobA: TestBlob;
  readonly refBlobB: TestBlob;
  readonly artifactTypeA: string;
  /** Referrers of `manifests[4]` (configA/configB: artifact type as config media type; layerA/layerB: `artifactType` field; index). */
  readonly refs: {
    readonly configA: Referrer;
    readonly configB: Referrer;
    readonly layerA: Referrer;
    readonly layerB: Referrer;
    /** A referrer of `manifests[3]`, which the discovery workflow never pushes. */
    readonly layerC: Referrer;
    readonly index: Referrer;
  };
  /** Unique repository name for cross-repository mounts. */
  readonly crossmountNamespace: string;
}

function imageConfig(): TestBlob {
  // A random author makes each config, and so each manifest, unique.
  return blob(
    goJson({
      author: randomBytes(12).toString('base64url'),
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
}

function imageManifest(config: TestBlob, layers: readonly TestBlob[], withMediaType = true): TestBlob {
  return blob(
    goJson({
      schemaVersion: 2,
      ...(withMediaType ? { mediaType: MANIFEST_TYPE } : {}),
      config: descriptor(CONFIG_TYPE, config, {
        data: config.content,
        unspecified: Buffer.from('hello world'),
      }),
      layers: layers.map((l) => descriptor(LAYER_TYPE, l)),
    }),
  );
}

interface ArtifactSpec {
  readonly artifactType?: string;
  readonly config: Record<string, unknown>;
  readonly layers: readonly Record<string, unknown>[];
  readonly subject: TestBlob;
  readonly annotation?: string;
}

function artifact(spec: ArtifactSpec): Referrer {
  const b = blob(
    goJson({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      ...(spec.artifactType !== undefined ? { artifactType: spec.artifactType } : {}),
      config: spec.config,
      layers: spec.layers,
      subject: descriptor(MANIFEST_TYPE, spec.subject),
      ...(spec.annotation !== undefined ? { annotations: { [ANNOTATION_KEY]: spec.annotation } } : {}),
    }),
  );
  return spec.annotation !== undefined ? { ...b, annotation: spec.annotation } : b;
}

/** Builds fresh conformance content (random parts differ on every call). */
export async function conformanceData(): Promise<ConformanceData> {
  const configs = Array.from({ length: 5 }, imageConfig);
  const layer = blob(
    gzipSync(await tarBytes([{ name: 'test.txt', content: 'a layer of the mamori conformance checks\n' }])),
  );
  const manifests = configs.map((c) => imageManifest(c, [layer]));
  const emptyLayerManifest = imageManifest(configs[1] as TestBlob, [], false);
  const blobA = blob(randomBytes(42));
  const blobB = blob(randomBytes(42));

  const emptyJson = blob(Buffer.from('{}'));
  const refBlobA = blob(Buffer.from('conformance referrer payload A'));
  const refBlobB = blob(Buffer.from('conformance referrer payload B'));
  const artifactTypeA = 'application/vnd.example.conformance.a';
  const artifactTypeB = 'application/vnd.example.conformance.b';
  const artifactTypeIndex = 'application/vnd.example.conformance.index';
  const subject = manifests[4] as TestBlob;
  const emptyDescriptor = descriptor(EMPTY_TYPE, emptyJson);

  const configA = artifact({
    config: descriptor(artifactTypeA, refBlobA),
    layers: [emptyDescriptor],
    subject,
    annotation: 'test config a',
  });
  const configB = artifact({
    config: descriptor(artifactTypeB, refBlobB),
    layers: [emptyDescriptor],
    subject,
    annotation: 'test config b',
  });
  const layerA = artifact({
    artifactType: artifactTypeA,
    config: emptyDescriptor,
    layers: [descriptor(artifactTypeA, refBlobA)],
    subject,
    annotation: 'test layer a',
  });
  const layerB = artifact({
    artifactType: artifactTypeB,
    config: emptyDescriptor,
    layers: [descriptor(artifactTypeB, refBlobB)],
    subject,
    annotation: 'test layer b',
  });
  const layerC = artifact({
    artifactType: artifactTypeB,
    config: emptyDescriptor,
    layers: [descriptor(artifactTypeB, refBlobB)],
    subject: manifests[3] as TestBlob,
  });
  const indexAnnotation = 'test index';
  const index: Referrer = {
    ...blob(
      goJson({
        schemaVersion: 2,
        mediaType: INDEX_TYPE,
        artifactType: artifactTypeIndex,
        manifests: [descriptor(MANIFEST_TYPE, configA), descriptor(MANIFEST_TYPE, layerA)],
        subject: descriptor(MANIFEST_TYPE, subject),
        annotations: { [ANNOTATION_KEY]: indexAnnotation },
      }),
    ),
    annotation: indexAnnotation,
  };

  return {
    configs,
    manifests,
    layer,
    emptyLayerManifest,
    blobA,
    blobB,
    dummyDigest: sha256('hello world'),
    emptyJson,
    refBlobA,
    refBlobB,
    artifactTypeA,
    refs: { configA, configB, layerA, layerB, layerC, index },
    crossmountNamespace: `conformance-${randomUUID()}`,
  };
}

/**
 * The reference suite's environment switches, as set for mamori: content is
 * always pushed by the checks themselves (no OCI_TAG_NAME/OCI_TAG_LIST),
 * manifests are deleted before blobs (OCI_DELETE_MANIFEST_BEFORE_BLOBS
 * default), and the automatic cross-mount checks run with
 * OCI_AUTOMATIC_CROSSMOUNT=false, since mamori mounts only with `from`.
 */
export const SUITE_OPTIONS = {
  deleteManifestBeforeBlobs: true,
  runAutomaticCrossmountTest: true,
  automaticCrossmountEnabled: false,
} as const;

/** The repository the workflows push to (the reference suite's OCI_NAMESPACE). */
export const NAMESPACE = 'conformance/repo';
