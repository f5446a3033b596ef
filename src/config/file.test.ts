import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from '../core/index.js';
import { ConfigError, MAX_CONFIG_BYTES, loadServerConfig } from './index.js';

const execFileAsync = promisify(execFile);
const TESTDATA = new URL('./testdata/', import.meta.url).pathname;

async function withFile(
  content: string | Buffer,
  fn: (file: string, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-config-file-'));
  try {
    const file = join(dir, 'mamori.yaml');
    await writeFile(file, content);
    await fn(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Loading `content` fails with a MamoriError (never a raw TypeError or RangeError) whose message matches. */
async function refused(content: string | Buffer, pattern: RegExp): Promise<void> {
  await withFile(content, async (file, dir) => {
    const err = await loadServerConfig({ file, env: {}, cwd: dir }).catch((e: unknown) => e);
    assert.ok(isMamoriError(err), `expected a MamoriError, got ${String(err)}`);
    assert.match(err.message, pattern);
  });
}

test('a billion-laughs document is refused before it expands', async () => {
  const err = await loadServerConfig({
    file: join(TESTDATA, 'billion-laughs.yaml'),
    env: {},
    cwd: TESTDATA,
  }).catch((e: unknown) => e);
  assert.ok(isMamoriError(err, 'INVALID_ARGUMENT'));
  assert.match(err.message, /billion-laughs\.yaml: Excessive alias count/);
});

test('a file over the size cap is refused without being parsed', async () => {
  await refused(
    `server:\n  listen: 127.0.0.1:5000\n#${'x'.repeat(MAX_CONFIG_BYTES)}\n`,
    /larger than 1048576 bytes/,
  );
});

test('a device or directory is not read as a configuration file', async () => {
  const err = await loadServerConfig({ file: '/dev/zero', env: {}, cwd: TESTDATA }).catch((e: unknown) => e);
  assert.ok(isMamoriError(err));
  assert.match(err.message, /config file \/dev\/zero is not a regular file/);
  await assert.rejects(loadServerConfig({ file: TESTDATA, env: {} }), /is not a regular file/);
});

test('a FIFO named as the configuration file is refused without waiting for a writer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-config-fifo-'));
  try {
    const fifo = join(dir, 'mamori.yaml');
    await execFileAsync('mkfifo', [fifo]);
    await assert.rejects(loadServerConfig({ file: fifo, env: {}, cwd: dir }), /is not a regular file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pathological nesting is a clear error, not a stack overflow', async () => {
  await refused(`server: ${'['.repeat(200_000)}`, /mamori\.yaml: /);
  await refused(
    `server:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}a${i}:`).join('\n')}\n`,
    /./,
  );
});

test('malformed YAML, several documents, duplicate keys, custom tags and non-UTF-8 are refused', async () => {
  await refused('server: [unclosed\n', /mamori\.yaml: /);
  await refused('server: {}\n---\nserver: {}\n', /multiple documents/i);
  await refused('server:\n  listen: 127.0.0.1:1\n  listen: 127.0.0.1:2\n', /unique/i);
  await refused('server:\n  data: !include /etc/passwd\n', /tag/i);
  await refused(Buffer.from([0x73, 0x3a, 0x20, 0xff, 0xfe, 0x0a]), /not UTF-8/);
});

test('a document that is not a mapping, or sections of the wrong shape, are reported by key', async () => {
  await refused('- server\n', /expected a mapping at the top level \(server: …\), got a list/);
  await refused('server: 5000\n', /server: expected a mapping, got 5000/);
  await refused('server:\n  gc: [1h]\n', /server\.gc: expected a mapping, got a list/);
  await refused('server:\n  listen: {host: x}\n', /server\.listen: expected HOST:PORT, got a mapping/);
});

test('a __proto__ key is an unknown key, not a prototype change', async () => {
  await withFile('server:\n  __proto__:\n    listen: 127.0.0.1:6000\n', async (file, dir) => {
    const err = await loadServerConfig({ file, env: {}, cwd: dir }).catch((e: unknown) => e);
    assert.ok(err instanceof ConfigError, String(err));
    assert.deepEqual(err.problems, ['server: unknown key "__proto__"']);
  });
});

test('an empty file or empty server section gives the defaults', async () => {
  for (const content of ['', '# nothing\n', 'server:\n', 'server: {}\n']) {
    await withFile(content, async (file, dir) => {
      const c = await loadServerConfig({ file, env: {}, cwd: dir });
      assert.equal(c.server.listen, '127.0.0.1:5000');
    });
  }
});

test('booleans: true/false, or the words the environment accepts (yes, off, …); not numbers', async () => {
  await withFile('server:\n  metrics:\n    enabled: yes\n', async (file, dir) => {
    // The string "yes" is accepted by the boolean parser (the same words as the environment).
    const c = await loadServerConfig({ file, env: {}, cwd: dir });
    assert.equal(c.server.metrics.enabled, true);
  });
  await refused(
    'server:\n  metrics:\n    enabled: 1.5\n',
    /server\.metrics\.enabled: expected true or false, got 1\.5/,
  );
});
