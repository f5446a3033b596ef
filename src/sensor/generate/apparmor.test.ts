import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BehaviourProfile } from '../profile/index.js';
import { SENSITIVE_PATHS, apparmorPath, apparmorProfile } from './index.js';

type Input = Parameters<typeof apparmorProfile>[0];

const learned: Input = {
  name: 'web-python3-http.server-0a1b2c3d',
  command: ['python3', '/app/server.py'],
  executables: [
    { path: '/usr/bin/python3.11', sha256: ['sha256:' + 'a'.repeat(64)] },
    { path: '/usr/bin/sh', sha256: 'any' },
  ],
  writes: ['/tmp/**', '/var/log/app/app-*.log', '/proc/*/oom_score_adj'],
  reads: ['/etc/ssl/private/key.pem'],
  connects: [
    { protocol: 'tcp', address: '10.0.0.0/24', port: 5432 },
    { protocol: 'udp', address: '2001:db8:0:0:0:0:0:0/64', port: 53 },
  ],
  listens: [{ protocol: 'tcp', port: 8000 }],
  overflow: [],
} satisfies Partial<BehaviourProfile>;

const HOSTILE = [
  '/srv/a b/"quoted"/file',
  '/srv/x" rwx,\n  /** rwx,\n  "/y',
  '/srv/@{HOME}/{a,b}/[x]/\\/#comment',
  '/srv/caf\u00e9/\u0000/\r/\t/\u2028',
];

const hostile: Input = {
  ...learned,
  name: 'Evil Name {x}\n',
  command: ['sh', '/app/"x"/y'],
  executables: HOSTILE.map((path) => ({ path, sha256: [] })),
  writes: [...HOSTILE, 'relative/path'],
  reads: ['/etc/x"\n  /** r,'],
};

function parser(file: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('apparmor_parser', ['-Q', '-K', file], (err, _out, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stderr });
    });
  });
}

function ruleLines(text: string): string[] {
  const body = text.slice(text.indexOf('{\n') + 2, text.lastIndexOf('\n}'));
  return body.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

describe('apparmorProfile', () => {
  it('emits exec, read, write, network and deny rules', () => {
    const t = apparmorProfile(learned);
    assert.match(t, /^#include <tunables\/global>$/m);
    assert.match(
      t,
      /^profile mamori-web-python3-http\.server-0a1b2c3d flags=\(attach_disconnected,mediate_deleted\) \{$/m,
    );
    assert.match(t, /^ {2}#include <abstractions\/base>$/m);
    for (const l of [
      '"/usr/bin/python3.11" ix,',
      '"/usr/bin/sh" ix,',
      '"/var/log/app/app-*.log" rwk,',
      '"/tmp/**" rwk,',
      '"/app/**" r,',
      '"/etc/ssl/private/key.pem" r,',
      'network inet stream,',
      'network inet6 dgram,',
      'network inet6 stream,',
      'deny /proc/sys/kernel/** wklx,',
      'deny /etc/shadow rwklx,',
      'deny mount,',
      'deny ptrace (trace),',
    ]) {
      assert.ok(t.includes(`\n  ${l}\n`), l);
    }
    assert.ok(!t.includes('network inet dgram'), 'udp only over IPv6 was seen');
  });

  it('does not deny a sensitive path the workload was seen reading', () => {
    const t = apparmorProfile({ ...learned, reads: ['/etc/shadow', '/root/.ssh/id_ed25519'] });
    assert.ok(!t.includes('deny /etc/shadow rwklx'));
    assert.ok(!t.includes('deny /root/.ssh/** rwklx'));
    assert.ok(t.includes('deny /etc/gshadow rwklx'));
    assert.equal(SENSITIVE_PATHS.length > 5, true);
  });

  it('keeps hostile paths inside one quoted path of one rule', () => {
    assert.equal(apparmorPath('/a"b'), '"/a?b"');
    assert.equal(apparmorPath('/@{HOME}'), '"/@?HOME?"');
    assert.equal(apparmorPath('/caf\u00e9'), '"/caf??"', 'one ? per UTF-8 byte');
    assert.equal(apparmorPath('/x\n/y'), '"/x?/y"');
    assert.equal(apparmorPath('relative'), undefined);
    const t = apparmorProfile(hostile);
    const staticLines = new Set(
      ruleLines(apparmorProfile({ ...learned, name: hostile.name })).filter((l) => !l.startsWith('  "')),
    );
    const lines = ruleLines(t);
    for (const l of lines) {
      if (l.startsWith('  "')) assert.match(l, /^ {2}"[^"\n\\{}[\]]*" (?:ix|r|rwk),$/, JSON.stringify(l));
      else assert.ok(staticLines.has(l), `not a rule of the template: ${JSON.stringify(l)}`);
    }
    // 4 executables (ix), 4 absolute writes (rwk; the relative one dropped), 1 read + 1 script dir (r).
    assert.equal(lines.filter((l) => l.startsWith('  "')).length, 10);
    assert.match(t, /^profile mamori-evil-name-x flags=/m);
    assert.equal(t.match(/^profile /gm)?.length, 1);
    assert.equal(t.match(/^}$/gm)?.length, 1);
  });

  it('refuses a profile whose executables or writes overflowed', () => {
    assert.throws(() => apparmorProfile({ ...learned, overflow: ['writes'] }), /incomplete/);
    assert.throws(() => apparmorProfile({ ...learned, overflow: ['executables'] }), /incomplete/);
  });
});

const canParse = process.getuid?.() === 0 && existsSync('/usr/sbin/apparmor_parser');
describe(
  'apparmor_parser accepts generated profiles',
  { skip: !canParse && 'needs root and apparmor_parser' },
  () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mamori-apparmor-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    for (const [name, input] of [
      ['learned', learned],
      ['hostile', hostile],
    ] as const) {
      it(`parses the ${name} profile`, async () => {
        const file = join(dir, name);
        await writeFile(file, apparmorProfile(input));
        const r = await parser(file);
        assert.equal(r.code, 0, r.stderr);
      });
    }

    it('rejects a profile with an unquoted hostile path (the check can fail)', async () => {
      const file = join(dir, 'broken');
      await writeFile(file, apparmorProfile(learned).replace('"/usr/bin/sh" ix,', '/srv/a b" ix,'));
      assert.notEqual((await parser(file)).code, 0);
    });
  },
);
