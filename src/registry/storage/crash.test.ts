// Kills a real writer process with SIGKILL at chosen points and checks what a
// fresh store over the same root sees: never a blob that did not verify, an
// upload resumable at its data file's length or cleanly cancellable, and no
// temp file left once recover() ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createFsBlobStore } from './index.js';
import { collect, hashStream, tempDir } from './testdata/helpers.js';
import { patternDigest, patternStream } from './testdata/pattern.js';

const CHILD = fileURLToPath(new URL('./testdata/crash-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MiB = 1024 * 1024;
const APPEND = 8 * MiB;

/** Runs the child until it prints a line starting with `marker`, SIGKILLs it, returns every line seen. */
async function runAndKill(mode: string, root: string, total: number, marker: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, root, String(total)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    lines.push(line);
    if (line.startsWith(marker)) {
      child.kill('SIGKILL');
      break;
    }
  }
  const signal = await exited;
  assert.equal(signal, 'SIGKILL', `child ended by itself before "${marker}": ${lines.join('|')} ${stderr}`);
  return lines;
}

function uploadId(lines: string[]): string {
  const id = lines.find((l) => l.startsWith('ID '))?.slice(3);
  assert.ok(id, 'the child reported its upload id');
  return id;
}

async function assertClean(root: string): Promise<void> {
  const store = await createFsBlobStore(root);
  const report = await store.recover();
  assert.deepEqual(await readdir(join(root, 'tmp')), [], JSON.stringify(report));
}

test('SIGKILL paused inside an append: the upload stands at its data length and cancels cleanly', async (t) => {
  const root = await tempDir(t);
  const total = 32 * MiB;
  const lines = await runAndKill('upload-pause', root, total, 'MID');
  const id = uploadId(lines);
  assert.ok(lines.includes(`ACK ${APPEND}`), 'the first append was acknowledged');

  const store = await createFsBlobStore(root);
  const session = await store.getUpload(id);
  assert.ok(session, 'the session survived the crash');
  // The store writes a piece before it pulls the next, so the four 1 MiB
  // pieces of the second append handed over before the pause are on disk.
  assert.equal(session.size, APPEND + 4 * MiB);
  assert.equal(session.size, (await stat(join(root, 'uploads', id, 'data'))).size);
  assert.deepEqual(await collect(store.list()), []);
  await store.cancel(id);
  assert.equal(await store.getUpload(id), undefined);
  assert.deepEqual(await readdir(join(root, 'uploads')), []);
  await assertClean(root);
});

test('SIGKILL while streaming an upload: no blob visible, the upload resumes from its length and verifies', async (t) => {
  const root = await tempDir(t);
  const total = 96 * MiB;
  const lines = await runAndKill('upload-race', root, total, 'MID');
  const id = uploadId(lines);

  const store = await createFsBlobStore(root);
  const digest = patternDigest(total);
  assert.equal(await store.stat(digest), undefined);
  const session = await store.getUpload(id);
  assert.ok(session, 'the session survived the crash');
  const length = (await stat(join(root, 'uploads', id, 'data'))).size;
  assert.equal(session.size, length);
  assert.ok(session.size >= APPEND, `acknowledged bytes kept (${session.size})`);
  t.diagnostic(`killed at ${session.size} of ${total} bytes`);

  // Resuming with the pattern from the recorded offset yields the full blob
  // only if every byte before the offset is intact.
  await store.append(id, session.size, patternStream(session.size, total, 1 * MiB), total - session.size);
  assert.deepEqual(await store.commit(id, digest), { digest, size: total });
  const opened = await store.open(digest);
  assert.ok(opened);
  assert.equal(await hashStream(opened.stream), digest);
  await assertClean(root);
});

test('SIGKILL between a verified temp file and its rename: nothing visible, recover() removes the temp', async (t) => {
  const root = await tempDir(t);
  const total = 40 * MiB + 123;
  const lines = await runAndKill('put-pause', root, total, 'RENAME ');
  const [, from, to] = (lines.at(-1) ?? '').split(' ');
  assert.ok(from && to);
  assert.equal((await stat(from)).size, total, 'the kill landed after the temp file was complete');
  await assert.rejects(stat(to), { code: 'ENOENT' });

  const store = await createFsBlobStore(root);
  const digest = patternDigest(total);
  assert.equal(await store.stat(digest), undefined);
  assert.deepEqual(await collect(store.list()), []);
  const report = await store.recover();
  assert.equal(report.tempRemoved, 1);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
  assert.deepEqual(await store.put(digest, patternStream(0, total, MiB), total), { digest, size: total });
});

test('SIGKILL during commit before the rename: the complete upload stays resumable and commits', async (t) => {
  const root = await tempDir(t);
  const total = 20 * MiB + 7;
  const lines = await runAndKill('commit-pause', root, total, 'RENAME ');
  const id = uploadId(lines);

  const store = await createFsBlobStore(root);
  const digest = patternDigest(total);
  assert.equal(await store.stat(digest), undefined);
  assert.equal((await store.getUpload(id))?.size, total);
  assert.deepEqual(await store.commit(id, digest), { digest, size: total });
  assert.equal(await store.getUpload(id), undefined);
  await assertClean(root);
  assert.deepEqual(await collect(store.list()), [digest]);
});
