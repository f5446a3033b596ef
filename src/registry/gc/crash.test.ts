// A collector killed with SIGKILL in the middle of its sweep leaves every
// blob whole or gone, never a referenced one missing, and the next run
// finishes the job.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collectGarbage } from './index.js';
import { blob, clock, HOUR, image, intact, openAt, type Pushed } from './testdata/fixture.js';

const CHILD = fileURLToPath(new URL('./testdata/gc-child.ts', import.meta.url));
const GARBAGE = 1000;

describe('garbage collection killed mid-sweep', () => {
  it('leaves no half-deleted blob and the next run completes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mamori-gc-crash-'));
    try {
      const c = clock();
      const setup = await openAt(dir, c);
      const images: Pushed[] = [];
      for (let i = 0; i < 20; i++) images.push(await image(setup, `p/app${i % 3}`, [`layer ${i}`, 'base']));
      const garbage: string[] = [];
      for (let i = 0; i < GARBAGE; i++) garbage.push(await blob(setup, `garbage ${i}`, 'p/junk'));
      await setup.state.close();
      const later = c.t + 2 * HOUR;

      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(later)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_, sig) => resolve(sig)),
      );
      let killedAt = 0;
      for await (const line of createInterface({ input: child.stdout })) {
        const m = /^deleted (\d+)$/.exec(line);
        if (m && Number(m[1]) >= 200) {
          killedAt = Number(m[1]);
          child.kill('SIGKILL');
          break;
        }
        assert.notEqual(line, 'DONE', 'the child finished before it could be killed');
      }
      assert.equal(await exited, 'SIGKILL');
      assert.ok(killedAt >= 200);

      const after = await openAt(dir, { t: later, now: () => later });
      try {
        const listed: string[] = [];
        for await (const d of after.storage.list()) listed.push(d);
        for (const d of listed) assert.ok(await intact(after.storage, d), `${d} whole`);
        const left = garbage.filter((d) => listed.includes(d));
        assert.ok(left.length > 0 && left.length < GARBAGE, `killed mid-sweep (${left.length} left)`);
        for (const im of images) {
          for (const d of im.blobs) assert.ok(listed.includes(d), `${d} kept`);
        }

        const r = await collectGarbage({ storage: after.storage, state: after.state, now: after.clock.now });
        assert.equal(r.blobsDeleted, left.length, 'the second run deletes what the first left');
        const remaining = new Set<string>();
        for await (const d of after.storage.list()) remaining.add(d);
        for (const d of garbage) assert.equal(remaining.has(d), false);
        for (const im of images) {
          for (const d of im.blobs) {
            assert.ok(await intact(after.storage, d), `${d} intact`);
          }
          const repo = `p/app${images.indexOf(im) % 3}`;
          for (const d of im.blobs)
            assert.ok(await after.state.isBlobLinked(repo, d), `${d} linked in ${repo}`);
        }
        assert.deepEqual(await after.state.repositoriesOfBlob(garbage[0] ?? ''), []);
      } finally {
        await after.state.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
