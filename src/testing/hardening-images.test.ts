/**
 * The hardening and distroless fixture images, checked with the real tools:
 * skopeo reads their configs and copies them (verifying every digest), GNU
 * tar lists their layer blobs, umoci unpacks them, ssh-keygen reads the
 * planted key and the distroless server answers its own healthcheck.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { distrolessImage, hardeningImage, parseHardeningFacts, type HardeningImage } from './images.js';

const run = promisify(execFile);
const BIG = { maxBuffer: 256 * 1024 * 1024 };

interface Config {
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[];
    readonly Cmd?: readonly string[];
    readonly Healthcheck?: unknown;
  };
  readonly rootfs: { readonly diff_ids: readonly string[] };
  readonly history: readonly { readonly created_by?: string; readonly empty_layer?: boolean }[];
}

async function config(ref: string): Promise<Config> {
  const { stdout } = await run('skopeo', ['inspect', '--config', '--raw', ref], BIG);
  return JSON.parse(stdout) as Config;
}

async function layerBlobs(layout: string, ref: string): Promise<string[]> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', ref], BIG);
  const manifest = JSON.parse(stdout) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => join(layout, 'blobs', 'sha256', l.digest.replace(/^sha256:/, '')));
}

interface Entry {
  readonly mode: string;
  readonly owner: string;
  readonly path: string;
}

/**
 * `tar -tv` of a layer blob: mode string, numeric uid/gid and path (without a
 * leading `./`, link targets cut off) of each member.
 */
async function listLayer(blob: string): Promise<Entry[]> {
  const { stdout } = await run('tar', ['--numeric-owner', '-tvzf', blob], BIG);
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^(\S+) (\d+\/\d+)\s+\S+ \S+ \S+ (.*)$/.exec(l);
      assert.ok(m, `unexpected tar line ${l}`);
      const mode = m[1] ?? '';
      let path = m[3] ?? '';
      if (mode.startsWith('l')) path = path.split(' -> ')[0] ?? '';
      else if (mode.startsWith('h')) path = path.split(' link to ')[0] ?? '';
      return { mode, owner: m[2] ?? '', path: path.replace(/^\.\//, '') };
    });
}

describe('the hardening image', { timeout: 30 * 60 * 1000 }, () => {
  let img: HardeningImage;
  let ref: string;
  let tmp: string;

  before(async () => {
    img = await hardeningImage();
    ref = `oci:${img.layout}:${img.tag}`;
    tmp = await mkdtemp(join(tmpdir(), 'mamori-hardening-'));
  });
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('the config holds the AWS keys in Env and its ENV history entry, and sets no user', async () => {
    const { facts } = img;
    const cfg = await config(ref);
    assert.equal(cfg.config?.User ?? '', '');
    assert.deepEqual(cfg.config?.Cmd, ['/bin/bash']);
    const env = cfg.config?.Env ?? [];
    assert.ok(env.includes(`AWS_ACCESS_KEY_ID=${facts.awsAccessKeyId}`));
    const secret = env
      .find((e) => e.startsWith('AWS_SECRET_ACCESS_KEY='))
      ?.slice('AWS_SECRET_ACCESS_KEY='.length);
    assert.ok(secret !== undefined && /^[A-Za-z0-9/+]{40}$/.test(secret));
    assert.equal(createHash('sha256').update(secret).digest('hex'), facts.awsSecretAccessKeySha256);
    const factsText = await readFile(join(img.layout, '..', 'facts.json'), 'utf8');
    assert.ok(!factsText.includes(secret), 'facts.json must not hold the secret access key');
    const history = cfg.history[facts.awsKeysInHistory];
    assert.equal(history?.empty_layer, true);
    assert.ok(history?.created_by?.includes(facts.awsAccessKeyId));
    assert.equal(cfg.rootfs.diff_ids.length, facts.layers);
    assert.equal(cfg.history.filter((h) => h.empty_layer !== true).length, facts.layers);
  });

  test('each finding is in the layer facts.json names, and only there', async () => {
    const { facts } = img;
    const blobs = await layerBlobs(img.layout, ref);
    assert.equal(blobs.length, facts.layers);
    const layers = await Promise.all(blobs.map(listLayer));
    const where = (path: string) =>
      layers.flatMap((entries, i) =>
        entries.filter((e) => `/${e.path.replace(/\/$/, '')}` === path).map((e) => ({ i, ...e })),
      );
    assert.deepEqual(where(facts.setuid.path), [
      { i: facts.setuid.layer, mode: '-rwsr-xr-x', owner: '0/0', path: facts.setuid.path.slice(1) },
    ]);
    assert.deepEqual(where(facts.worldWritable.path), [
      {
        i: facts.worldWritable.layer,
        mode: 'drwxrwxrwx',
        owner: '0/0',
        path: `${facts.worldWritable.path.slice(1)}/`,
      },
    ]);
    assert.deepEqual(where(facts.sshKey.path), [
      { i: facts.sshKey.addedInLayer, mode: '-rw-------', owner: '0/0', path: facts.sshKey.path.slice(1) },
    ]);
    const whiteout = facts.sshKey.path.replace(/[^/]+$/, (n) => `.wh.${n}`);
    assert.deepEqual(
      where(whiteout).map((e) => e.i),
      [facts.sshKey.deletedInLayer],
    );
    assert.ok(facts.sshKey.deletedInLayer > facts.sshKey.addedInLayer);
  });

  test('the planted key is a real ed25519 private key, readable from its layer', async () => {
    const { facts } = img;
    const blobs = await layerBlobs(img.layout, ref);
    const blob = blobs[facts.sshKey.addedInLayer] ?? '';
    const { stdout: key } = await run('tar', ['-xzOf', blob, facts.sshKey.path.slice(1)], BIG);
    assert.match(key, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    const file = join(tmp, 'id_ed25519');
    await writeFile(file, key, { mode: 0o600 });
    const { stdout: pub } = await run('ssh-keygen', ['-y', '-f', file]);
    assert.match(pub, /^ssh-ed25519 \S+/);
  });

  test('unpacked by umoci, the final filesystem keeps the modes and has lost the key', async () => {
    const { facts } = img;
    const bundle = join(tmp, 'bundle');
    await run('umoci', ['unpack', '--image', `${img.layout}:${img.tag}`, bundle], BIG);
    const rootfs = join(bundle, 'rootfs');
    const setuid = await lstat(join(rootfs, facts.setuid.path));
    assert.equal(setuid.mode & 0o7777, 0o4755);
    assert.equal(setuid.uid, 0);
    assert.equal((await lstat(join(rootfs, facts.worldWritable.path))).mode & 0o7777, 0o777);
    await assert.rejects(lstat(join(rootfs, facts.sshKey.path)), { code: 'ENOENT' });
    const info = join(rootfs, 'var/lib/dpkg/info');
    const lists = (await readdir(info)).filter((f) => f.endsWith('.list'));
    assert.ok(lists.length > 50);
    for (const l of lists) {
      const owned = (await readFile(join(info, l), 'utf8')).split('\n');
      assert.ok(!owned.includes(facts.setuid.path), `${facts.setuid.path} is owned by ${l}`);
    }
  });
});

describe('parseHardeningFacts', () => {
  const good = {
    tag: 'hardening',
    layers: 5,
    setuid: { path: '/usr/local/bin/netdiag', layer: 3 },
    worldWritable: { path: '/srv/uploads', layer: 3 },
    sshKey: { path: '/root/.ssh/id_ed25519', addedInLayer: 3, deletedInLayer: 4 },
    awsAccessKeyId: 'AKIAABCDEFGHIJ234567',
    awsSecretAccessKeySha256: 'a'.repeat(64),
    awsKeysInHistory: 6,
  };

  test('reads a well-formed document', () => {
    assert.deepEqual(parseHardeningFacts(JSON.stringify(good)), good);
  });

  test('rejects bad documents with a clear error', () => {
    for (const bad of [
      'not json',
      '[]',
      JSON.stringify({ ...good, layers: -1 }),
      JSON.stringify({ ...good, setuid: { path: '/x', layer: 9 } }),
      JSON.stringify({ ...good, sshKey: null }),
      JSON.stringify({ ...good, awsAccessKeyId: 'AKIA-short' }),
      JSON.stringify({ ...good, awsSecretAccessKeySha256: 'xyz' }),
    ])
      assert.throws(() => parseHardeningFacts(bad), /^Error: facts\.json/);
  });
});

describe('the distroless image', { timeout: 30 * 60 * 1000 }, () => {
  let layout: string;
  let ref: string;
  let tmp: string;

  before(async () => {
    const img = await distrolessImage();
    layout = img.layout;
    ref = `oci:${img.layout}:${img.tag}`;
    tmp = await mkdtemp(join(tmpdir(), 'mamori-distroless-'));
  });
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('the config runs as nonroot with an entrypoint and a healthcheck', async () => {
    const cfg = await config(ref);
    assert.equal(cfg.config?.User, '65532:65532');
    assert.deepEqual(cfg.config?.Entrypoint, ['/app/server']);
    assert.deepEqual(cfg.config?.Healthcheck, {
      Test: ['CMD', '/app/server', '-healthcheck'],
      Interval: 30000000000,
    });
    assert.equal(cfg.rootfs.diff_ids.length, 1);
  });

  test('skopeo copies it, verifying every digest', async () => {
    await run('skopeo', ['copy', '--quiet', ref, `dir:${join(tmp, 'copy')}`], BIG);
    const files = await readdir(join(tmp, 'copy'));
    assert.ok(files.includes('manifest.json'));
  });

  test('its one layer holds exactly the distroless set, owned by root but for /home/nonroot', async () => {
    const blobs = await layerBlobs(layout, ref);
    assert.equal(blobs.length, 1);
    const entries = await listLayer(blobs[0] ?? '');
    assert.deepEqual(entries.map((e) => `${e.mode} ${e.owner} ${e.path}`).sort(), [
      '-rw-r--r-- 0/0 etc/group',
      '-rw-r--r-- 0/0 etc/passwd',
      '-rw-r--r-- 0/0 etc/ssl/certs/ca-certificates.crt',
      '-rwxr-xr-x 0/0 app/server',
      'drwx------ 0/0 root/',
      'drwx------ 65532/65532 home/nonroot/',
      'drwxr-xr-x 0/0 ',
      'drwxr-xr-x 0/0 app/',
      'drwxr-xr-x 0/0 etc/',
      'drwxr-xr-x 0/0 etc/ssl/',
      'drwxr-xr-x 0/0 etc/ssl/certs/',
      'drwxr-xr-x 0/0 home/',
      'drwxrwxrwt 0/0 tmp/',
    ]);
  });

  test('unpacked by umoci: passwd and group, a static server that passes its healthcheck', async () => {
    const bundle = join(tmp, 'bundle');
    await run('umoci', ['unpack', '--image', ref.slice('oci:'.length), bundle], BIG);
    const rootfs = join(bundle, 'rootfs');
    assert.equal(
      await readFile(join(rootfs, 'etc/passwd'), 'utf8'),
      'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
    );
    assert.equal(await readFile(join(rootfs, 'etc/group'), 'utf8'), 'root:x:0:\nnonroot:x:65532:\n');
    const home = await lstat(join(rootfs, 'home/nonroot'));
    assert.deepEqual([home.uid, home.gid], [65532, 65532]);
    assert.equal((await lstat(join(rootfs, 'tmp'))).mode & 0o7777, 0o1777);
    assert.match(
      (await readFile(join(rootfs, 'etc/ssl/certs/ca-certificates.crt'), 'utf8')).slice(0, 40),
      /BEGIN CERTIFICATE/,
    );

    const server = join(rootfs, 'app/server');
    const { stdout: info } = await run('go', ['version', '-m', server]);
    assert.match(info, /\bCGO_ENABLED=0\b/);
    const child = spawn(server, ['-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const addr = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (\S+)\n/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
      });
      await run(server, ['-healthcheck', '-addr', addr]);
      child.kill();
      await new Promise((resolve) => child.once('close', resolve));
      await assert.rejects(run(server, ['-healthcheck', '-addr', addr]), { code: 1 });
    } finally {
      child.kill();
    }
  });
});
