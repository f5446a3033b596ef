/**
 * Secrets in layers, through the real layer walk: a private key made by
 * ssh-keygen is added in one layer and deleted (whiteout) or replaced in the
 * next, and is still reported — with the layer that holds it and marked
 * deleted — while a key that stays is reported as present. The cache, the
 * allow-list and the per-file size limit behave as a user would expect.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { analyzeImageRef } from '../inventory/index.js';
import { createSecretScanner, loadAllowList } from '../secret/index.js';
import { writeOciImage } from '../testing/oci-writer.js';
import { layerSecretFindings, secretAnalyzer } from './secrets.js';

const run = promisify(execFile);

let dir: string;
let key: Buffer;
let ref: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-layer-secrets-'));
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test@example', '-f', join(dir, 'key')]);
  key = await readFile(join(dir, 'key'));
  const img = await writeOciImage(join(dir, 'oci'), 'keys', [
    {
      members: [
        { name: 'root/', type: 'directory' },
        { name: 'root/.ssh/', type: 'directory' },
        { name: 'root/.ssh/id_ed25519', content: key, mode: 0o600 },
        { name: 'srv/', type: 'directory' },
        { name: 'srv/deploy.key', content: key, mode: 0o600 },
        { name: 'srv/kept.key', content: key, mode: 0o600 },
        { name: 'srv/readme.txt', content: 'nothing to see\n' },
      ],
    },
    {
      members: [
        { name: 'root/.ssh/.wh.id_ed25519', content: '' },
        { name: 'srv/deploy.key', content: 'rotated: the key now lives in the vault\n' },
      ],
    },
  ]);
  ref = `oci:${img.dir}:keys`;
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function secretsOf(opts: { cacheDir?: string | false; allow?: string; maxFileBytes?: number } = {}) {
  const allow = opts.allow ? await loadAllowList(opts.allow) : undefined;
  const scanner = createSecretScanner({
    ...(allow ? { allow } : {}),
    ...(opts.maxFileBytes ? { maxFileBytes: opts.maxFileBytes } : {}),
  });
  const a = await analyzeImageRef(ref, {
    cacheDir: opts.cacheDir ?? false,
    streamAnalyzers: [secretAnalyzer(scanner, allow)],
  });
  return layerSecretFindings(a.layers, a.view);
}

const brief = (f: {
  ruleId: string;
  location: { path: string; layer?: { index: number }; deleted?: boolean };
}) =>
  `${f.ruleId} ${f.location.path} layer ${f.location.layer?.index ?? '-'}${f.location.deleted ? ' deleted' : ''}`;

test('a key deleted or replaced by a later layer is still found, in its layer, marked deleted', async () => {
  const { findings, warnings } = await secretsOf();
  assert.deepEqual(findings.map(brief).sort(), [
    'private-key /root/.ssh/id_ed25519 layer 0 deleted',
    'private-key /srv/deploy.key layer 0 deleted',
    'private-key /srv/kept.key layer 0',
  ]);
  assert.deepEqual(warnings, []);
  const f = findings.find((x) => x.location.path === '/srv/kept.key');
  assert.equal(f?.location.startLine, 1);
  assert.equal(f?.kind, 'secret');
  // The key itself is nowhere in what is reported.
  const body = key.toString('utf8').split('\n')[1] ?? '';
  assert.ok(body.length > 20);
  assert.ok(!JSON.stringify(findings).includes(body.slice(0, 20)));
});

test('the cached layer analyses give the same findings, and the allow-list is part of the cache key', async () => {
  const cacheDir = join(dir, 'cache');
  const cold = await secretsOf({ cacheDir });
  const warm = await secretsOf({ cacheDir });
  assert.deepEqual(warm, cold);
  const allow = join(dir, 'allow.yaml');
  await writeFile(allow, 'paths: ["/srv/**"]\n');
  const allowed = await secretsOf({ cacheDir, allow });
  assert.deepEqual(allowed.findings.map(brief), ['private-key /root/.ssh/id_ed25519 layer 0 deleted']);
});

test('a file over the scanner limit is scanned up to it, with a warning naming what was left out', async () => {
  const { findings, warnings } = await secretsOf({ maxFileBytes: 16 });
  // 16 bytes hold no whole key: nothing found, and every longer file says how much went unscanned.
  assert.deepEqual(findings, []);
  assert.deepEqual(warnings.map((w) => w.split(' stopped')[0]).sort(), [
    'secret scan of /root/.ssh/id_ed25519 (layer 0)',
    'secret scan of /srv/deploy.key (layer 0)',
    'secret scan of /srv/deploy.key (layer 1)',
    'secret scan of /srv/kept.key (layer 0)',
  ]);
  for (const w of warnings) {
    assert.match(
      w,
      /^secret scan of \/(root\/\.ssh\/id_ed25519|srv\/deploy\.key|srv\/kept\.key) \(layer [01]\) stopped at the 16-byte limit: the last \d+ of its \d+ bytes were not scanned$/,
    );
  }
});
