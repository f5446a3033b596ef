/**
 * Hostile input to `scan` with the secret and misconfiguration scanners: a
 * 1 GiB file that is one single line, binary files, a path 2,000
 * directories deep and a layer of 100,000 files all finish in bounded
 * memory (the resident set is sampled every 50 ms during each scan);
 * corrupt images are refused with a MamoriError that names the layer; and
 * the temporary directory handed to `scan` is empty again after every scan.
 *
 * Layers are tars streamed straight into OCI layouts (src/testing/oci-writer.ts):
 * the large ones are never held in memory, by the test or by the scanner.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { after, before, test, type TestContext } from 'node:test';
import tar from 'tar-stream';
import { isMamoriError, type ErrorCode, type RuleFinding } from '../core/index.js';
import {
  putBlob,
  sha256Digest,
  writeOciLayout,
  type BlobRef,
  type LayerBlob,
} from '../testing/oci-writer.js';
import { scan, type ScanResult } from './scan.js';

const run = promisify(execFile);

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
/** The secret scanner's default per-file limit (src/secret/scanner.ts). */
const SECRET_LIMIT = 256 * MiB;
/** Generous bound on how much the resident set may grow during one scan. */
const MAX_RSS_GROWTH = 400 * MiB;

let root: string;
let scratch: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mamori-scan-hostile-'));
  scratch = join(root, 'scratch');
  await mkdir(scratch);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

// -- Streamed layers -----------------------------------------------------------------

type Pack = ReturnType<typeof tar.pack>;

/** Writes an uncompressed tar layer whose members `build` adds; returns its blob. */
async function tarBlob(dir: string, build: (pack: Pack) => Promise<void>): Promise<BlobRef> {
  const pack = tar.pack();
  const stored = putBlob(dir, pack as AsyncIterable<Buffer>);
  const built = build(pack).then(
    () => pack.finalize(),
    (e: unknown) => {
      pack.destroy(e as Error);
      throw e;
    },
  );
  const [blob] = await Promise.all([stored, built]);
  return blob;
}

const header = (name: string, type: 'file' | 'directory', mode: number, size = 0) => ({
  name,
  type,
  mode,
  size,
  mtime: new Date(0),
});

/** Adds a member whose content streams from `chunks`, with backpressure. */
async function addFile(
  pack: Pack,
  name: string,
  size: number,
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  mode = 0o644,
): Promise<void> {
  let entry: ReturnType<Pack['entry']> | undefined;
  const written = new Promise<void>((resolve, reject) => {
    entry = pack.entry(header(name, 'file', mode, size), (e) => (e ? reject(e) : resolve()));
  });
  assert.ok(entry);
  await Promise.all([pipeline(Readable.from(chunks, { objectMode: false }), entry), written]);
}

async function addSmall(pack: Pack, name: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const b = typeof content === 'string' ? Buffer.from(content) : content;
  await new Promise<void>((resolve, reject) =>
    pack.entry(header(name, 'file', mode, b.length), b, (e) => (e ? reject(e) : resolve())),
  );
}

async function addDir(pack: Pack, name: string): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    pack.entry(header(name, 'directory', 0o755), (e) => (e ? reject(e) : resolve())),
  );
}

/** Writes an image of layers already in the blob store; returns its reference. */
const writeImage = async (dir: string, layers: readonly LayerBlob[]): Promise<string> =>
  (await writeOciLayout(dir, 't', { layers })).ref;

// -- Scanning with the resident set watched ----------------------------------------

interface Measured {
  readonly result: ScanResult;
  readonly seconds: number;
  readonly growth: number;
}

const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

/** Runs the scan under test, sampling RSS every 50 ms; checks the temp dir is empty afterwards. */
async function scanMeasured(t: TestContext, ref: string): Promise<Measured> {
  const base = process.memoryUsage().rss;
  let peak = base;
  let samples = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    samples++;
  }, 50);
  timer.unref();
  const start = process.hrtime.bigint();
  let result: ScanResult;
  try {
    result = await scan(ref, { scanners: ['secret', 'misconfig'], cacheDir: false, tmpDir: scratch });
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const growth = peak - base;
  t.diagnostic(
    `scan took ${seconds.toFixed(1)} s; peak RSS ${mib(peak)} (${samples} samples), ${mib(growth)} over the pre-scan ${mib(base)}`,
  );
  assert.deepEqual(await readdir(scratch), [], 'the scan left files in its temporary directory');
  assert.ok(
    growth < MAX_RSS_GROWTH,
    `RSS grew by ${mib(growth)} during the scan (bound ${mib(MAX_RSS_GROWTH)})`,
  );
  assert.ok(result.surface, 'the misconfiguration scanner ran');
  return { result, seconds, growth };
}

/** The scan is refused with `code`, a one-line message matching `pattern`, and leaves nothing behind. */
async function scanRejects(ref: string, code: ErrorCode, pattern: RegExp): Promise<void> {
  await assert.rejects(
    scan(ref, { scanners: ['secret', 'misconfig'], cacheDir: false, tmpDir: scratch }),
    (e: unknown) => {
      assert.ok(isMamoriError(e), `expected a MamoriError, got ${e instanceof Error ? e.stack : String(e)}`);
      assert.equal(e.code, code, e.message);
      assert.match(e.message, pattern);
      assert.doesNotMatch(e.message, /\n|\bat .*:\d+:\d+/, 'the message holds stack trace text');
      return true;
    },
  );
  assert.deepEqual(await readdir(scratch), [], 'the failed scan left files in its temporary directory');
}

const secrets = (r: ScanResult): RuleFinding[] => r.ruleFindings.filter((f) => f.kind === 'secret');

const brief = (f: RuleFinding) =>
  `${f.ruleId} ${f.location?.path ?? '-'} layer ${f.location?.layer?.index ?? '-'}`;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

/** A GitHub personal access token of the real shape, new on every run. */
const githubToken = () => `ghp_${pick(ALNUM, 36)}`;

/** An AWS access key id of the real shape, new on every run. */
const awsKeyId = () => `AKIA${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;

async function assertDiskSpace(dir: string, need: number): Promise<void> {
  const s = await statfs(dir);
  const free = s.bavail * s.bsize;
  assert.ok(free >= need, `${dir} has ${mib(free)} free, the test needs ${mib(need)}`);
}

// -- 1. A 1 GiB file that is one single line ---------------------------------------

/**
 * 1 MiB of base64 text, the same on every run (SHA-256 in counter mode
 * from a fixed seed), with no newline and no `_`: it cannot hold a GitHub
 * token by itself but hits the scanner's short keywords (`key`, `api`,
 * `eyj` …) as real encoded data does.
 */
function fillerBlock(): Buffer {
  const raw = Buffer.alloc((3 * MiB) / 4);
  for (let i = 0; i * 32 < raw.length; i++) {
    createHash('sha256')
      .update(`mamori hostile filler ${i}`)
      .digest()
      .copy(raw, i * 32);
  }
  const text = Buffer.from(raw.toString('base64'));
  assert.equal(text.length, MiB);
  return text;
}

/** The chunks of a `size`-byte file of repeated `block`, with `inserts` written over it at their offsets. */
function* overlaid(
  block: Buffer,
  size: number,
  inserts: ReadonlyArray<{ readonly at: number; readonly bytes: Buffer }>,
): Generator<Buffer> {
  for (let off = 0; off < size; off += block.length) {
    const end = Math.min(size, off + block.length);
    const touching = inserts.filter((x) => x.at < end && x.at + x.bytes.length > off);
    if (touching.length === 0) {
      yield end - off === block.length ? block : block.subarray(0, end - off);
      continue;
    }
    const chunk = Buffer.from(block.subarray(0, end - off));
    for (const x of touching) {
      const from = Math.max(0, off - x.at);
      const to = Math.min(x.bytes.length, end - x.at);
      x.bytes.copy(chunk, x.at + from - off, from, to);
    }
    yield chunk;
  }
}

test('a 1 GiB single-line file: the secret in its first 256 MiB is found, the rest is reported unscanned, memory stays flat', async (t) => {
  const dir = join(root, 'one-line');
  await assertDiskSpace(root, GiB + 512 * MiB);
  const near = githubToken();
  const far = githubToken();
  // The first token straddles two of the writer's 1 MiB chunks, deep into the scanned part.
  const nearAt = 100 * MiB - 17;
  const farAt = 700 * MiB + 4242;
  const block = fillerBlock();
  const written = Date.now();
  const layer = await tarBlob(dir, async (pack) => {
    await addDir(pack, 'data/');
    await addFile(
      pack,
      'data/blob.txt',
      GiB,
      overlaid(block, GiB, [
        { at: nearAt, bytes: Buffer.from(near) },
        { at: farAt, bytes: Buffer.from(far) },
      ]),
    );
  });
  assert.ok(layer.size > GiB);
  const ref = await writeImage(dir, [layer]);
  t.diagnostic(`1 GiB layer written in ${((Date.now() - written) / 1000).toFixed(1)} s`);
  try {
    const { result } = await scanMeasured(t, ref);
    const found = secrets(result);
    assert.deepEqual(found.map(brief), ['github-pat /data/blob.txt layer 0']);
    const f = found[0];
    assert.ok(f?.location);
    assert.equal(f.location.layer?.diffId, layer.digest);
    assert.equal(f.location.deleted, undefined);
    // One line: the column is the byte offset, counted across hundreds of windows.
    assert.equal(f.location.startLine, 1);
    assert.equal(f.location.startColumn, nearAt + 1);
    assert.equal(f.location.endColumn, nearAt + near.length + 1);
    // Redacted evidence: neither token appears anywhere in the result.
    const json = JSON.stringify(result);
    assert.ok(!json.includes(near.slice(4)) && !json.includes(far.slice(4)));
    assert.deepEqual(result.warnings, [
      `secret scan of /data/blob.txt (layer 0) stopped at the ${SECRET_LIMIT}-byte limit: the last ${GiB - SECRET_LIMIT} of its ${GiB} bytes were not scanned`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// -- 2. Binary files -----------------------------------------------------------------

test('binary files: 64 MiB of noise yields nothing, a key appended to an ELF binary is found, an AWS key id in binary noise is not looked for', async (t) => {
  const dir = join(root, 'binary');
  await mkdir(dir, { recursive: true });
  await run('openssl', [
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    join(dir, 'key.pem'),
  ]);
  const pem = await readFile(join(dir, 'key.pem'));
  assert.match(pem.toString('latin1'), /^-----BEGIN PRIVATE KEY-----\n/);
  await copyFile('/usr/bin/true', join(dir, 'elf'));
  const elf = Buffer.concat([await readFile(join(dir, 'elf')), pem]);
  assert.ok(elf.subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1')));

  // Binary noise (a NUL in its first bytes, as in any binary) with an AWS key id in the middle.
  const aws = awsKeyId();
  const noise = randomBytes(256 * KiB);
  noise[0] = 0;
  const awsLine = Buffer.from(`\naws_access_key_id = ${aws}\n`);
  awsLine.copy(noise, 128 * KiB);
  // Control: the same key id in a text file is found, so its absence above is the binary rule at work.
  const awsText = `[default]\naws_access_key_id = ${aws}\n`;

  const layer = await tarBlob(dir, async (pack) => {
    await addDir(pack, 'data/');
    await addFile(
      pack,
      'data/random.bin',
      64 * MiB,
      (function* () {
        for (let i = 0; i < 64; i++) {
          const b = randomBytes(MiB);
          if (i === 0) b[0] = 0;
          yield b;
        }
      })(),
    );
    await addDir(pack, 'usr/');
    await addDir(pack, 'usr/local/');
    await addDir(pack, 'usr/local/bin/');
    await addSmall(pack, 'usr/local/bin/tool', elf, 0o755);
    await addDir(pack, 'opt/');
    await addSmall(pack, 'opt/noise.bin', noise);
    await addSmall(pack, 'opt/credentials', awsText);
  });
  const ref = await writeImage(dir, [layer]);
  try {
    const { result } = await scanMeasured(t, ref);
    // Private keys are looked for in binaries (the `binary` literals of the private-key rules in
    // src/secret/rules.ts); the AWS key id rule has none, so binary files are not searched for it.
    assert.deepEqual(secrets(result).map(brief).sort(), [
      'aws-access-token /opt/credentials layer 0',
      'private-key /usr/local/bin/tool layer 0',
    ]);
    const key = secrets(result).find((f) => f.ruleId === 'private-key');
    assert.ok(key?.location?.startLine !== undefined && key.location.startLine > 1);
    assert.deepEqual(result.warnings, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// -- 3. Deep and wide directory trees ------------------------------------------------

test('a secret 2,000 directories deep is reported with its full path', async (t) => {
  const dir = join(root, 'deep');
  const token = githubToken();
  const parts = Array.from({ length: 2000 }, (_, i) => `d${i}`);
  const deepDir = parts.join('/');
  const layer = await tarBlob(dir, async (pack) => {
    // Every directory is a member of its own, as tar writes them: names up to 11 KiB, in PAX headers.
    for (let i = 1; i <= parts.length; i++) await addDir(pack, `${parts.slice(0, i).join('/')}/`);
    await addSmall(pack, `${deepDir}/.env`, `GITHUB_TOKEN=${token}\n`);
  });
  const ref = await writeImage(dir, [layer]);
  try {
    const { result } = await scanMeasured(t, ref);
    const found = secrets(result);
    assert.deepEqual(found.map(brief), [`github-pat /${deepDir}/.env layer 0`]);
    assert.equal(found[0]?.location?.path.length, deepDir.length + 6);
    assert.equal(found[0]?.location?.startLine, 1);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.inventory.warnings.length, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a layer of 100,000 small files in a wide tree is scanned whole, in bounded memory', async (t) => {
  const dir = join(root, 'wide');
  const token = githubToken();
  const dirs = 100;
  const perDir = 1000;
  // One file near the end of the walk holds a secret: every file is read, not just the first ones.
  const secretAt = { d: 97, f: 613 };
  const name = (d: number, f: number) =>
    `wide/d${String(d).padStart(3, '0')}/f${String(f).padStart(4, '0')}.conf`;
  const layer = await tarBlob(dir, async (pack) => {
    await addDir(pack, 'wide/');
    for (let d = 0; d < dirs; d++) {
      await addDir(pack, `wide/d${String(d).padStart(3, '0')}/`);
      for (let f = 0; f < perDir; f++) {
        const body =
          d === secretAt.d && f === secretAt.f
            ? `token = ${token}\n`
            : `setting_${d}_${f} = value ${d * perDir + f}\n`;
        await addSmall(pack, name(d, f), body);
      }
    }
  });
  const ref = await writeImage(dir, [layer]);
  try {
    const { result } = await scanMeasured(t, ref);
    assert.deepEqual(secrets(result).map(brief), [`github-pat /${name(secretAt.d, secretAt.f)} layer 0`]);
    assert.deepEqual(result.warnings, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// -- 4. Corrupt images: clear errors -------------------------------------------------

/** The bytes of an uncompressed tar holding one 100 KiB text file (its blob is removed again). */
async function oneFileTar(dir: string): Promise<Buffer> {
  const content = Buffer.from('x = 1\n'.repeat((100 * KiB) / 6 + 1)).subarray(0, 100 * KiB);
  const blob = await tarBlob(dir, async (pack) => {
    await addSmall(pack, 'etc/app.conf', content);
  });
  const path = join(dir, 'blobs', 'sha256', blob.digest.slice(7));
  const bytes = await readFile(path);
  await rm(path);
  return bytes;
}

test('a layer whose tar is cut off in the middle of a file is refused, naming the layer', async () => {
  const dir = join(root, 'truncated');
  const whole = await oneFileTar(dir);
  // The header (512 bytes) and half the content; digest, size and diff-id all agree with the cut bytes.
  const cut = whole.subarray(0, 512 + 50 * KiB);
  const plain = await putBlob(dir, cut);
  await scanRejects(await writeImage(dir, [plain]), 'INVALID_LAYER', /\blayer 0\b.*truncated/);
  // The same cut tar inside a well-formed gzip stream.
  const gz = await putBlob(dir, gzipSync(cut));
  await scanRejects(
    await writeImage(dir, [
      { ...gz, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', diffId: sha256Digest(cut) },
    ]),
    'INVALID_LAYER',
    /\blayer 0\b.*truncated/,
  );
  await rm(dir, { recursive: true, force: true });
});

test('a manifest naming a blob the layout does not have is refused, naming the blob and its layer', async () => {
  const dir = join(root, 'missing');
  const good = await putBlob(dir, await oneFileTar(dir));
  const missing = { digest: sha256Digest(Buffer.from('never written')), size: 4096 };
  const ref = await writeImage(dir, [good, missing]);
  await scanRejects(ref, 'NOT_FOUND', new RegExp(`blob ${missing.digest} not found \\(layer 1\\)`));
  await rm(dir, { recursive: true, force: true });
});

test('a layer declared gzip is read by its content: a plain tar is accepted, bytes that are neither are refused', async (t) => {
  const dir = join(root, 'not-gzip');
  const gzipType = 'application/vnd.oci.image.layer.v1.tar+gzip';
  const tarball = await oneFileTar(dir);
  // Layers are decompressed by content whatever the media type claims (src/image/layer-reader.ts).
  const plain = await putBlob(dir, tarball);
  const { result } = await scanMeasured(t, await writeImage(dir, [{ ...plain, mediaType: gzipType }]));
  assert.ok(result.inventory.source.layers.length === 1);
  // Text that is neither gzip, zstd nor tar.
  const text = Buffer.from('this is not a gzip stream\n'.repeat(100));
  const junk = await putBlob(dir, text);
  await scanRejects(
    await writeImage(dir, [{ ...junk, mediaType: gzipType }]),
    'INVALID_LAYER',
    /\blayer 0\b.*corrupt/,
  );
  // A valid gzip header followed by a deflate block of the reserved type 3 (all bits set).
  const fake = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]),
    Buffer.alloc(4096, 0xff),
  ]);
  const bad = await putBlob(dir, fake);
  await scanRejects(
    await writeImage(dir, [{ ...bad, mediaType: gzipType, diffId: sha256Digest(tarball) }]),
    'INVALID_LAYER',
    /\blayer 0\b.*gzip/,
  );
  await rm(dir, { recursive: true, force: true });
});
