import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Minimatch } from 'minimatch';
import { DEFAULT_SKIP_PATHS, globMatcher } from './skip.js';

const OPTIONS = { dot: true, nocomment: true, nonegate: true, noext: true } as const;

/** The plain reading: does any glob (rooted as globMatcher roots it) match, by minimatch alone. */
function reference(globs: readonly string[]): (path: string) => boolean {
  const mms = globs.map((g) => new Minimatch(g.startsWith('/') || g.startsWith('**') ? g : `/${g}`, OPTIONS));
  return (path) => mms.some((m) => m.match(path));
}

test('the literal prefilters never change what the globs match', () => {
  const segment = fc.constantFrom(
    'usr',
    'lib',
    'share',
    'doc',
    'testdata',
    'test',
    'tests',
    'node_modules',
    'site-packages',
    'x86_64-linux-gnu',
    'libssl.so.3',
    'README.md',
    'app.mo',
    'METADATA',
    'pkg.dist-info',
    'go-1.19',
    'src',
    'lib64',
  );
  const paths = fc.array(segment, { minLength: 1, maxLength: 7 }).map((s) => `/${s.join('/')}`);
  const extraGlobs = ['a/**', '**/testdata', '/usr/lib{,64}/**/lib*.so{,.*}', '**/[a-z]*.md', '/srv/?pp/**'];
  const globs = [...DEFAULT_SKIP_PATHS, ...extraGlobs];
  const fast = globMatcher(globs);
  const slow = reference(globs);
  fc.assert(
    fc.property(paths, (p) => {
      assert.equal(fast(p), slow(p), p);
    }),
    { numRuns: 5000 },
  );
  for (const p of ['/a', '/a/b', '/x/testdata', '/x/testdata/y', '/usr/lib64/x/libz.so.1', '/srv/app/k']) {
    assert.equal(fast(p), slow(p), p);
  }
});

test('runtime standard libraries are skipped, packages installed into them are not; the allow-list always wins', async () => {
  const { createSecretScanner } = await import('./index.js');
  const s = createSecretScanner();
  for (const p of [
    '/usr/lib/python3.11/http/client.py',
    '/usr/local/lib/python3.12/ssl.py',
    '/usr/share/perl/5.36/Net/FTP.pm',
    '/usr/lib/perl5/core_perl/Net/SMTP.pm',
  ]) {
    assert.equal(s.wants(p), false, p);
  }
  for (const p of [
    '/usr/lib/python3.11/site-packages/app/settings.py',
    '/usr/local/lib/python3.12/site-packages/app/config.py',
    '/usr/lib/python3/dist-packages/app/config.py',
    '/usr/share/perl5/App/Config.pm',
    '/app/settings.py',
  ]) {
    assert.equal(s.wants(p), true, p);
  }
  const allowed = createSecretScanner({
    allow: {
      source: 't',
      disabledRules: [],
      paths: ['/usr/local/lib/python3.12/site-packages/fixtures/**'],
      values: [],
      findings: [],
    },
  });
  assert.equal(allowed.wants('/usr/local/lib/python3.12/site-packages/fixtures/key.pem'), false);
  assert.equal(allowed.wants('/usr/local/lib/python3.12/site-packages/app/key.pem'), true);
  assert.equal(
    createSecretScanner({ defaultSkips: false }).wants('/usr/lib/python3.11/http/client.py'),
    true,
  );
});
