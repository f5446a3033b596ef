import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert } from '../model/index.js';
import { formatTable, tableRow } from './format.js';
import { matchesFilter, parseStreamLine, readStream, type SkipCounts } from './read.js';
import type { StreamRecord } from './types.js';

const alert = (rule: string, severity: Alert['severity'], id = 'abc'): Alert => ({
  kind: 'alert',
  time: 1_700_000_000_000,
  rule,
  severity,
  title: rule,
  container: { id, runtime: 'runc', pod: { name: 'web-0', namespace: 'shop' } },
  processTree: [{ pid: 9, ppid: 1, uid: 0, exe: '/bin/sh', argv: ['sh', '-c', 'x\ny'], comm: 'sh' }],
  evidence: { path: '/etc/shadow' },
});

describe('stream reading', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-read-'));
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  it('classifies lines', () => {
    assert.equal(parseStreamLine('{'), 'invalid');
    assert.equal(parseStreamLine('"str"'), 'unknown');
    assert.equal(parseStreamLine('{"kind":"alert","time":1}'), 'unknown');
    assert.equal(parseStreamLine('{"kind":"exec","time":1,"pid":2,"container":{"id":5}}'), 'unknown');
    assert.equal((parseStreamLine(JSON.stringify(alert('MR001', 'medium'))) as Alert).rule, 'MR001');
  });

  it('follows a growing file, a line split across writes, and a rotation', async () => {
    const path = join(tmp, 'follow.jsonl');
    await writeFile(path, JSON.stringify(alert('MR001', 'medium')) + '\n');
    const skipped: SkipCounts = { huge: 0, invalid: 0, unknown: 0 };
    const abort = new AbortController();
    const seen: StreamRecord[] = [];
    const reader = (async () => {
      for await (const r of readStream(path, skipped, { follow: true, signal: abort.signal, pollMs: 20 }))
        seen.push(r);
    })();
    const wait = async (n: number): Promise<void> => {
      for (let i = 0; i < 250 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen.length, n);
    };
    await wait(1);
    const line = JSON.stringify(alert('MR003', 'high'));
    await appendFile(path, line.slice(0, 10));
    await new Promise((r) => setTimeout(r, 100));
    await appendFile(path, line.slice(10) + '\nnot json\n');
    await wait(2);
    await rename(path, `${path}.1`);
    await writeFile(path, JSON.stringify(alert('MD001', 'high')) + '\n');
    await wait(3);
    abort.abort();
    await reader;
    assert.deepEqual(
      seen.map((r) => (r as Alert).rule),
      ['MR001', 'MR003', 'MD001'],
    );
    assert.equal(skipped.invalid, 1);
  });

  it('filters by severity, rule and container', () => {
    const a = alert('MR003', 'high', 'abcdef');
    assert.ok(matchesFilter(a, { severity: 'medium' }));
    assert.ok(!matchesFilter(a, { severity: 'critical' }));
    assert.ok(matchesFilter(a, { rule: 'MR003', container: 'abc' }));
    assert.ok(matchesFilter(a, { container: 'web-0' }));
    assert.ok(!matchesFilter(a, { container: 'zzz' }));
    assert.ok(
      !matchesFilter({ kind: 'drop', time: 1, source: 'queue', count: 1, total: 1 }, { rule: 'MR003' }),
    );
  });

  it('renders one line per record whatever the record holds', () => {
    const row = tableRow(alert('MR001', 'medium'));
    assert.deepEqual(row.slice(1, 4), ['medium', 'MR001', 'shop/web-0']);
    const text = formatTable([row]);
    assert.ok(!text.includes('\n'), 'a newline in argv does not break the row');
    const hostile = JSON.parse(
      '{"kind":"exec","time":1,"pid":3,"argv":{"x":1},"exe":7,"comm":null}',
    ) as StreamRecord;
    assert.match(formatTable([tableRow(hostile)]), /exec +host +3 +exe=7/);
  });
});

describe('status line', () => {
  it('gives the event rate, drops by source and alerts by severity', async () => {
    const { statusLine } = await import('./status.js');
    const base = { startedAt: 0, alertsByRule: {}, containers: 2, enforced: 1, execRepeats: 0 };
    const before = { ...base, events: { exec: 10 }, drops: {}, alertsBySeverity: {} };
    const now = {
      ...base,
      events: { exec: 30, open: 10 },
      drops: { queue: 4 },
      alertsBySeverity: { high: 1 },
    };
    assert.equal(
      statusLine(now, before, 2),
      'mamori sensor: 15.0 events/s, drops 4 (queue 4), alerts 1 (high 1), containers 2, enforced 1',
    );
    assert.match(
      statusLine({ ...now, execRepeats: 25 }, before, 2),
      /15\.0 events\/s \(25 execs compacted\), /,
    );
  });
});
