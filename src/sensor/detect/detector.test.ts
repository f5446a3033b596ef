import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ContainerEvent, ContainerRef, ProcessInfo } from '../model/index.js';
import { createDetector, parseDetectionRules, type DetectorOptions } from './index.js';
import { CONTAINER, connect, exec, open, proc, sys } from './testdata/cases.js';

const rules = async (): Promise<DetectorOptions['rules']> =>
  parseDetectionRules(
    await readFile(join(import.meta.dirname, 'testdata', 'rules.yaml'), 'utf8'),
    'rules.yaml',
  );

function fired(
  d: ReturnType<typeof createDetector>,
  event: ContainerEvent,
  tree: readonly ProcessInfo[] = [],
  container: ContainerRef | undefined = event.container,
): string[] {
  return d.detect(event, { ...(container ? { container } : {}), processTree: tree }).map((a) => a.rule);
}

const PROD: ContainerRef = {
  ...CONTAINER,
  image: 'registry.example.com/shop/web:1',
  pod: { name: 'w', namespace: 'prod-eu' },
};
const DEBUG: ContainerRef = { ...CONTAINER, image: 'registry.example.com/debug/busybox:1.36' };

describe('detector', () => {
  it("lifts the escape rules for the runtime's setup only when the sensor flags it, never by name", () => {
    const d = createDetector();
    const runcTree = [proc(200, 150, '/usr/bin/runc', ['runc', 'init'])];
    const events = [
      sys('mount', { source: 'proc', target: '/proc' }, { comm: 'runc:[2:INIT]' }),
      sys('unshare', { flags: 'CLONE_NEWUSER' }, { comm: 'runc:[2:INIT]' }),
    ];
    for (const e of events) {
      const rule = e.syscall === 'mount' ? 'MR012' : 'MR013';
      // Renamed and gone (no tree), or even with a runc executable: the name proves nothing.
      for (const tree of [[], runcTree])
        assert.deepEqual(
          d.detect(e, { container: CONTAINER, processTree: tree }).map((a) => a.rule),
          [rule],
        );
      assert.deepEqual(
        d.detect(e, { container: CONTAINER, processTree: [], runtimeSetup: false }).map((a) => a.rule),
        [rule],
      );
      assert.deepEqual(d.detect(e, { container: CONTAINER, processTree: [], runtimeSetup: true }), []);
    }
    // The flag lifts only the rules that carry the exception: a kernel module stays an alert.
    assert.deepEqual(
      d
        .detect(sys('init_module', {}, { comm: 'runc:[2:INIT]' }), {
          container: CONTAINER,
          processTree: [],
          runtimeSetup: true,
        })
        .map((a) => a.rule),
      ['MR015'],
    );
  });

  it('builds alerts with rule, severity, title, container, process tree and evidence', () => {
    const d = createDetector();
    const parent = proc(150, 1, '/usr/bin/runc', ['runc', 'exec']);
    const [a, ...rest] = d.detect(exec('/bin/sh', ['sh', '-c', 'cat /etc/shadow']), {
      container: CONTAINER,
      processTree: [parent],
    });
    assert.equal(rest.length, 0);
    assert.deepEqual(a, {
      kind: 'alert',
      time: 1_700_000_000_000,
      rule: 'MR001',
      severity: 'medium',
      title: 'Shell spawned in a container',
      container: CONTAINER,
      processTree: [
        {
          pid: 200,
          ppid: 150,
          uid: 0,
          exe: '/bin/sh',
          argv: ['sh', '-c', 'cat /etc/shadow'],
          comm: 'sh',
          time: 1_700_000_000_000,
        },
        parent,
      ],
      evidence: { exe: '/bin/sh', argv: 'sh -c cat /etc/shadow', shell: 'sh' },
    });
  });

  it('ignores host processes unless asked, and events no rule looks at', () => {
    const host = { ...exec('/bin/sh', ['sh']), container: undefined };
    assert.deepEqual(fired(createDetector(), host), []);
    assert.deepEqual(fired(createDetector({ includeHost: true }), host), ['MR001']);
    const exit: ContainerEvent = {
      kind: 'exit',
      time: 1,
      cgroupId: '1',
      pid: 2,
      comm: 'x',
      uid: 0,
      exitCode: 0,
      container: CONTAINER,
    };
    assert.deepEqual(fired(createDetector(), exit), []);
    // The context's container counts when the event carries none.
    assert.deepEqual(fired(createDetector(), host, [], CONTAINER), ['MR001']);
  });

  it('runs user rules: exe names, namespaces, parents, CIDR blocks, ports, paths, argv', async () => {
    const d = createDetector({ rules: await rules() });
    const curl = exec('/usr/bin/curl', ['curl', 'http://203.0.113.1/x'], { container: PROD });
    assert.deepEqual(fired(d, curl), ['U001']);
    assert.deepEqual(fired(d, { ...curl, container: CONTAINER }), [], 'namespace must match prod-*');
    assert.deepEqual(fired(d, curl, [proc(150, 1, '/usr/local/bin/healthcheck')]), [], 'not: parent');
    const [alert] = createDetector({ rules: await rules() }).detect(curl, {
      container: PROD,
      processTree: [],
    });
    assert.equal(alert?.severity, 'medium');
    assert.equal(alert?.title, 'Download tool in production');
    assert.equal(alert?.evidence.exe, '/usr/bin/curl');

    assert.deepEqual(fired(d, connect('169.254.169.254', 80)), ['U002']);
    assert.deepEqual(fired(d, connect('::ffff:169.254.169.254', 8080)), ['U002'], 'IPv4-mapped address');
    assert.deepEqual(fired(d, connect('fd00:ec2::254', 8000)), ['U002']);
    assert.deepEqual(fired(d, connect('169.254.169.254', 443)), [], 'port outside the list');
    assert.deepEqual(fired(d, connect('169.254.169.253', 80)), []);

    const secret = open('/run/secrets/db/password', false);
    assert.deepEqual(fired(d, secret, [proc(200, 150, '/bin/bash', ['bash'])]), ['U003']);
    assert.deepEqual(fired(d, secret, [proc(200, 150, '/bin/cat', ['cat', '/run/secrets/db/password'])]), [
      'U003',
    ]);
    assert.deepEqual(fired(d, secret, [proc(200, 150, '/app/bin/api')]), []);
    assert.deepEqual(fired(d, { ...secret, write: true }, [proc(200, 150, '/bin/bash')]), [], 'write: false');

    const accept = { ...connect('10.0.0.9', 41000), kind: 'accept' as const, localPort: 5005, uid: 1000 };
    assert.deepEqual(fired(d, accept), ['team.debug-port'], 'accept matches the local port');
    assert.deepEqual(fired(d, { ...accept, uid: 33 }), []);
  });

  it('lifts alerts by exceptions on image, exe, path and parent, and only when the field is known', async () => {
    const d = createDetector({ rules: await rules() });
    const sh = exec('/bin/sh', ['sh']);
    assert.deepEqual(fired(d, { ...sh, container: DEBUG }), []);
    assert.deepEqual(fired(d, sh), ['MR001']);
    assert.deepEqual(
      fired(d, { ...sh, container: { ...CONTAINER, image: undefined } }),
      ['MR001'],
      'unknown image',
    );

    const key = open('/app/.aws/credentials', false);
    assert.deepEqual(fired(d, key, [proc(200, 150, '/app/bin/server')]), []);
    assert.deepEqual(fired(d, key, [proc(200, 150, '/usr/bin/cat')]), ['MR004']);
    assert.deepEqual(fired(d, key), ['MR004'], 'unknown process');
    assert.deepEqual(
      fired(d, open('/run/secrets/x', false), [proc(200, 150, '/app/bin/server', ['server'])]),
      [],
    );

    const bin = open('/usr/local/bin/myapp', true);
    const updater = [proc(200, 150, '/usr/local/bin/myapp'), proc(150, 100, '/opt/updater')];
    assert.deepEqual(fired(d, bin, updater), []);
    assert.deepEqual(fired(d, open('/usr/local/bin/other', true), updater), ['MR005'], 'path must match too');
    assert.deepEqual(fired(d, bin, [proc(200, 150, '/bin/cp')]), ['MR005']);

    const internal = exec('/usr/bin/wget', ['wget', 'https://artifacts.example.com/a/b.tgz'], {
      container: PROD,
    });
    assert.deepEqual(fired(d, internal), [], 'exception of a user rule by argv glob');
  });

  it('disables rules and overrides severities', async () => {
    const d = createDetector({ rules: await rules() });
    assert.deepEqual(fired(d, exec('/usr/bin/nc', ['nc', 'example.com', '80'])), [], 'MR009 disabled');
    assert.deepEqual(fired(createDetector(), exec('/usr/bin/nc', ['nc', 'example.com', '80'])), ['MR009']);
    const [a] = d.detect(exec('/usr/bin/apt-get', ['apt-get', 'install', 'x']), {
      container: CONTAINER,
      processTree: [],
    });
    assert.equal(a?.rule, 'MR002');
    assert.equal(a?.severity, 'high');
    const listed = new Map(d.rules.map((r) => [r.id, r]));
    assert.equal(listed.get('MR009')?.enabled, false);
    assert.equal(listed.get('MR002')?.severity, 'high');
    assert.equal(listed.get('U003')?.severity, 'medium');
    assert.equal(listed.get('U003')?.source, 'user');
    assert.equal(d.rules.length, 21 + 4);
  });

  it('combines all, any and not; a condition on syscalls sees only syscall events', () => {
    const cfg = parseDetectionRules(`
rules:
  - id: U10
    title: keyctl outside the key manager
    severity: low
    event: syscall
    condition: { syscall: keyctl, not: { any: [{ comm: 'vault*' }, { uid: 1000 }] } }
`);
    const d = createDetector({ rules: cfg });
    assert.deepEqual(fired(d, sys('keyctl')), ['U10']);
    assert.deepEqual(fired(d, sys('keyctl', {}, { comm: 'vault-agent' })), []);
    assert.deepEqual(fired(d, sys('keyctl', {}, { uid: 1000 })), []);
    assert.deepEqual(fired(d, exec('/usr/bin/keyctl', ['keyctl'])), []);
  });

  it('keeps ids that are names of object properties apart from the overrides', () => {
    const cfg = parseDetectionRules(`
rules:
  - { id: constructor, title: t, severity: low, event: exec, condition: { exe: curl } }
  - { id: toString, title: t, severity: info, event: exec, condition: { exe: curl } }
`);
    const alerts = createDetector({ rules: cfg }).detect(exec('/usr/bin/curl', ['curl']), {
      container: CONTAINER,
      processTree: [],
    });
    assert.deepEqual(
      alerts.map((a) => [a.rule, a.severity]),
      [
        ['constructor', 'low'],
        ['toString', 'info'],
      ],
    );
  });
});
