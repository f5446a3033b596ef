/**
 * The accounts analyser: real account files (hashes made by openssl), and
 * hostile ones — binary junk, 100k lines, absurd ids — which it reads in
 * bounded memory without throwing, keeping only well-formed entries.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { BufferSource } from '../inventory/index.js';
import { MAX_ACCOUNT_ENTRIES, parseAccounts } from './accounts.js';
import { accountsAnalyzer, checkImage, MAX_ACCOUNTS_FILE_BYTES, type AccountsFact } from './index.js';
import { analyzeSpec, checkVariant, variantSpec } from './testing.js';

const run = promisify(execFile);

async function parseFile(path: string, text: string | Buffer): Promise<AccountsFact | undefined> {
  const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  if (!accountsAnalyzer.select({ path, type: 'file', mode: 0o644, size: data.length })) return undefined;
  return accountsAnalyzer.parse({ path, mode: 0o644, size: data.length, source: new BufferSource(data) });
}

test('selects exactly /etc/passwd, /etc/group and /etc/shadow, bounded in size', () => {
  const sel = (path: string) => accountsAnalyzer.select({ path, type: 'file', mode: 0o644, size: 10 });
  assert.deepEqual(
    ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/passwd-', '/usr/etc/passwd'].map(sel),
    [true, true, true, false, false, false],
  );
  assert.equal(accountsAnalyzer.maxFileSize, MAX_ACCOUNTS_FILE_BYTES);
});

test('passwd and group: ids with names, in file order, duplicates kept', async () => {
  const passwd = await parseFile(
    '/etc/passwd',
    'root:x:0:0:root:/root:/bin/bash\n# comment\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\ntoor:x:0:0::/root:/bin/sh\r\nnopw::1001:1001::/home/nopw:/bin/sh\n+nis::::::\n',
  );
  assert.deepEqual(passwd, {
    file: 'passwd',
    users: [
      ['root', 0],
      ['daemon', 1],
      ['toor', 0],
      ['nopw', 1001],
    ],
    emptyPassword: ['nopw'],
  });
  const group = await parseFile('/etc/group', 'root:x:0:\nshadow:x:42:\nusers:x:100:alice,bob\n');
  assert.deepEqual(group, {
    file: 'group',
    groups: [
      ['root', 0],
      ['shadow', 42],
      ['users', 100],
    ],
  });
});

test('shadow: only the names of accounts with an empty password are kept, never a hash', async () => {
  const { stdout } = await run('openssl', ['passwd', '-6', '-salt', 'mamoritestsalt', 'correct horse']);
  const hash = stdout.trim();
  assert.match(hash, /^\$6\$/);
  const text = `root:${hash}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nlocked:!:19000::::::\nopen::19000:0:99999:7:::\n`;
  const fact = await parseFile('/etc/shadow', text);
  assert.deepEqual(fact, { file: 'shadow', emptyPassword: ['open'] });
  const json = JSON.stringify(fact);
  assert.ok(!json.includes(hash) && !json.includes('$6$') && !json.includes('19000'));
});

test('absurd ids are dropped; the largest valid id is kept', () => {
  const lines = [
    'a:x:-1:0::/:/bin/sh',
    'b:x:4294967295:0::/:/bin/sh',
    'c:x:99999999999:0::/:/bin/sh',
    'd:x:1e3:0::/:/bin/sh',
    'e:x:0x10:0::/:/bin/sh',
    'f:x::0::/:/bin/sh',
    'g:x: 5:0::/:/bin/sh',
    'h:x:4294967294:0::/:/bin/sh',
    'i:x:007:0::/:/bin/sh',
    'j',
  ];
  const fact = parseAccounts('passwd', lines.join('\n'));
  assert.ok(fact.file === 'passwd');
  assert.deepEqual(fact.users, [
    ['h', 4294967294],
    ['i', 7],
  ]);
});

test('names: control and non-ASCII bytes replaced, length bounded', () => {
  const fact = parseAccounts('group', `${'n'.repeat(500)}:x:5:\nbad\x01\x1b[31m\xffname:x:6:\n`);
  assert.ok(fact.file === 'group');
  assert.deepEqual(fact.groups, [
    ['n'.repeat(64), 5],
    ['bad??[31m?name', 6],
  ]);
});

test('100k lines: at most MAX_ACCOUNT_ENTRIES kept, marked truncated', async () => {
  const text = Array.from({ length: 100_000 }, (_, i) => `u${i}:x:${i}:${i}::/:/x`).join('\n');
  const fact = await parseFile('/etc/passwd', text);
  assert.ok(fact?.file === 'passwd');
  assert.equal(fact.users.length, MAX_ACCOUNT_ENTRIES);
  assert.equal(fact.truncated, true);
  assert.deepEqual(fact.users[MAX_ACCOUNT_ENTRIES - 1], [
    `u${MAX_ACCOUNT_ENTRIES - 1}`,
    MAX_ACCOUNT_ENTRIES - 1,
  ]);
});

test('binary junk and oversize files never throw', async () => {
  for (let i = 0; i < 20; i++) {
    const fact = await parseFile('/etc/passwd', randomBytes(64 * 1024));
    assert.equal(fact?.file, 'passwd');
  }
  assert.equal(await parseFile('/etc/group', Buffer.alloc(MAX_ACCOUNTS_FILE_BYTES + 1, 0x41)), undefined);
});

test('any input parses to well-formed facts (property)', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 4096 }),
      fc.constantFrom('passwd', 'group', 'shadow'),
      (bytes, file) => {
        const fact = parseAccounts(file as AccountsFact['file'], Buffer.from(bytes).toString('latin1'));
        const pairs = fact.file === 'passwd' ? fact.users : fact.file === 'group' ? fact.groups : [];
        for (const [name, id] of pairs) {
          assert.ok(Number.isSafeInteger(id) && id >= 0 && id <= 0xfffffffe);
          assert.match(name, /^[\x21-\x7e]{1,64}$/);
        }
        const empty = fact.file === 'group' ? [] : fact.emptyPassword;
        for (const n of empty) assert.match(n, /^[\x21-\x7e]{1,64}$/);
      },
    ),
    { numRuns: 500 },
  );
});

test('a hostile /etc/passwd in an image: junk lines dropped, a truncated database is not used to judge owners', async () => {
  // Binary junk without a colon, so it can never form an entry by chance.
  const noise = randomBytes(4096).map((b) => (b === 0x3a ? 0x3b : b));
  const junk = Buffer.concat([
    noise,
    Buffer.from('\nroot:x:0:0::/root:/bin/sh\nnonroot:x:65532:65532::/:/bin/sh\n'),
    Buffer.from(Array.from({ length: 100_000 }, (_, i) => `z${i}:x:${200_000 + i}:1::/:/x`).join('\n')),
  ]);
  const r = await checkVariant({
    replace: [{ name: 'etc/passwd', content: junk }],
    add: [{ name: 'srv', uid: 1000 }],
  });
  // uid 1000 is not defined, but the database was cut short: no owner finding can be trusted.
  assert.deepEqual(
    r.findings.map((f) => f.ruleId),
    [],
  );
  // The same image with a short, complete passwd: the owner is judged.
  const short = await analyzeSpec(await variantSpec({ add: [{ name: 'srv', uid: 1000 }] }));
  assert.deepEqual(
    checkImage(short).findings.map((f) => f.ruleId),
    ['MI022'],
  );
});
