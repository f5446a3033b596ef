import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { openOutputPipe } from './output.js';

/** Writes `chunks` into the FIFO from another process, pausing between writes. */
function writer(path: string, chunks: string[]): Promise<number | null> {
  const js = `
const fs = require('fs');
const fd = fs.openSync(process.argv[1], 'w');
const chunks = JSON.parse(process.argv[2]);
(async () => {
  for (const c of chunks) { fs.writeSync(fd, Buffer.from(c, 'latin1')); await new Promise((r) => setTimeout(r, 2)); }
  fs.closeSync(fd);
})();`;
  const p = spawn(process.execPath, ['-e', js, path, JSON.stringify(chunks)], { stdio: 'ignore' });
  return new Promise((resolve) => p.on('exit', resolve));
}

describe('bpftrace output pipe', () => {
  it('splits lines across reads, skips overlong lines, and ends when the last writer is gone', async () => {
    const lines: string[] = [];
    let overlong = 0;
    const out = await openOutputPipe({
      maxLineBytes: 16,
      readIntervalMs: 5,
      onLine: (l) => lines.push(l.toString('latin1')),
      onOverlong: () => overlong++,
    });
    try {
      assert.ok(existsSync(out.path));
      const wrote = writer(out.path, [
        'one\ntw',
        'o\n',
        'x'.repeat(10),
        'y'.repeat(10) + '\nthree\n',
        '\n\xff\x00end',
        '\n',
        'z'.repeat(40),
        '\ntail-without-newline',
      ]);
      // The writer has opened the FIFO once a line came: release our own end as the sensor does.
      while (lines.length === 0) await new Promise((r) => setTimeout(r, 5));
      out.releaseWriter();
      assert.equal(existsSync(dirname(out.path)), false, 'the FIFO name is removed once both ends are open');
      assert.equal(await wrote, 0);
      await out.ended;
      assert.deepEqual(lines, ['one', 'two', 'three', '\xff\x00end']);
      assert.equal(overlong, 2, 'the 20-byte and the 40-byte lines');
    } finally {
      await out.dispose();
    }
  });

  it('ends at once when nothing ever opened it for writing and the writer end is released', async () => {
    const out = await openOutputPipe({
      maxLineBytes: 1024,
      readIntervalMs: 5,
      onLine: () => assert.fail('no line expected'),
      onOverlong: () => assert.fail('no line expected'),
    });
    out.releaseWriter();
    await out.ended;
    await out.dispose();
    assert.equal(existsSync(dirname(out.path)), false);
  });
});
