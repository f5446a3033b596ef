/**
 * The checks on the real Debian 12 test image (mmdebstrap + umoci), held
 * against the native tools on its unpacked root filesystem: find for the
 * setuid/setgid files, dpkg-query for their packages, readelf for the
 * entrypoint's libraries.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { RuleFinding } from '../core/index.js';
import { analyzeImageRef, type ImageAnalysis } from '../inventory/index.js';
import { debianImage, type DebianImage } from '../testing/index.js';
import { checkImage, imageCheckAnalyzers, minimalityScore, type ImageCheckResult } from './index.js';

const run = promisify(execFile);
const BIG = { maxBuffer: 64 * 1024 * 1024 };

let img: DebianImage;
let analysis: ImageAnalysis;
let result: ImageCheckResult;

/** The package dpkg says owns a file of the rootfs (whatever usrmerge path it lists). */
async function dpkgOwner(rootfs: string, path: string): Promise<string> {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const { stdout } = await run('dpkg-query', [`--admindir=${rootfs}/var/lib/dpkg`, '-S', `*/${base}`], BIG);
  const want = await realpath(join(rootfs, path));
  for (const line of stdout.trim().split('\n')) {
    const m = /^([^:]+): (.+)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const listed = await realpath(join(rootfs, m[2])).catch(() => '');
    if (listed === want) return m[1];
  }
  return '';
}

describe('Debian 12 image', { timeout: 30 * 60 * 1000 }, () => {
  before(async () => {
    img = await debianImage();
    analysis = await analyzeImageRef(`oci:${img.layout}:${img.tag}`, {
      ...imageCheckAnalyzers(),
      cacheDir: false,
    });
    result = checkImage(analysis);
  });

  const byRule = (id: string): RuleFinding[] => result.findings.filter((f) => f.ruleId === id);

  test('findings: root user, no healthcheck, and the setuid/setgid programs — nothing else', () => {
    assert.deepEqual([...new Set(result.findings.map((f) => f.ruleId))].sort(), ['MI001', 'MI002', 'MI020']);
    // Debian ships no world-writable path outside /dev (device nodes, not judged) and no file of an undefined owner.
    assert.deepEqual(byRule('MI021'), []);
    assert.deepEqual(byRule('MI022'), []);
    assert.match(byRule('MI001')[0]?.fix ?? '', /nobody \(uid 65534\)/);
  });

  test('setuid/setgid programs equal find -perm /6000, each LOW with its dpkg package and layer', async () => {
    const { stdout } = await run('find', ['.', '-xdev', '-perm', '/6000', '-type', 'f'], {
      ...BIG,
      cwd: img.rootfs,
    });
    const want = stdout
      .trim()
      .split('\n')
      .map((p) => p.slice(1))
      .sort();
    assert.ok(
      want.includes('/usr/bin/su') && want.includes('/usr/bin/passwd') && want.includes('/usr/bin/mount'),
    );
    const got = byRule('MI020');
    assert.deepEqual(got.map((f) => f.location.path).sort(), want);
    for (const f of got) {
      assert.equal(f.severity, 'LOW', f.location.path);
      const owner = await dpkgOwner(img.rootfs, f.location.path);
      assert.ok(owner !== '', f.location.path);
      const pkg = analysis.inventory.packages.find((p) => p.type === 'deb' && p.name === owner);
      assert.ok(pkg, owner);
      assert.match(
        f.evidence ?? '',
        new RegExp(`shipped by package ${owner} .*, installed in layer ${pkg.layer?.index}$`),
      );
      assert.equal(f.location.layer?.index, pkg.layer?.index, f.location.path);
    }
    const layerOf = (p: string) => got.find((f) => f.location.path === p)?.location.layer?.index;
    // The essential set is layer 0; mount and passwd came with the second layer.
    assert.deepEqual(
      ['/usr/bin/su', '/usr/bin/newgrp', '/usr/sbin/unix_chkpwd', '/usr/bin/mount', '/usr/bin/passwd'].map(
        layerOf,
      ),
      [0, 0, 0, 1, 1],
    );
    assert.match(
      got.find((f) => f.location.path === '/usr/bin/su')?.evidence ?? '',
      /setuid root.*util-linux/,
    );
    assert.match(
      got.find((f) => f.location.path === '/usr/sbin/unix_chkpwd')?.evidence ?? '',
      /setgid shadow \(gid 42\)/,
    );
  });

  test('surface: shells and package managers with their packages, setuid counts, a score', () => {
    const s = result.surface;
    const items = (c: string) =>
      s.items.filter((i) => i.category === c).map((i) => `${i.path} ${i.package?.split(' ')[0]}`);
    assert.deepEqual(items('shell'), [
      '/usr/bin/bash bash',
      '/usr/bin/dash dash',
      '/usr/bin/rbash bash',
      '/usr/bin/sh dash',
    ]);
    assert.deepEqual(items('package-manager'), [
      '/usr/bin/apt apt',
      '/usr/bin/apt-get apt',
      '/usr/bin/dpkg dpkg',
    ]);
    assert.equal(s.counts.setuid + s.counts.setgid, byRule('MI020').length);
    assert.equal(s.counts['world-writable'], 0);
    assert.equal(s.counts['unknown-owner'], 0);
    const debs = analysis.inventory.packages.filter((p) => p.type === 'deb');
    assert.equal(s.packages.count, debs.length);
    assert.equal(
      s.packages.bytes,
      debs.reduce((n, p) => n + (p.metadata.kind === 'dpkg' ? (p.metadata.installedSize ?? 0) * 1024 : 0), 0),
    );
    assert.equal(s.score, minimalityScore(s.counts, debs.length).score);
    assert.ok(s.score > 30 && s.score < 70, String(s.score));
    assert.equal(s.contributors.length, 10);
    assert.ok(s.contributors.every((c, i, a) => i === 0 || (a[i - 1]?.bytes ?? 0) >= c.bytes));
  });

  test('suggestion: the Go entrypoint links only libc (readelf agrees), so distroless/base', async () => {
    const { stdout } = await run('readelf', ['-dW', join(img.rootfs, 'usr/local/bin/mamori-fixture')], BIG);
    const needed = [...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    assert.deepEqual(needed, ['libc.so.6']);
    const n = result.surface.packages.count;
    assert.match(
      result.surface.suggestion ?? '',
      new RegExp(
        `^the entrypoint /usr/local/bin/mamori-fixture needs only libc \\(libc\\.so\\.6 from libc6\\): gcr\\.io/distroless/base-debian12 removes ${n - 1} of ${n} packages \\([0-9.]+ MB\\)$`,
      ),
    );
  });
});
