import type { Readable as ReadableType } from 'node:stream';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StorageError, type ByteRange } from '../storage/index.js';
import { isNotFound, s3Error, type Where } from './errors.js';
import { blobsPrefix, digestFromKey } from './keys.js';

const MiB = 1024 * 1024;
/** Multipart part size and parts in flight: memory per upload stays near (queue + 1) × part. */
export const PART_BYTES = 8 * MiB;
export const PART_QUEUE = 2;
/** S3's limit on parts per multipart upload: above 10 000 × 8 MiB (78 GiB) parts grow with the blob. */
const MAX_PARTS = 10_000;

/** Object operations on one bucket; every failure is a StorageError. */
export class Objects {
  constructor(
    private readonly client: S3Client,
    private readonly where: Where,
  ) {}

  private get bucket(): string {
    return this.where.bucket;
  }

  /** HEADs the bucket: resolves when it exists and the credentials may use it. */
  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      // HEAD responses have no body: a 404 is the bucket's absence.
      if (isNotFound(e)) {
        throw new StorageError('IO', `S3 bucket ${JSON.stringify(this.bucket)} does not exist`);
      }
      throw s3Error(e, 'checking the bucket', this.where);
    }
  }

  /** Size of the object, or undefined when there is none. */
  async size(key: string): Promise<number | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return r.ContentLength ?? 0;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw s3Error(e, 'reading blob metadata', this.where);
    }
  }

  /**
   * A stream of the object (or the inclusive range of it) and the byte count
   * it will deliver; undefined when the object is absent.
   */
  async get(key: string, range?: ByteRange): Promise<{ stream: ReadableType; length: number } | undefined> {
    let body: unknown;
    let length: number | undefined;
    try {
      const r = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      body = r.Body;
      length = r.ContentLength;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw s3Error(e, 'reading a blob', this.where);
    }
    if (!(body instanceof Readable)) {
      throw new StorageError('IO', 'S3 returned a blob without a readable body');
    }
    const want = range ? range.end - range.start + 1 : undefined;
    if (length === undefined || (want !== undefined && length !== want)) {
      body.destroy();
      throw new StorageError('IO', `S3 answered ${length ?? 'an unknown number of'} bytes for a blob read`);
    }
    return { stream: body, length };
  }

  /**
   * The whole object when it has at most `maxBytes` (TOO_LARGE otherwise,
   * decided from the response header before the body is read); undefined
   * when absent.
   */
  async read(key: string, maxBytes: number, what: string): Promise<Buffer | undefined> {
    const got = await this.get(key);
    if (!got) return undefined;
    const { stream, length } = got;
    if (length > maxBytes) {
      stream.destroy();
      throw new StorageError('TOO_LARGE', `blob ${what} is larger than ${maxBytes} bytes`);
    }
    const buf = Buffer.allocUnsafe(length);
    let off = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (chunk.length > length - off) throw new StorageError('IO', 'S3 sent more bytes than it announced');
        buf.set(chunk, off);
        off += chunk.length;
      }
    } catch (e) {
      stream.destroy();
      throw s3Error(e, 'reading a blob', this.where);
    }
    if (off !== length) throw new StorageError('IO', `S3 sent ${off} of ${length} announced bytes`);
    return buf;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      throw s3Error(e, 'deleting a blob', this.where);
    }
  }

  /**
   * Streams `body` (`size` bytes) to `key`. Multipart above one part: S3
   * makes the object visible only when the upload completes, and a failed
   * upload is aborted, so a partial object is never visible. The stored size
   * is checked afterwards.
   */
  async upload(key: string, body: ReadableType, size: number): Promise<void> {
    const partSize = Math.max(PART_BYTES, Math.ceil(size / MAX_PARTS));
    try {
      await new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/octet-stream' },
        partSize,
        queueSize: PART_QUEUE,
        leavePartsOnError: false,
      }).done();
    } catch (e) {
      body.destroy();
      throw s3Error(e, 'uploading a blob', this.where);
    }
    const stored = await this.size(key);
    if (stored !== size) {
      if (stored !== undefined) await this.delete(key).catch(() => undefined);
      throw new StorageError('IO', `S3 stored ${stored ?? 'no'} bytes for a blob of ${size} bytes`);
    }
  }

  /** Every blob digest under the prefix, one listing page at a time. */
  async *digests(prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: blobsPrefix(prefix),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (e) {
        throw s3Error(e, 'listing blobs', this.where);
      }
      for (const object of page.Contents ?? []) {
        const digest = object.Key === undefined ? undefined : digestFromKey(prefix, object.Key);
        if (digest) yield digest;
      }
      const next = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (next !== undefined && next === token) {
        throw new StorageError('IO', 'S3 listing returned the same continuation token twice');
      }
      token = next;
    } while (token);
  }
}
