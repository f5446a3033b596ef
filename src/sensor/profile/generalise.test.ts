import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generaliseAddress, generalisePath, globToRegExp, workloadKey } from './index.js';

describe('generalisePath', () => {
  it('collapses pid, numeric, hex-id and uuid segments', () => {
    assert.equal(generalisePath('/proc/12345/status'), '/proc/*/status');
    assert.equal(generalisePath('/var/lib/app/3f2a9c1d/data'), '/var/lib/app/*/data');
    assert.equal(generalisePath('/var/cache/123e4567-e89b-12d3-a456-426614174000.json'), '/var/cache/*.json');
    assert.equal(generalisePath('/var/lib/docker/sha-0123456789abcdef.tar'), '/var/lib/docker/sha-*.tar');
    assert.equal(generalisePath('/data/123e4567-e89b-12d3-a456-426614174000/x'), '/data/*/x');
    assert.equal(generalisePath('/var/log/app-20240101.log'), '/var/log/app-*.log');
    assert.equal(generalisePath('/usr/lib/python3.11/x86_64/cafe'), '/usr/lib/python3.11/x86_64/cafe');
  });

  it('collapses anything under a temp dir', () => {
    assert.equal(generalisePath('/tmp/tmpa1b2c3/x/y'), '/tmp/**');
    assert.equal(generalisePath('/dev/shm/sem.1'), '/dev/shm/**');
    assert.equal(generalisePath('/var/tmp/../tmp/z'), '/var/tmp/**');
    assert.equal(generalisePath('/tmp'), '/tmp');
  });

  it('normalises and refuses unusable paths', () => {
    assert.equal(generalisePath('/etc//./nginx/../passwd'), '/etc/passwd');
    assert.equal(generalisePath('relative/path'), undefined);
    assert.equal(generalisePath('/a\0b'), undefined);
    assert.equal(generalisePath('/' + 'a/'.repeat(100)), undefined);
    assert.equal(generalisePath(42), undefined);
  });

  it('never keeps a pattern character or control character the workload chose', () => {
    assert.equal(generalisePath('/srv/*/x'), '/srv/*/x');
    assert.equal(generalisePath('/srv/a?b/x'), '/srv/*/x');
    assert.equal(generalisePath('/srv/evil\nline/x'), '/srv/*/x');
    assert.equal(generalisePath('/srv/a b "c" {d}/x'), '/srv/a b "c" {d}/x');
  });

  it('globs match within a segment (*) and at any depth (**)', () => {
    assert.ok(globToRegExp('/proc/*/status').test('/proc/1/status'));
    assert.ok(!globToRegExp('/proc/*/status').test('/proc/1/2/status'));
    assert.ok(globToRegExp('/tmp/**').test('/tmp/a/b/c'));
    assert.ok(!globToRegExp('/a.b').test('/aXb'));
  });
});

describe('generaliseAddress', () => {
  it('generalises IPv4 to the policy prefix and loopback to 127/8', () => {
    assert.equal(generaliseAddress('inet', '10.1.2.3'), '10.1.2.0/24');
    assert.equal(generaliseAddress('inet', '10.1.2.3', { ipv4Prefix: 32, ipv6Prefix: 64 }), '10.1.2.3/32');
    assert.equal(generaliseAddress('inet', '10.1.2.3', { ipv4Prefix: 16, ipv6Prefix: 64 }), '10.1.0.0/16');
    assert.equal(generaliseAddress('inet', '127.0.0.53'), '127.0.0.0/8');
    assert.equal(generaliseAddress('inet6', '::ffff:192.168.7.9'), '192.168.7.0/24');
  });

  it('generalises IPv6 to /64 and keeps ::1', () => {
    assert.equal(generaliseAddress('inet6', '2001:db8:1:2:3:4:5:6'), '2001:db8:1:2:0:0:0:0/64');
    assert.equal(generaliseAddress('inet6', '2001:db8::1'), '2001:db8:0:0:0:0:0:0/64');
    assert.equal(generaliseAddress('inet6', '::1'), '::1/128');
  });

  it('handles unix sockets and refuses garbage', () => {
    assert.equal(generaliseAddress('unix', '/run/app/123456.sock'), '/run/app/*.sock');
    assert.equal(generaliseAddress('unix', '/tmp/.X11-unix/X0'), '/tmp/**');
    assert.equal(generaliseAddress('unix', '@/containerd-shim/12345.sock'), '@/containerd-shim/*.sock');
    assert.equal(generaliseAddress('inet', 'not-an-ip'), undefined);
    assert.equal(generaliseAddress('inet', ''), undefined);
    assert.equal(generaliseAddress('inet6', 'fe80::1%eth0'), undefined);
  });
});

describe('workloadKey', () => {
  const digest = 'sha256:' + 'ab'.repeat(32);
  it('keys on digest + command with a readable, safe, stable name', () => {
    const a = workloadKey(
      { id: 'c1', runtime: 'containerd', image: 'registry.example/team/web:1.2', imageDigest: digest },
      ['python3', '-m', 'http.server', '8000'],
    );
    const b = workloadKey({ id: 'c2', runtime: 'runc', image: 'other/name:latest', imageDigest: digest }, [
      'python3',
      '-m',
      'http.server',
      '8000',
    ]);
    assert.equal(a.id, b.id, 'same digest and command: same workload');
    assert.match(a.id, /^[0-9a-f]{16}$/);
    assert.equal(a.name, `web-python3-http.server-${a.id.slice(0, 8)}`);
    assert.equal(a.image, digest);
    const c = workloadKey({ id: 'c1', runtime: 'runc', imageDigest: digest }, ['python3', '-m', 'other']);
    assert.notEqual(c.id, a.id, 'another command: another workload');
  });

  it('falls back to the image reference, and survives hostile values', () => {
    const k = workloadKey({ id: 'x', runtime: 'runc', image: 'nginx:1.25' }, ['/usr/sbin/nginx']);
    assert.equal(k.image, 'nginx:1.25');
    const h = workloadKey({ id: 'x', runtime: 'unknown', image: '../../ETC/$(rm -rf)' }, [
      '../../bin/s h\n;',
      'x'.repeat(5000),
    ]);
    assert.match(h.name, /^[a-z0-9][a-z0-9._-]*$/);
    assert.ok(h.name.length <= 128);
    assert.match(workloadKey({ id: 'y', runtime: 'runc' }, []).name, /^workload-[0-9a-f]{8}$/);
  });
});
