import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../core/index.js';
import { createSecretScanner, DEFAULT_SKIP_PATHS, WINDOW_BYTES } from './index.js';
import { ALNUM, assertNoLeak, randomText } from './testing.js';

const r = randomText(7);
const layer = { index: 2, diffId: 'sha256:' + 'ab'.repeat(32) };

async function* chunked(buf: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let i = 0;
  for (let off = 0; off < buf.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield buf.subarray(off, off + n);
    off += n;
  }
}

/** Where `needle` starts: 1-based line and column (bytes), computed independently of the scanner. */
function place(text: string, needle: string, from = 0): { line: number; column: number; at: number } {
  const at = text.indexOf(needle, from);
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n'), at };
}

describe('secret scanner', () => {
  test('streamed in any chunking, across window boundaries, findings and positions equal an independent count', async () => {
    const tokens = Array.from({ length: 6 }, () => 'ghp_' + r(ALNUM, 36));
    // Filler lines of varied length; each token placed near a window edge.
    const parts: string[] = [];
    let size = 0;
    const edges = [
      WINDOW_BYTES - 20,
      WINDOW_BYTES + 5,
      2 * WINDOW_BYTES - 3,
      2 * WINDOW_BYTES + 40_000,
      3 * WINDOW_BYTES + 1,
    ];
    let t = 0;
    while (size < 3.5 * WINDOW_BYTES) {
      const next = edges[t];
      if (next !== undefined && size >= next - 200) {
        const line = `export GITHUB_TOKEN=${tokens[t]!}\n`;
        parts.push(line);
        size += line.length;
        t++;
        continue;
      }
      const line = r(ALNUM + '   ', 20 + (size % 97)) + '\n';
      parts.push(line);
      size += line.length;
    }
    parts.push(`last=${tokens[5]!}`); // at the very end, no newline
    const text = parts.join('');
    const buf = Buffer.from(text, 'latin1');
    const expected = tokens.map((tok) => {
      const p = place(text, tok);
      return { startLine: p.line, startColumn: p.column, endLine: p.line, endColumn: p.column + tok.length };
    });
    const s = createSecretScanner();
    const whole = s.scanBuffer('/app/big.env', buf, { layer });
    assert.deepEqual(
      whole.map((f) => ({ ...f.location, path: undefined, layer: undefined })),
      expected.map((e) => ({ ...e, path: undefined, layer: undefined })),
    );
    for (const sizes of [[1, 7, 4096], [65_536], [WINDOW_BYTES + 13], [3, 1_000_003]]) {
      const streamed = await s.scanStream('/app/big.env', chunked(buf, sizes), { layer });
      assert.deepEqual(streamed, whole, `chunk sizes ${sizes.join(',')}`);
    }
    assert.ok(whole.every((f) => f.location.layer === layer && f.location.deleted === undefined));
    assertNoLeak(whole, tokens);
  });

  test(
    'a 1 GB single-line file streams in bounded memory; secrets anywhere in it are found',
    { timeout: 600_000 },
    async () => {
      const block = Buffer.from(r(ALNUM + '+/', 256 * 1024), 'latin1');
      const total = 1024 * 1024 * 1024;
      const secrets = [
        'AKIA' + r('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16),
        'ghp_' + r(ALNUM, 36),
        'xoxb-' + '1234567890' + '-' + '9876543210' + '-' + r(ALNUM, 24),
      ];
      // Each secret is planted so that it straddles a chunk boundary, at a known offset.
      const planted = [100 * block.length - 10, 2000 * block.length - 3, total - 80];
      let peak = 0;
      const base = process.memoryUsage().rss;
      async function* gen(): AsyncGenerator<Buffer> {
        let off = 0;
        let n = 0;
        while (off < total) {
          let chunk = block.subarray(0, Math.min(block.length, total - off));
          const k = planted.findIndex((p) => p >= off && p < off + chunk.length);
          if (k !== -1) {
            chunk = Buffer.from(chunk);
            const at = planted[k]! - off;
            const sec = Buffer.from(` ${secrets[k]!} `, 'latin1');
            const head = sec.subarray(0, Math.min(sec.length, chunk.length - at));
            head.copy(chunk, at);
            if (head.length < sec.length) {
              // The rest goes at the start of the next chunk.
              const rest = sec.subarray(head.length);
              yield chunk;
              off += chunk.length;
              const nextChunk = Buffer.from(block.subarray(0, Math.min(block.length, total - off)));
              rest.copy(nextChunk, 0);
              yield nextChunk;
              off += nextChunk.length;
              continue;
            }
          }
          yield chunk;
          off += chunk.length;
          if (++n % 256 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        }
      }
      const s = createSecretScanner({ maxFileBytes: 2 * total });
      const found = await s.scanStream('/data/blob.txt', gen());
      peak = Math.max(peak, process.memoryUsage().rss);
      const got = found.map((f) => [f.ruleId, f.location.startLine, f.location.startColumn]);
      assert.deepEqual(got, [
        ['aws-access-token', 1, planted[0]! + 2],
        ['github-pat', 1, planted[1]! + 2],
        ['slack-bot-token', 1, planted[2]! + 2],
      ]);
      assertNoLeak(found, secrets);
      // One window plus overlap per file: RSS must not grow with the file (1 GB here).
      assert.ok(peak - base < 96 * 1024 * 1024, `RSS grew by ${Math.round((peak - base) / 1048576)} MiB`);
    },
  );

  test('binary files: only private keys are looked for', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\n' +
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n'.repeat(4) +
      '-----END OPENSSH PRIVATE KEY-----\n';
    const token = 'ghp_' + r(ALNUM, 36);
    const elf = Buffer.concat([
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]),
      Buffer.alloc(5000),
      Buffer.from(`${token}\n${key}`),
      Buffer.alloc(100),
    ]);
    const s = createSecretScanner();
    const found = s.scanBuffer('/usr/local/bin/app', elf);
    assert.deepEqual(
      found.map((f) => f.ruleId),
      ['private-key'],
    );
    assertNoLeak(found, [key.trim(), token]);
    // The same bytes as text find both.
    const text = s.scanBuffer('/app/notes.txt', Buffer.from(`${token}\n${key}`));
    assert.deepEqual(text.map((f) => f.ruleId).sort(), ['github-pat', 'private-key']);
  });

  test('default skip list: documentation and test vectors are not read unless asked', async () => {
    const token = 'ghp_' + r(ALNUM, 36);
    const s = createSecretScanner();
    for (const p of [
      '/usr/share/doc/pkg/README',
      '/usr/share/locale/de/LC_MESSAGES/x.mo',
      '/usr/lib/python3.11/test/keycert.pem',
      '/usr/share/go-1.19/src/crypto/tls/x_test.go',
    ]) {
      assert.equal(s.wants(p), false, p);
      assert.deepEqual(s.scanBuffer(p, Buffer.from(token)), []);
      let read = false;
      const stream = (async function* () {
        read = true;
        yield Buffer.from(token);
      })();
      assert.deepEqual(await s.scanStream(p, stream), []);
      assert.equal(read, false, 'a skipped stream is not read');
    }
    assert.equal(s.wants('/app/.env'), true);
    const all = createSecretScanner({ defaultSkips: false });
    assert.equal(all.scanBuffer('/usr/share/doc/pkg/README', Buffer.from(token)).length, 1);
    assert.ok(DEFAULT_SKIP_PATHS.includes('/usr/share/doc/**'));
  });

  test('scanText: Dockerfile lines and ENV values keep their line numbers', () => {
    const tok = 'glpat-' + r(ALNUM, 20);
    const s = createSecretScanner();
    const f = s.scanText('/build/Dockerfile', `ENV CI_TOKEN=${tok}`, { line: 12 });
    assert.equal(f.length, 1);
    assert.deepEqual(f[0]!.location, {
      path: '/build/Dockerfile',
      startLine: 12,
      startColumn: 14,
      endLine: 12,
      endColumn: 14 + tok.length,
    });
    const cfg = s.scanText('image-config', `LABEL=${tok}`, { deleted: false });
    assert.equal(cfg[0]!.location.path, 'image-config');
    assertNoLeak([...f, ...cfg], [tok]);
    assert.throws(
      () => s.scanText('x', 'y', { line: 0 }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });

  test('findings per file are capped; bytes past maxFileBytes are not scanned; deleted files are marked', () => {
    const many = Array.from({ length: 300 }, () => 'ghp_' + r(ALNUM, 36)).join('\n');
    const s = createSecretScanner({ maxFindingsPerFile: 25, maxFileBytes: 4096 });
    assert.equal(s.scanBuffer('/app/tokens', Buffer.from(many)).length, 25);
    const late = 'x'.repeat(5000) + '\nghp_' + r(ALNUM, 36);
    const scan = s.open('/app/late', { deleted: true, layer });
    scan.write(Buffer.from(late));
    assert.deepEqual(scan.end(), []);
    assert.equal(scan.truncated, true);
    const early = s.scanBuffer('/app/early', Buffer.from('ghp_' + r(ALNUM, 36)), { deleted: true, layer });
    assert.equal(early[0]!.location.deleted, true);
    assert.equal(early[0]!.location.layer, layer);
    assert.throws(
      () => createSecretScanner({ maxFileBytes: -1 }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });

  test('push-style scans of several files can interleave', () => {
    const s = createSecretScanner();
    const a = s.open('/a/.env');
    const b = s.open('/b/.env');
    const ta = 'ghp_' + r(ALNUM, 36);
    const tb = 'npm_' + r(ALNUM, 36);
    a.write(Buffer.from(`X=${ta.slice(0, 10)}`));
    b.write(Buffer.from(`line1\nY=${tb}`));
    a.write(Buffer.from(ta.slice(10) + '\n'));
    assert.deepEqual(
      a.end().map((f) => [f.location.path, f.ruleId, f.location.startLine]),
      [['/a/.env', 'github-pat', 1]],
    );
    assert.deepEqual(
      b.end().map((f) => [f.location.path, f.ruleId, f.location.startLine]),
      [['/b/.env', 'npm-access-token', 2]],
    );
    assert.deepEqual(a.end(), a.end());
  });

  test('a generic match on the same bytes as a specific one yields to it', () => {
    const tok = 'ghp_' + r(ALNUM, 36);
    const s = createSecretScanner();
    const f = s.scanBuffer('/app/config.yaml', Buffer.from(`api_token: "${tok}"\n`));
    assert.deepEqual(
      f.map((x) => x.ruleId),
      ['github-pat'],
    );
  });

  test('property: any bytes, any chunking, small windows: the stream gives what the whole buffer gives, never throws', async () => {
    const tok = 'ghp_' + r(ALNUM, 36);
    const pem =
      '-----BEGIN PRIVATE KEY-----\n' +
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n'.repeat(3) +
      '-----END PRIVATE KEY-----\n';
    const piece = fc.oneof(
      fc.constantFrom(
        tok,
        pem,
        '\n',
        '\0',
        'password = ',
        '"auth": "',
        'eyJ',
        'AKIA',
        'key',
        '-----BEGIN ',
        ' ',
      ),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.integer({ min: 1, max: 60_000 }).map((n) => 'x'.repeat(n)),
    );
    const s = createSecretScanner({ windowBytes: 4096, maxFindingsPerFile: 1000 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
        async (pieces, sizes) => {
          const buf = Buffer.from(pieces.join(''), 'latin1');
          const whole = s.scanBuffer('/app/f.txt', buf);
          const streamed = await s.scanStream('/app/f.txt', chunked(buf, sizes));
          assert.deepEqual(streamed, whole);
        },
      ),
      { numRuns: 150 },
    );
  });
});

test('an npm access token as an .npmrc _authToken is one finding, the .npmrc rule', () => {
  const token = `npm_${'aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xY2zA4'}`;
  const found = createSecretScanner().scanBuffer(
    '/root/.npmrc',
    Buffer.from(`//registry.npmjs.org/:_authToken=${token}\n`),
  );
  assert.deepEqual(
    found.map((f) => f.ruleId),
    ['npmrc-auth-token'],
  );
  // The same token anywhere else is the access-token rule's.
  const elsewhere = createSecretScanner().scanBuffer('/app/publish.sh', Buffer.from(`TOKEN=${token}\n`));
  assert.ok(elsewhere.some((f) => f.ruleId === 'npm-access-token'));
});
