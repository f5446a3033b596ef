import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProfileEngine, ProfileStore, parseProfile, type BehaviourProfile } from './index.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-profile-store-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function learned(store: ProfileStore): Promise<BehaviourProfile> {
  const engine = new ProfileEngine({ store, flushIntervalMs: 0, clock: () => 5000 });
  const container = { id: 'c', runtime: 'runc' as const, pid: 7, image: 'api:2' };
  const tree = [{ pid: 7, ppid: 1, uid: 0, exe: '/usr/bin/node', argv: ['node', 'server.js'], comm: 'node' }];
  const base = { time: 1, cgroupId: '1', pid: 7, comm: 'node', uid: 0 };
  engine.observe(
    {
      ...base,
      kind: 'exec',
      ppid: 1,
      exe: '/usr/bin/node',
      argv: ['node'],
      sha256: 'sha256:' + 'c'.repeat(64),
    },
    container,
    tree,
  );
  engine.observe(
    { ...base, kind: 'connect', protocol: 'udp', family: 'inet', address: '10.0.0.2', port: 53 },
    container,
    tree,
  );
  engine.observe({ ...base, kind: 'syscalls', syscalls: ['read', 'epoll_wait'] }, container, tree);
  await engine.close();
  return engine.list()[0] ?? assert.fail('no profile');
}

describe('ProfileStore', () => {
  it('round-trips a profile atomically with mode 0600 and finds it by name or id', async () => {
    const store = new ProfileStore(join(dir, 'rt'));
    const p = await learned(store);
    const file = join(dir, 'rt', `${p.id}.json`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'rt'))).mode & 0o777, 0o700);
    assert.deepEqual(await store.get(p.id), p);
    assert.deepEqual(await store.get(p.name), p);
    assert.equal(await store.get('0123456789abcdef'), undefined);
    assert.deepEqual(
      (await readdir(join(dir, 'rt'))).filter((f) => f.endsWith('.tmp')),
      [],
    );
    const m = await store.setMode(p.name, 'protect', 9000);
    assert.equal(m.mode, 'protect');
    assert.equal(m.modeSource, 'manual');
    assert.equal((await store.get(p.id))?.mode, 'protect');
    await assert.rejects(store.setMode('nope', 'monitor'), /no profile/);
    await assert.rejects(store.save({ ...p, id: '../../x' }), /invalid profile/);
  });

  it('sets aside corrupt files, reports them, and keeps going', async () => {
    const store = new ProfileStore(join(dir, 'bad'));
    const p = await learned(store);
    const bad = ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', 'cccccccccccccccc', 'dddddddddddddddd'];
    await writeFile(join(dir, 'bad', `${bad[0]}.json`), '{"schema": 1, "id": "aaaa'); // truncated
    await writeFile(join(dir, 'bad', `${bad[1]}.json`), JSON.stringify({ ...p, id: bad[1], mode: 'off' }));
    await writeFile(join(dir, 'bad', `${bad[2]}.json`), JSON.stringify({ ...p })); // id ≠ file name
    await writeFile(join(dir, 'bad', `${bad[3]}.json`), JSON.stringify({ ...p, id: bad[3], schema: 99 }));
    await symlink('/etc/passwd', join(dir, 'bad', 'eeeeeeeeeeeeeeee.json'));
    const { profiles, problems } = await store.list();
    assert.deepEqual(
      profiles.map((x) => x.id),
      [p.id],
    );
    const byFile = new Map(problems.map((x) => [x.file.slice(0, 16), x]));
    for (const b of bad.slice(0, 3)) assert.match(byFile.get(b)?.setAsideTo ?? '', /\.json\.corrupt-\d+$/, b);
    assert.match(byFile.get(bad[3] ?? '')?.reason ?? '', /newer/);
    assert.equal(byFile.get(bad[3] ?? '')?.setAsideTo, undefined, 'a newer schema is left in place');
    assert.ok(byFile.has('eeeeeeeeeeeeeeee'), 'a symlink is not followed');
    const left = await readdir(join(dir, 'bad'));
    assert.ok(left.includes(`${bad[3]}.json`));
    assert.ok(!left.includes(`${bad[0]}.json`));
    assert.equal((await store.list()).problems.length, 2, 'set-aside files are not read again');
    assert.equal(await readFile('/etc/passwd', 'utf8').then((t) => t.length > 0), true);
  });

  it('validates hostile contents: bad elements dropped, lists capped, bad headers refused', () => {
    const good = {
      schema: 1,
      id: '0123456789abcdef',
      name: 'x-0123abcd',
      image: 'img',
      command: ['a'],
      mode: 'learn',
      modeSource: 'initial',
      createdAt: 1,
      learnStartedAt: 1,
      lastChangeAt: 1,
      modeChangedAt: 1,
      executables: [{ path: '/bin/a', sha256: ['nope', 'sha256:' + 'f'.repeat(64)] }, { path: 'rel' }, 7],
      connects: [
        { protocol: 'tcp', address: '10.0.0.0/24', port: 80 },
        { protocol: 'tcp', address: 'evil\n', port: 80 },
        { protocol: 'tcp', address: '10.0.0.0/24', port: 70000 },
      ],
      listens: [
        { protocol: 'tcp', port: 8080 },
        { protocol: 'sctp', port: 1 },
      ],
      writes: Array.from({ length: 1000 }, (_, i) => `/w/${i}`),
      reads: ['/etc/shadow', '/bad\npath'],
      syscalls: ['read', 'Robert"); DROP', { a: 1 }],
      overflow: ['syscalls', 'everything'],
    };
    const p = parseProfile(good);
    assert.deepEqual(p.executables, [{ path: '/bin/a', sha256: ['sha256:' + 'f'.repeat(64)] }]);
    assert.equal(p.connects.length, 1);
    assert.deepEqual(p.listens, [{ protocol: 'tcp', port: 8080 }]);
    assert.equal(p.writes.length, 256);
    assert.deepEqual(p.reads, ['/etc/shadow']);
    assert.deepEqual(p.syscalls, ['read']);
    assert.deepEqual(p.overflow, ['syscalls']);
    for (const broken of [
      null,
      [],
      { ...good, id: '../../etc' },
      { ...good, name: 'A B' },
      { ...good, createdAt: -1 },
    ]) {
      assert.throws(() => parseProfile(broken), { name: 'MamoriError' });
    }
  });
});
