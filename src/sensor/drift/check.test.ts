import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExecEvent } from '../model/index.js';
import { driftAlert } from './alert.js';
import { checkDrift, resolveInIndex } from './check.js';
import { INDEX_VERSION, type ExecutableIndex, type IndexedExecutable } from './types.js';

const SH = `sha256:${'a'.repeat(64)}`;
const PY = `sha256:${'b'.repeat(64)}`;
const exe = (sha256: string, layer = 0): IndexedExecutable => ({
  sha256,
  size: 10,
  mode: 0o755,
  layer,
  layerDigest: `sha256:${String(layer).repeat(64)}`,
});

/** A merged-/usr layout with Debian's chains and some hostile links. */
const index: ExecutableIndex = {
  version: INDEX_VERSION,
  source: { kind: 'image', name: 'test' },
  files: new Map([
    ['/usr/bin/dash', exe(SH)],
    ['/usr/bin/python3.11', exe(PY, 1)],
  ]),
  symlinks: new Map([
    ['/bin', 'usr/bin'],
    ['/usr/bin/sh', 'dash'],
    ['/usr/bin/python3', 'python3.11'],
    ['/usr/bin/py', '/etc/alternatives/py'],
    ['/etc/alternatives/py', '../../usr/bin/../bin/python3'],
    ['/usr/bin/dangling', 'nowhere'],
    ['/loop/a', 'b'],
    ['/loop/b', '/loop/a'],
    ['/self', '.'],
    ['/up', '../../../..'],
  ]),
  warnings: [],
};

describe('resolveInIndex', () => {
  test('follows directory and file links the way the kernel does', () => {
    assert.equal(resolveInIndex(index, '/bin/sh'), '/usr/bin/dash');
    assert.equal(resolveInIndex(index, '/bin/python3'), '/usr/bin/python3.11');
    assert.equal(resolveInIndex(index, '/usr/bin/py'), '/usr/bin/python3.11');
    assert.equal(resolveInIndex(index, '//usr/./bin//../bin/sh'), '/usr/bin/dash');
    assert.equal(resolveInIndex(index, '/up/up/usr/bin/sh'), '/usr/bin/dash');
    assert.equal(resolveInIndex(index, '/self/self/bin/sh'), '/usr/bin/dash');
    // `..` after a directory link climbs from the link's target, not lexically.
    assert.equal(resolveInIndex(index, '/bin/../bin/sh'), '/usr/bin/dash');
    assert.equal(resolveInIndex(index, '/bin/..'), '/usr');
  });

  test('gives up on a loop after 40 links', () => {
    assert.equal(resolveInIndex(index, '/loop/a'), undefined);
    assert.equal(resolveInIndex(index, '/usr/bin/../../loop/b/x'), undefined);
  });
});

describe('checkDrift', () => {
  test('the image executable with its hash is in-image, through the symlink chain', () => {
    const r = checkDrift(index, '/bin/python3', PY);
    assert.deepEqual(r, {
      status: 'in-image',
      path: '/usr/bin/python3.11',
      layer: 1,
      layerDigest: `sha256:${'1'.repeat(64)}`,
      expected: PY,
    });
    assert.equal(checkDrift(index, '/bin/sh', SH.slice(7).toUpperCase()).status, 'in-image');
  });

  test('another hash at an image path is modified, with the expected hash', () => {
    const r = checkDrift(index, '/bin/sh', PY);
    assert.equal(r.status, 'modified');
    assert.equal(r.expected, SH);
    assert.equal(r.layer, 0);
  });

  test('paths the image lacks are not-in-image', () => {
    assert.deepEqual(checkDrift(index, '/tmp/x', SH), { status: 'not-in-image', path: '/tmp/x' });
    assert.equal(checkDrift(index, '/usr/bin/dangling', SH).status, 'not-in-image');
    assert.equal(checkDrift(index, '/usr/bin/dangling').status, 'not-in-image');
  });

  test('unknown without a usable hash, on loops and on paths that cannot be looked up', () => {
    const r = checkDrift(index, '/bin/sh');
    assert.equal(r.status, 'unknown');
    assert.equal(r.expected, SH);
    assert.equal(checkDrift(index, '/bin/sh', 'sha256:xyz').status, 'unknown');
    assert.equal(checkDrift(index, '/loop/a', SH).status, 'unknown');
    assert.equal(checkDrift(index, 'bin/sh', SH).status, 'unknown');
    assert.equal(checkDrift(index, '/' + 'a/'.repeat(3000), SH).status, 'unknown');
  });
});

describe('driftAlert', () => {
  const event: ExecEvent = {
    kind: 'exec',
    time: 1000,
    cgroupId: '42',
    pid: 7,
    ppid: 1,
    comm: 'sh',
    uid: 0,
    exe: '/bin/sh',
    argv: ['sh', '-c', 'id'],
    sha256: PY,
    container: { id: 'c1', runtime: 'runc', imageDigest: `sha256:${'c'.repeat(64)}` },
  };

  test('MD002 for a modified executable, with both hashes and the layer', () => {
    const a = driftAlert(checkDrift(index, event.exe, event.sha256), event);
    assert.ok(a);
    assert.equal(a.rule, 'MD002');
    assert.equal(a.severity, 'high');
    assert.equal(a.container?.id, 'c1');
    assert.deepEqual(a.evidence, {
      path: '/bin/sh',
      resolvedPath: '/usr/bin/dash',
      sha256: PY,
      expectedSha256: SH,
      layer: 0,
      layerDigest: `sha256:${'0'.repeat(64)}`,
      image: `sha256:${'c'.repeat(64)}`,
    });
    assert.equal(a.processTree[0]?.pid, 7);
    assert.deepEqual(a.processTree[0]?.argv, ['sh', '-c', 'id']);
  });

  test('MD001 for an executable not in the image; none for in-image or unknown', () => {
    const dropped = { ...event, exe: '/tmp/.x/miner' };
    const a = driftAlert(checkDrift(index, dropped.exe, dropped.sha256), dropped, {
      action: 'killed',
      time: 5,
    });
    assert.equal(a?.rule, 'MD001');
    assert.equal(a?.action, 'killed');
    assert.equal(a?.time, 5);
    assert.equal(a?.evidence.expectedSha256, undefined);
    assert.equal(driftAlert(checkDrift(index, '/bin/sh', SH), event), undefined);
    assert.equal(driftAlert(checkDrift(index, '/bin/sh'), event), undefined);
  });
});
