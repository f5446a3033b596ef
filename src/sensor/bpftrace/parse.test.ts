import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedQueue, RecordAssembler, decodeLine, generateSensorScript, syscallSets } from './index.js';

const line = (s: string): Buffer => Buffer.from(s, 'latin1');
const printf = (data: string): Buffer => line(`{"type": "printf", "data": "${data}"}`);

function feed(lines: Buffer[]): { events: unknown[]; drops: number } {
  const asm = new RecordAssembler({ clockOffsetMs: 0, strlen: 200, maxArgs: 32 });
  const events: unknown[] = [];
  let drops = 0;
  for (const l of lines) {
    const d = decodeLine(l);
    if (d === undefined) drops++;
    else if (d.type === 'printf') events.push(...asm.push(d.data));
  }
  asm.flush();
  return { events, drops: drops + asm.drops };
}

describe('decodeLine', () => {
  it('decodes bpftrace escapes, including sign-extended high bytes, byte for byte', () => {
    const d = decodeLine(printf('a\\"b\\\\c\\nd\\u0001\\uffffffff\\uffffff80\\t'));
    assert.ok(d?.type === 'printf');
    assert.deepEqual([...d.data], [0x61, 0x22, 0x62, 0x5c, 0x63, 0x0a, 0x64, 0x01, 0xff, 0x80, 0x09]);
  });
  it('reads lost events, attached probes and maps', () => {
    assert.deepEqual(decodeLine(line('{"type": "lost_events", "data": {"events": 7}}')), {
      type: 'lost',
      count: 7,
    });
    assert.deepEqual(decodeLine(line('{"type": "attached_probes", "data": {"probes": 3}}')), {
      type: 'attached',
      probes: 3,
    });
    const m = decodeLine(
      line('{"type": "map", "data": {"@mamori_sc0": {"42,39": 1, "42,63": 1, "bad": 1}}}'),
    );
    assert.ok(m?.type === 'map');
    const { events, bad } = syscallSets(m.maps, 5);
    assert.equal(bad, 1);
    assert.deepEqual(events[0]?.syscalls, ['getpid', 'uname']);
    assert.equal(events[0]?.cgroupId, '42');
  });
  it('rejects truncated, oversized-escape and bad-escape lines without throwing', () => {
    for (const bad of [
      '{"type": "printf", "data": "abc',
      '{"type": "printf", "data": "a\\qb"}',
      '{"type": "printf", "data": "a\\u12"}',
      '{"type": "printf", "data": "a\\u1234"}',
      '{"type": "printf", "data": "a"b"}',
      '{"type": "printf", "data": "a\\"}',
      '{"type": "lost_events", "data": {"events": -1}}',
      'not json at all \xff',
      '[1,2]',
    ]) {
      assert.equal(decodeLine(line(bad)), undefined, bad);
    }
  });
});

describe('RecordAssembler', () => {
  it('reads an exec (E) and one record per argument, byte for byte, whatever the arguments hold', () => {
    const sock = (0o140777 * 2 ** 32).toString();
    const pipe = (0o10600 * 2 ** 32).toString();
    const { events, drops } = feed([
      printf(
        `E 10 10 1000 77 2000000 4 9 ${sock} ${pipe} 8388609 4242 1700000000 5 1 0 18446744073709551615 12345 we ird\\n`,
      ),
      printf('+E 10 /bin/we ird\\n'),
      printf('+E 10 sh\\n'),
      printf('+E 10 a b\\"c\\n\\n'),
      printf('+E 10 \\uffffffff\\n'),
      printf('+E 10 \\n'),
    ]);
    assert.equal(drops, 0);
    assert.deepEqual(events, [
      {
        time: 2,
        cgroupId: '77',
        pid: 10,
        uid: 1000,
        kind: 'exec',
        comm: 'we ird',
        ppid: 9,
        exe: '/bin/we ird',
        argv: ['sh', 'a b"c\n', '\uFFFD', ''],
        stdin: 'socket',
        stdout: 'pipe',
        parentSamePidNs: false,
        exeId: '8388609:4242:1700000000.5',
        compactKey: '18446744073709551615',
        compactKeyArgv0: '12345',
      },
    ]);
  });
  it('marks argv cut at maxArgs or at the string limit; no exeId without the kernel ctime', () => {
    const asm = new RecordAssembler({ clockOffsetMs: 0, strlen: 8, maxArgs: 2 });
    const got = [
      printf('E 11 11 0 77 1 3 1 0 0 1 2 0 0 1 1 0 0 a-very-long-pro\\n'),
      printf('+E 11 /usr/bin/a-very-long-program-name\\n'),
      printf('+E 11 python3\\n'),
      printf('+E 11 -c\\n'),
      printf('E 12 12 0 77 1 1 1 0 0 1 2 3 4 1 1 0 0 sh\\n'),
      printf('+E 12 /bin/sh\\n'),
      printf('+E 12 1234567\\n'),
      printf('E 13 13 0 77 1 0 1 0 0 1 2 3 4 1 1 0 0 x\\n'),
      printf('+E 13 /bin/x\\n'),
    ].flatMap((l) => {
      const d = decodeLine(l);
      return d?.type === 'printf' ? asm.push(d.data) : [];
    });
    assert.equal(asm.drops, 0);
    const ev = got as unknown as { argv: string[]; comm: string; argvTruncated?: boolean }[];
    assert.deepEqual(ev[0]?.argv, ['python3', '-c']);
    assert.equal(ev[0]?.argvTruncated, true);
    assert.equal(ev[0]?.comm, 'a-very-long-pro');
    assert.equal((ev[0] as { exeId?: string }).exeId, undefined);
    assert.equal((ev[1] as { exeId?: string }).exeId, '1:2:3.4');
    assert.equal((ev[1] as { parentSamePidNs?: boolean }).parentSamePidNs, true);
    assert.equal(ev[1]?.argvTruncated, true);
    assert.deepEqual(ev[2]?.argv, []);
    assert.equal(ev[2]?.argvTruncated, undefined);
    assert.equal((ev[2] as { compactKey?: string }).compactKey, undefined, 'fingerprint 0: not compactable');
  });
  it('reads a compacted exec (F) as a repeat of the fingerprint the agent named', () => {
    const { events, drops } = feed([
      printf('F 20 20 1000 77 3000000 0 19 42 true\\n'),
      printf('F 21 21 0 77 3000000 0 19 x true\\n'),
      printf('F 22 22 0 77 3000000 0 19 ab true\\n'),
    ]);
    assert.equal(drops, 2, 'a malformed id is a drop');
    assert.deepEqual(events, [
      {
        kind: 'exec-repeat',
        time: 3,
        cgroupId: '77',
        pid: 20,
        uid: 1000,
        ppid: 19,
        comm: 'true',
        repeatId: 42,
      },
    ]);
  });
  it('counts orphans, malformed headers and incomplete events as drops', () => {
    const { events, drops } = feed([
      printf('+E 99 61 62\\n'),
      printf('E 1 1 0 1 1 1 x 0 0 0 0 0 0 0 0 0 0 comm\\n'),
      printf('E 2 2 0 1 1 0 1 0 0 0 0 0 0 0 0 0 k comm\\n'),
      printf('Z 1 1 0 1 1 0 comm\\n'),
      printf('O 5 5 0 1 1 1 0 /etc/shadow\\n'),
      printf('O 5 5 0 1 1 1 0 /etc/gshadow\\n'),
      printf('+O 5 cat\\n'),
      printf('N 6 6 0 1 1 3 165 0 0 mount\\n'),
      printf(''),
    ]);
    // orphan, bad E, E with a bad fingerprint, unknown tag, the first O superseded, the empty record, the incomplete N
    assert.equal(drops, 7);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], {
      time: 0.000001,
      cgroupId: '1',
      pid: 5,
      uid: 0,
      kind: 'open',
      comm: 'cat',
      path: '/etc/gshadow',
      flags: 0,
      write: false,
    });
  });
  it('decodes network and notable records', () => {
    const { events } = feed([
      printf('A 3 3 0 8 1 0 10 4660 6 1 8080 ::1 srv\\n'),
      printf('C 4 4 0 8 1 1 1 1 0 1 0 - cli\\n'),
      printf('+C 4 sock\\n'),
      printf('N 5 5 0 8 1 0 272 1073741824 0 un\\n'),
    ]);
    assert.deepEqual(
      events.map((e) => JSON.stringify(e)),
      [
        '{"time":0.000001,"cgroupId":"8","pid":3,"uid":0,"kind":"accept","comm":"srv","protocol":"tcp","family":"inet6","address":"::1","port":13330,"localPort":8080}',
        '{"time":0.000001,"cgroupId":"8","pid":4,"uid":0,"kind":"connect","comm":"cli","protocol":"unix","family":"unix","address":"@sock","port":0}',
        '{"time":0.000001,"cgroupId":"8","pid":5,"uid":0,"kind":"syscall","comm":"un","syscall":"unshare","args":{"flags":1073741824}}',
      ],
    );
  });
});

describe('BoundedQueue', () => {
  it('drops beyond capacity, counts, and reports drops first', async () => {
    const q = new BoundedQueue(1);
    const ev = { kind: 'exit', time: 1, cgroupId: '1', pid: 1, uid: 0, comm: 'x', exitCode: 0 } as const;
    q.push(ev);
    q.push(ev);
    q.drop('kernel', 2);
    q.close();
    const got = [];
    for await (const e of q) got.push(e.kind === 'drop' ? `${e.source}:${e.count}` : e.kind);
    assert.deepEqual(got, ['kernel:2', 'queue:1', 'exit']);
    assert.equal(q.delivered, 1);
  });
});

describe('generateSensorScript', () => {
  it('filters on cgroups, validates options and includes only enabled families', () => {
    const s = generateSensorScript({
      cgroups: { include: ['42'], excludeHostRoot: true },
      families: ['exec'],
    });
    assert.match(s, /\(cgroup == 42\) && cgroup != 1/);
    assert.match(s, /sched_process_exec/);
    assert.doesNotMatch(s, /sys_enter_connect/);
    assert.throws(() => generateSensorScript({ cgroups: { include: ['1; system()'] } }), /cgroup/);
    assert.throws(() => generateSensorScript({ sensitivePaths: ['/etc/"'] }), /printable/);
    assert.throws(() => generateSensorScript({ strlen: 5000 }), /strlen/);
  });
});
